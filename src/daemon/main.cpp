// unitoomd: a userspace out-of-memory killer for systemd systems.
#include <getopt.h>
#include <sys/resource.h>

#include <cstdio>
#include <string>
#include <vector>

#include "config/file_trust.h"
#include "daemon/check_config.h"
#include "daemon/daemon.h"
#include "desktop/freeze_store.h"
#include "unitoomd-config.h"
#include "util/log.h"

using namespace unitoomd;

namespace {

void usage(FILE* out) {
  fprintf(out,
          "Usage: unitoomd [OPTIONS]\n"
          "       unitoomd --check-config FILE...\n\n"
          "Kills the right cgroup before the kernel's OOM killer has to, on PSI memory\n"
          "pressure, swap and memory rules.\n\n"
          "  -c, --config FILE      daemon configuration (default %s/unitoomd/unitoomd.conf)\n"
          "  -r, --rulesets FILE    JSON rulesets (overrides Rulesets= of the config)\n"
          "      --user             follow the user's systemd (session bus), not the system's\n"
          "      --no-systemd       standalone: no unit policies, kill with cgroup.kill\n"
          "      --cgroup-root DIR  cgroup2 mount point (default: detected)\n"
          "      --dry-run          decide and report, but kill nothing\n"
          "      --check-config     validate the given .conf and .json files and exit\n"
          "      --thaw-frozen      thaw the apps a stopped unitoomd left frozen (AskBeforeKill=) and exit\n"
          "  -d, --debug            log debug messages\n"
          "      --version          print the version and exit\n"
          "  -h, --help             show this help\n",
          UNITOOMD_SYSCONFDIR);
}

}  // namespace

namespace {

// One PSI trigger and, where the memory controller is, one cgroup directory
// are open for every monitored cgroup: a thousand units pass the soft limit
// of 1,024 that systemd leaves services for select()'s sake (this daemon
// uses epoll). Raise it to the hard limit, as systemd advises.
void raiseFileLimit() {
  struct rlimit rl {};
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max) return;
  rl.rlim_cur = rl.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &rl) < 0) LOG_NOTICE("cannot raise the open file limit: %m");
}

}  // namespace

int main(int argc, char** argv) {
  enum { OPT_CGROUP_ROOT = 1000, OPT_DRY_RUN, OPT_CHECK, OPT_VERSION, OPT_PROC_ROOT, OPT_USER, OPT_NO_SYSTEMD, OPT_THAW };
  static const option longOptions[] = {
      {"config", required_argument, nullptr, 'c'},
      {"rulesets", required_argument, nullptr, 'r'},
      {"cgroup-root", required_argument, nullptr, OPT_CGROUP_ROOT},
      {"proc-root", required_argument, nullptr, OPT_PROC_ROOT},
      {"dry-run", no_argument, nullptr, OPT_DRY_RUN},
      {"user", no_argument, nullptr, OPT_USER},
      {"no-systemd", no_argument, nullptr, OPT_NO_SYSTEMD},
      {"check-config", no_argument, nullptr, OPT_CHECK},
      {"thaw-frozen", no_argument, nullptr, OPT_THAW},
      {"debug", no_argument, nullptr, 'd'},
      {"version", no_argument, nullptr, OPT_VERSION},
      {"help", no_argument, nullptr, 'h'},
      {nullptr, 0, nullptr, 0},
  };
  DaemonOptions options;
  options.configPaths = defaultConfigPaths(UNITOOMD_SYSCONFDIR);
  bool check = false, thaw = false;
  int c;
  while ((c = getopt_long(argc, argv, "c:r:dh", longOptions, nullptr)) != -1) {
    switch (c) {
      case 'c':
        options.configPaths = explicitConfigPaths(optarg);
        options.configMayBeMissing = false;
        break;
      case 'r': options.rulesetFile = optarg; break;
      case OPT_CGROUP_ROOT: options.cgroupRoot = optarg; break;
      case OPT_PROC_ROOT: options.procRoot = optarg; break;
      case OPT_DRY_RUN: options.dryRun = true; break;
      case OPT_USER: options.systemd = BusKind::User; break;
      case OPT_NO_SYSTEMD: options.systemd.reset(); break;
      case OPT_CHECK: check = true; break;
      case OPT_THAW: thaw = true; break;
      case 'd': setLogLevel(LogLevel::Debug); break;
      case OPT_VERSION: printf("unitoomd %s\n", UNITOOMD_VERSION); return 0;
      case 'h': usage(stdout); return 0;
      default: usage(stderr); return 2;
    }
  }
  if (check) {
    std::vector<std::string> files(argv + optind, argv + argc);
    if (files.empty()) {
      fprintf(stderr, "--check-config needs at least one file\n");
      return 2;
    }
    Diagnostics diags = keepTrustedFiles(files);  // a file others may change is refused
    for (auto& d : checkConfigFiles(files)) diags.push_back(std::move(d));
    for (const auto& d : diags) fprintf(stderr, "%s\n", d.str().c_str());
    return diags.empty() ? 0 : 1;
  }
  if (optind < argc) {
    fprintf(stderr, "unexpected argument '%s'\n", argv[optind]);
    return 2;
  }
  if (options.systemd == BusKind::User) {
    const char* runtime = getenv("XDG_RUNTIME_DIR");
    options.frozenRecordDir = runtime && *runtime ? std::string(runtime) + "/unitoomd/frozen" : "";
  }
  if (thaw) {  // the unit's ExecStopPost=: whatever way the daemon ended, nothing stays frozen
    auto root = options.cgroupRoot ? options.cgroupRoot : CgroupFs::detectRoot();
    if (!root || options.frozenRecordDir.empty()) return 0;
    CgroupFs fs(*root, options.procRoot);
    FreezeStore store(options.frozenRecordDir);
    thawRecorded(fs, store, "unitoomd --thaw-frozen");
    return 0;
  }
  raiseFileLimit();
  Daemon daemon(std::move(options));
  if (!daemon.start()) return 1;
  return daemon.run();
}
