#include "daemon/sampler_policy.h"

#include <algorithm>

namespace unitoomd {

std::vector<TriggerSpec> planTriggers(const std::vector<WakeSource>& sources, bool needSystemWake) {
  std::vector<TriggerSpec> out;
  auto add = [&](const std::string& cg, Resource r, double pct, bool wakeOnly) {
    for (auto& t : out)
      if (t.cgroup == cg && t.resource == r) {
        t.wakePercent = std::min(t.wakePercent, pct);
        t.wakeOnly = t.wakeOnly && wakeOnly;
        return;
      }
    out.push_back({cg, r, pct, wakeOnly});
  };
  for (const auto& s : sources) add(s.cgroup, s.resource, std::clamp(s.thresholdPercent / 2, 1.0, 5.0), false);
  // Groups without a stall detector (swap_free, memory_above, ...) are woken
  // by system-wide memory stall: running out of memory or swap makes tasks
  // reclaim, which PSI counts.
  if (needSystemWake) add("/", Resource::Memory, 1.0, true);
  std::sort(out.begin(), out.end(), [](const TriggerSpec& a, const TriggerSpec& b) {
    return a.cgroup != b.cgroup ? a.cgroup < b.cgroup : a.resource < b.resource;
  });
  return out;
}

}  // namespace unitoomd
