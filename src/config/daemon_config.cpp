#include "config/daemon_config.h"

#include <dirent.h>

#include <algorithm>
#include <map>

#include "config/file_trust.h"
#include "config/ini.h"
#include "util/parse.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

// A list key, as systemd's: words add to the list, an empty value resets it.
void applyList(const std::string& value, std::vector<std::string>& list) {
  if (value.empty()) return list.clear();
  for (auto w : splitBlanks(value)) list.emplace_back(w);
}

template <typename Bad, typename DurationKey>
void applyDesktopKey(const IniEntry& e, DesktopConfig& d, Bad& bad, DurationKey& duration, Diagnostics& diags,
                     const std::string& file) {
  auto boolean = [&](bool& out) {
    auto b = parseBool(e.value);
    if (!b) bad("not a boolean");
    else out = *b;
  };
  if (e.key == "FollowUserManagers") boolean(d.followUserManagers);
  else if (e.key == "Notify") boolean(d.notify);
  else if (e.key == "AskBeforeKill") boolean(d.askBeforeKill);
  else if (e.key == "AskTimeoutSec") duration(d.askTimeout, std::chrono::seconds(20), std::chrono::seconds(1));
  else if (e.key == "AskCoolDownSec") duration(d.askCoolDown, std::chrono::minutes(5), Duration{0});
  else if (e.key == "KillProcessesIn") applyList(e.value, d.killProcessesIn);
  else if (e.key == "ProtectedUnits") applyList(e.value, d.protectedUnits);
  else if (e.key == "ProtectedProcesses") applyList(e.value, d.protectedProcesses);
  else if (e.key == "LowMemoryMonitor") {
    if (e.value == "auto" || e.value.empty()) d.lowMemoryMonitor = DesktopConfig::Lmm::Auto;
    else if (auto b = parseBool(e.value)) d.lowMemoryMonitor = *b ? DesktopConfig::Lmm::Yes : DesktopConfig::Lmm::No;
    else bad("expected auto or a boolean");
  } else diags.push_back({file, e.line, "unknown key '" + e.key + "' in section [Desktop]"});
}

}  // namespace

ConfigPaths defaultConfigPaths(const std::string& sysconfdir) {
  return {sysconfdir + "/unitoomd/unitoomd.conf",
          {sysconfdir + "/unitoomd/unitoomd.conf.d", "/run/unitoomd/unitoomd.conf.d", "/usr/local/lib/unitoomd/unitoomd.conf.d",
           "/usr/lib/unitoomd/unitoomd.conf.d"}};
}

ConfigPaths explicitConfigPaths(const std::string& file) { return {file, {file + ".d"}}; }

