// The cost of one sample: the engine run over real cgroups, as the daemon
// runs it under pressure (every detector reads what it needs from every
// cgroup it watches, at every sample). A benchmark, not a test.
//
//   bench-sample [--open-each-read] CGROUP2_ROOT RULES.json [SAMPLES=200] [INTERVAL_MS=250]
//
// --open-each-read keeps no file open between samples (every read opens,
// reads and closes, as before observe/kept_files.h): the peer to compare with
// in the same run. The open file limit is raised as the daemon raises it.
// Prints one JSON line: median, p90 and max milliseconds per sample (wall),
// and the median CPU milliseconds of the sampling thread (steadier than wall
// time on a busy machine).
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "act/cgroup_killer.h"
#include "config/ruleset_loader.h"
#include "engine/report.h"
#include "observe/cgroup_fs.h"
#include "observe/kept_files.h"

using namespace unitoomd;

namespace {
double threadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}
}  // namespace

int main(int argc, char** argv) {
  bool openEachRead = argc > 1 && std::string(argv[1]) == "--open-each-read";
  if (openEachRead) --argc, ++argv;
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench-sample [--open-each-read] CGROUP2_ROOT RULES.json [SAMPLES] [INTERVAL_MS]\n");
    return 2;
  }
  struct rlimit rl {};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  int samples = argc > 3 ? std::stoi(argv[3]) : 200;
  int intervalMs = argc > 4 ? std::stoi(argv[4]) : 250;
  LoadedRules rules = loadRules(argv[2], "");
  if (!rules.compiled.engine) {
    for (const auto& d : rules.compiled.errors) std::fprintf(stderr, "%s\n", d.str().c_str());
    return 1;
  }
  CgroupFs fs(argv[1]);
  fs.keptFiles().setBudget(openEachRead ? 0 : KeptFiles::defaultBudget());
  History history;
  CgroupKiller killer;
  LogReportSink reports;
  std::vector<double> ms, cpu;
  for (int i = 0; i < samples; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    double c0 = threadCpuMs();
    SampleContext ctx(fs, history, Clock::now());
    ctx.killer = &killer;
    ctx.reports = &reports;
    ctx.dryRun = true;  // a benchmark kills nothing
    rules.compiled.engine->runOnce(ctx);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    cpu.push_back(threadCpuMs() - c0);
    std::this_thread::sleep_for(std::chrono::milliseconds(intervalMs));
  }
  std::sort(ms.begin(), ms.end());
  std::sort(cpu.begin(), cpu.end());
  std::printf(
      "{\"samples\": %d, \"median_ms\": %.3f, \"p90_ms\": %.3f, \"max_ms\": %.3f, \"cpu_median_ms\": %.3f, \"kept_files\": "
      "%zu}\n",
      samples, ms[ms.size() / 2], ms[ms.size() * 9 / 10], ms.back(), cpu[cpu.size() / 2], fs.keptFiles().size());
  return 0;
}
