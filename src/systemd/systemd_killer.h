// Kills through systemd: the victim cgroup is mapped to its unit
// (GetUnitByControlGroup), user.oomd_ooms is incremented so systemd records
// the unit's result as oom-kill, then KillUnit(unit, "all", SIGKILL) - or
// StopUnit (SIGKILL via KillUnit if it has not stopped within the stop
// timeout) or RestartUnit, as the ruleset asks. A cgroup that is not exactly
// a unit's (inside a delegated subtree) is killed with cgroup.kill, as is
// everything while systemd is unreachable: the cgroup is read fresh, only
// the unit tree could be stale.
#pragma once

#include <functional>

#include "act/cgroup_killer.h"
#include "systemd/unit_tracker.h"

namespace unitoomd {

class SystemdKiller : public Killer {
 public:
  // `managerOf` names the manager that owns a cgroup: the system manager's
  // tracker, or a followed user manager's for cgroups inside its
  // user@UID.service (so the user's own `systemctl --user` shows the kill).
  // `replied` runs whenever systemd answers one of the kill's calls, so the
  // caller can take the next step at once instead of at its next sample.
  SystemdKiller(std::function<UnitTracker&(const std::string& cgroup)> managerOf, std::function<void()> replied)
      : managerOf_(std::move(managerOf)), replied_(std::move(replied)) {}
  std::unique_ptr<KillOperation> start(const CgroupFs& fs, const KillTarget& victim, const KillOptions& options,
                                       TimePoint now) override;

 private:
  std::function<UnitTracker&(const std::string&)> managerOf_;
  std::function<void()> replied_;
};

}  // namespace unitoomd
