// The cost of one sample: the engine run over real cgroups, as the daemon
// runs it under pressure (every detector reads what it needs from every
// cgroup it watches, at every sample). A benchmark, not a test.
//
//   bench-sample CGROUP2_ROOT RULES.json [SAMPLES=200] [INTERVAL_MS=250]
//
// Prints one JSON line: median, p90 and max milliseconds per sample.
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

using namespace unitoomd;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench-sample CGROUP2_ROOT RULES.json [SAMPLES] [INTERVAL_MS]\n");
    return 2;
  }
  int samples = argc > 3 ? std::stoi(argv[3]) : 200;
  int intervalMs = argc > 4 ? std::stoi(argv[4]) : 250;
  LoadedRules rules = loadRules(argv[2], "");
  if (!rules.compiled.engine) {
    for (const auto& d : rules.compiled.errors) std::fprintf(stderr, "%s\n", d.str().c_str());
    return 1;
  }
  CgroupFs fs(argv[1]);
  History history;
  CgroupKiller killer;
  LogReportSink reports;
  std::vector<double> ms;
  for (int i = 0; i < samples; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    SampleContext ctx(fs, history, Clock::now());
    ctx.killer = &killer;
    ctx.reports = &reports;
    ctx.dryRun = true;  // a benchmark kills nothing
    rules.compiled.engine->runOnce(ctx);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    std::this_thread::sleep_for(std::chrono::milliseconds(intervalMs));
  }
  std::sort(ms.begin(), ms.end());
  std::printf("{\"samples\": %d, \"median_ms\": %.3f, \"p90_ms\": %.3f, \"max_ms\": %.3f}\n", samples, ms[ms.size() / 2],
              ms[ms.size() * 9 / 10], ms.back());
  return 0;
}