void applyDaemonConfig(std::string_view text, const std::string& file, DaemonConfig& c, Diagnostics& diags) {
  for (const auto& e : parseIni(text, file, diags)) {
    auto bad = [&](const std::string& why) { diags.push_back({file, e.line, e.key + "=" + e.value + ": " + why}); };
    auto percent = [&](double& out, double fallback) {
      if (e.value.empty()) return void(out = fallback);
      auto p = parsePercent(e.value);
      if (!p) bad(p.error().message);
      else out = *p;
    };
    auto duration = [&](Duration& out, Duration fallback, Duration min) {
      if (e.value.empty()) return void(out = fallback);
      auto d = parseDuration(e.value);
      if (!d) bad(d.error().message);
      else if (*d < min) bad("must be at least " + formatDuration(min));
      else out = *d;
    };
    if (e.section == "OOM") {
      if (e.key == "SwapUsedLimit") percent(c.swapUsedLimitPercent, 90);
      else if (e.key == "DefaultMemoryPressureLimit") percent(c.defaultMemoryPressureLimitPercent, 60);
      else if (e.key == "DefaultMemoryPressureDurationSec") {
        // as systemd-oomd: 0 or empty means the default, below 1 s is refused
        auto d = parseDuration(e.value);
        if (e.value.empty() || (d && d->count() == 0)) c.defaultMemoryPressureDuration = std::chrono::seconds(30);
        else duration(c.defaultMemoryPressureDuration, std::chrono::seconds(30), std::chrono::seconds(1));
      } else if (e.key == "KillMethod") {
        if (e.value == "kill" || e.value == "stop" || e.value == "restart") c.unitKillMethod = e.value;
        else if (e.value.empty()) c.unitKillMethod = "kill";
        else bad("expected kill, stop or restart");
      } else if (e.key == "StopTimeoutSec") {
        duration(c.stopTimeout, std::chrono::seconds(10), std::chrono::milliseconds(100));
      } else if (e.key == "SystemdKillTimeoutSec") {
        Duration before = c.systemdKillTimeout;
        duration(c.systemdKillTimeout, kDefaultSystemdKillTimeout, std::chrono::milliseconds(10));
        if (c.systemdKillTimeout > std::chrono::seconds(10)) {
          bad("must be at most 10s (the longest any D-Bus call of unitoomd's waits)");
          c.systemdKillTimeout = before;  // a bad value changes nothing
        }
      } else if (e.key == "MemoryExhaustionSec") {
        duration(c.memoryExhaustion, std::chrono::seconds(10), Duration{0});
      } else if (e.key == "PrekillHookTimeoutSec") {
        Duration ignored;
        duration(ignored, Duration{0}, Duration{0});  // systemd-oomd 260+; accepted, no hooks here
      } else diags.push_back({file, e.line, "unknown key '" + e.key + "' in section [OOM]"});
    } else if (e.section == "Daemon") {
      if (e.key == "Rulesets") c.rulesetFile = e.value;
      else if (e.key == "RulesetDropInDirectory") c.rulesetDropInDir = e.value;
      else if (e.key == "SampleIntervalSec")
        duration(c.sampleInterval, std::chrono::milliseconds(250), std::chrono::milliseconds(10));
      else if (e.key == "IdleIntervalSec") duration(c.idleInterval, std::chrono::seconds(30), std::chrono::seconds(1));
      else if (e.key == "DryRun") {
        auto b = parseBool(e.value);
        if (!b) bad("not a boolean");
        else c.dryRun = *b;
      } else if (e.key == "CgroupRoot") c.cgroupRoot = e.value;
      else diags.push_back({file, e.line, "unknown key '" + e.key + "' in section [Daemon]"});
    } else if (e.section == "Desktop") {
      applyDesktopKey(e, c.desktop, bad, duration, diags, file);
    } else {
      diags.push_back({file, e.line, "unknown section [" + e.section + "] (expected [OOM], [Daemon] or [Desktop])"});
    }
  }
}

std::vector<std::string> dropInFiles(const std::vector<std::string>& dirs, const std::string& suffix) {
  std::map<std::string, std::string> byName;  // first (highest-precedence) directory wins
  for (const auto& dir : dirs) {
    DIR* d = opendir(dir.c_str());
    if (!d) continue;
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name[0] == '.' || !endsWith(name, suffix)) continue;
      byName.emplace(name, dir + "/" + name);
    }
    closedir(d);
  }
  std::vector<std::string> out;
  for (auto& [name, path] : byName) out.push_back(path);
  return out;
}

DaemonConfig loadDaemonConfig(const ConfigPaths& paths, bool mainMayBeMissing, Diagnostics& diags) {
  DaemonConfig c;
  // A file others may change is refused (file_trust.h) like a file with a
  // bad line: an error, whether main file or drop-in.
  if (auto text = readTrustedFile(paths.mainFile)) applyDaemonConfig(*text, paths.mainFile, c, diags);
  else if (text.error().errnum == 0) diags.push_back({paths.mainFile, 0, text.error().message});
  else if (!mainMayBeMissing) diags.push_back({paths.mainFile, 0, "cannot read the file"});
  for (const auto& f : dropInFiles(paths.dropInDirs, ".conf")) {
    if (auto text = readTrustedFile(f)) applyDaemonConfig(*text, f, c, diags);
    else if (text.error().errnum == 0) diags.push_back({f, 0, text.error().message});
    else diags.push_back({f, 0, "cannot read the file"});
  }
  return c;
}

}  // namespace unitoomd
