#include "daemon/trigger_plan.h"

#include <algorithm>
#include <map>
#include <set>

namespace unitoomd {
namespace {

using TriggerKey = std::pair<std::string, Resource>;  // at most one trigger each

TriggerKey keyOf(const TriggerSpec& spec) { return {spec.cgroup, spec.resource}; }

bool onSameCgroup(const ArmedTrigger& t, const InodeOf& inodeOf) {
  return t.spec.cgroup == "/" || inodeOf(t.spec.cgroup) == std::optional<uint64_t>(t.inode);
}

std::optional<uint64_t> inodeToArmOn(const std::string& cgroup, const InodeOf& inodeOf) {
  return cgroup == "/" ? std::optional<uint64_t>(0) : inodeOf(cgroup);
}

}  // namespace

std::vector<TriggerSpec> planTriggers(const std::vector<WakeSource>& sources, bool needSystemWake, bool proofs) {
  std::vector<TriggerSpec> out;
  // One trigger a (cgroup, resource): sources on the same one merge. An
  // index by key, not a search of what is planned so far: with one source
  // a unit that search made 10,000 units cost 50 million comparisons.
  std::map<TriggerKey, size_t> planned;
  auto add = [&](const std::string& cg, Resource r, double pct, bool wakeOnly, StallKind kind) {
    auto [it, isNew] = planned.try_emplace(TriggerKey{cg, r}, out.size());
    if (isNew) {
      out.push_back({cg, r, pct, wakeOnly, kind});
      return;
    }
    TriggerSpec& t = out[it->second];
    t.wakePercent = std::min(t.wakePercent, pct);
    t.wakeOnly = t.wakeOnly && wakeOnly;
    if (t.kind != kind) t.kind = StallKind::Some;
  };
  for (const auto& s : sources) {
    if (proofs && s.exact && s.thresholdPercent > 0 && s.thresholdPercent < 100)
      add(s.cgroup, s.resource, s.thresholdPercent, false, s.kind);
    else add(s.cgroup, s.resource, std::clamp(s.thresholdPercent / 2, 1.0, 5.0), false, StallKind::Some);
  }
  // Groups without a stall detector (swap_free, memory_above, ...) are woken
  // by system-wide memory stall: running out of memory or swap makes tasks
  // reclaim, which PSI counts.
  if (needSystemWake) add("/", Resource::Memory, 1.0, true, StallKind::Some);
  std::sort(out.begin(), out.end(), [](const TriggerSpec& a, const TriggerSpec& b) {
    return a.cgroup != b.cgroup ? a.cgroup < b.cgroup : a.resource < b.resource;
  });
  return out;
}

// A wake-only trigger needs no short window: a longer one makes the
// kernel's psimon thread poll less often (window / 10) and fire less often
// while memory stays short for minutes.
Duration windowOf(const TriggerSpec& spec, Duration triggerWindow) {
  return spec.wakeOnly ? std::max(triggerWindow, kWakeOnlyWindow) : triggerWindow;
}

Duration wakeStallOf(const TriggerSpec& spec, Duration triggerWindow) {
  Duration window = windowOf(spec, triggerWindow);
  return Duration(static_cast<long long>(static_cast<double>(window.count()) * spec.wakePercent / 100.0));
}

TriggerChanges reconcileTriggers(const std::vector<ArmedTrigger>& armed, const std::vector<TriggerSpec>& planned,
                                 const InodeOf& inodeOf) {
  std::map<TriggerKey, const TriggerSpec*> byKey;
  for (const auto& spec : planned) byKey[keyOf(spec)] = &spec;
  TriggerChanges out;
  std::set<TriggerKey> kept;
  for (size_t i = 0; i < armed.size(); ++i) {
    auto it = byKey.find(keyOf(armed[i].spec));
    if (it != byKey.end() && *it->second == armed[i].spec && onSameCgroup(armed[i], inodeOf)) {
      kept.insert(it->first);
      out.keep.push_back(i);
    }
  }
  for (const auto& spec : planned) {
    if (kept.count(keyOf(spec))) continue;
    if (auto inode = inodeToArmOn(spec.cgroup, inodeOf)) out.arm.push_back({spec, *inode});
    else out.missing.push_back(spec.cgroup);
  }
  return out;
}

bool triggersStale(const std::vector<ArmedTrigger>& armed, const std::vector<TriggerSpec>& planned, const InodeOf& inodeOf) {
  if (armed.size() == planned.size()) return false;  // every planned one is armed
  std::set<TriggerKey> armedKeys;
  for (const auto& t : armed) armedKeys.insert(keyOf(t.spec));
  for (const auto& spec : planned)
    if (!armedKeys.count(keyOf(spec)) && inodeToArmOn(spec.cgroup, inodeOf)) return true;
  return false;
}

}  // namespace unitoomd
