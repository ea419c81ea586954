// Which PSI triggers to arm, and on what: pure, from the rules' wake
// sources, the privilege (the window) and which cgroups exist now (their
// inodes). The fds and sd-event sources are psi_triggers' business.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/plugin.h"
#include "util/time.h"

namespace unitoomd {

// The triggers to arm: one per (cgroup, resource), at the lowest wake
// threshold any detector needs there. A detector wakes us well before its
// own limit: at half its threshold, at most 5 %, at least 1 % of the window.
// wakeOnly: armed only to wake rule groups without a stall detector (no
// detector measures stall there): it starts sampling, and its window may be
// long (kWakeOnlyWindow), as they act on levels that take seconds to fill.
//
// proofs (unprivileged: 2 s windows the kernel checks only every 2 s): a
// detector on one cgroup that asks for it gets a trigger at its own limit
// and stall kind instead. Waking early buys nothing when the wake comes up
// to 2 s late; a trigger that says exactly what the detector asks proves
// its limit was crossed within the window, and the detector places the
// crossing there (pressure_above). A trigger two detectors share proves
// only what both ask: the lower limit, and `some` unless both measure `full`.
struct TriggerSpec {
  std::string cgroup;  // "/" means /proc/pressure
  Resource resource = Resource::Memory;
  double wakePercent = 0;
  bool wakeOnly = false;
  StallKind kind = StallKind::Some;
  bool operator==(const TriggerSpec&) const = default;
};
constexpr Duration kWakeOnlyWindow = std::chrono::seconds(2);

std::vector<TriggerSpec> planTriggers(const std::vector<WakeSource>& sources, bool needSystemWake, bool proofs = false);

// The window a trigger is armed with, given the privileged or unprivileged
// one (triggerWindowFor), and the stall within it that fires the trigger.
Duration windowOf(const TriggerSpec& spec, Duration triggerWindow);
Duration wakeStallOf(const TriggerSpec& spec, Duration triggerWindow);

// A trigger armed on the cgroup directory with this inode ("/": 0).
struct ArmedTrigger {
  TriggerSpec spec;
  uint64_t inode = 0;
};
// The inode of a cgroup as it is now; nullopt: it does not exist.
using InodeOf = std::function<std::optional<uint64_t>(const std::string& cgroup)>;

struct TriggerChanges {
  std::vector<size_t> keep;          // indices of armed triggers that stay as they are
  std::vector<ArmedTrigger> arm;     // new ones, with the inode of the cgroup they go on
  std::vector<std::string> missing;  // planned on cgroups that do not exist (yet)
};
// Triggers still planned on the same cgroup stay armed: re-arming a
// thousand unit cgroups' triggers at every unit change costs the kernel a
// thousand trigger teardowns and setups. A cgroup made again under the
// same path (a unit restarted) gets a new trigger: the old one watches a
// directory that is gone.
TriggerChanges reconcileTriggers(const std::vector<ArmedTrigger>& armed, const std::vector<TriggerSpec>& planned,
                                 const InodeOf& inodeOf);
// Re-arming would arm something: a planned trigger that is not armed (its
// cgroup was missing, or went away and its trigger was dropped) whose
// cgroup exists now. Armed ones are not looked at: the kernel reports a
// removed cgroup on the trigger's fd at once (EPOLLERR, and PsiTriggers
// drops it), so a cgroup made again has lost its trigger before it can be
// found here, and the idle sample's cost grows with what is missing, not
// with the 10,000 triggers armed (one fstatat each was 21 % of it).
bool triggersStale(const std::vector<ArmedTrigger>& armed, const std::vector<TriggerSpec>& planned, const InodeOf& inodeOf);

}  // namespace unitoomd
