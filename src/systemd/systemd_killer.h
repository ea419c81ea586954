// Kills through systemd: the victim cgroup is mapped to its unit (from the
// units the tracker follows; GetUnitByControlGroup only for a cgroup none of
// them explains), user.oomd_ooms is incremented so systemd records the
// unit's result as oom-kill, then KillUnit(unit, "all", SIGKILL) - or
// StopUnit (SIGKILL via KillUnit if it has not stopped within the stop
// timeout) or RestartUnit, as the ruleset asks.
//
// No kill waits on systemd longer than `replyTimeout` (a quarter of it
// while that manager has just missed it: act/reply_deadline.h): when PID 1 is
// swapped out or the bus daemon is stuck, the cgroup is killed directly
// with cgroup.kill and the report says which call went unanswered. So is a
// cgroup that is not exactly a unit's (inside a delegated subtree), and
// everything while systemd is unreachable: the cgroup is read fresh, only
// the unit tree could be stale. systemd still records oom-kill when it
// catches up (the xattr was bumped first).
#pragma once

#include <functional>
#include <map>
#include <memory>

#include "act/cgroup_killer.h"
#include "act/reply_deadline.h"
#include "systemd/unit_tracker.h"

namespace unitoomd {

class SystemdKiller : public Killer {
 public:
  // `managerOf` names the manager that owns a cgroup: the system manager's
  // tracker, or a followed user manager's for cgroups inside its
  // user@UID.service (so the user's own `systemctl --user` shows the kill).
  // `replied` runs whenever systemd answers one of the kill's calls, so the
  // caller can take the next step at once.
  SystemdKiller(std::function<UnitTracker&(const std::string& cgroup)> managerOf, std::function<void()> replied,
                Duration replyTimeout)
      : managerOf_(std::move(managerOf)), replied_(std::move(replied)), replyTimeout_(replyTimeout) {}
  std::unique_ptr<KillOperation> start(const CgroupFs& fs, const KillTarget& victim, const KillOptions& options,
                                       TimePoint now) override;
  void setReplyTimeout(Duration d) {
    replyTimeout_ = d;
    for (auto& [manager, deadline] : deadlines_) deadline->setConfigured(d);
  }

 private:
  std::function<UnitTracker&(const std::string&)> managerOf_;
  std::function<void()> replied_;
  Duration replyTimeout_;
  std::map<std::string, std::shared_ptr<ReplyDeadline>> deadlines_;  // by manager ("": the system's)
};

}  // namespace unitoomd
