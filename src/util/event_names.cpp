#include "util/event_names.h"

#include <time.h>

#include <algorithm>
#include <map>

namespace unitoomd {
namespace {

// Names are bounded by what the daemon creates (one per trigger, bus and
// watch); a name that goes away keeps its count, so the map is capped.
constexpr size_t kMaxNames = 4096;
struct Wakes {
  std::map<std::string, WakeCount> byName;
  WakeCount* last = nullptr;  // the one the CPU time since lastCpu goes to
  double lastCpu = 0;
};
Wakes& wakes() {
  static Wakes w;
  return w;
}

double threadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

}  // namespace

void nameSource(sd_event_source* s, const std::string& name) {
  if (s) sd_event_source_set_description(s, name.c_str());
}

void countWake(sd_event_source* s) {
  const char* name = nullptr;
  if (!s || sd_event_source_get_description(s, &name) < 0 || !name) name = "(unnamed)";
  auto& w = wakes();
  double cpu = threadCpuSeconds();
  if (w.last) w.last->cpuSeconds += cpu - w.lastCpu;
  w.lastCpu = cpu;
  auto it = w.byName.find(name);
  if (it == w.byName.end() && w.byName.size() < kMaxNames) it = w.byName.emplace(name, WakeCount{name, 0, 0}).first;
  w.last = it == w.byName.end() ? nullptr : &it->second;
  if (w.last) ++w.last->count;
}

std::vector<WakeCount> busiestWakeSources(size_t n) {
  auto& w = wakes();
  if (w.last) {  // the running callback's share so far
    double cpu = threadCpuSeconds();
    w.last->cpuSeconds += cpu - w.lastCpu;
    w.lastCpu = cpu;
  }
  std::vector<WakeCount> v;
  for (const auto& [name, c] : w.byName) v.push_back(c);
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.count > b.count; });
  if (v.size() > n) v.resize(n);
  return v;
}

}  // namespace unitoomd
