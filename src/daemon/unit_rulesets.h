// The rulesets and preferences systemd's units ask for (ManagedOOM*=):
// from the manager the daemon follows and, in the system instance, from
// the users' managers it follows ([Desktop] FollowUserManagers=).
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "config/daemon_config.h"
#include "daemon/said_once.h"
#include "desktop/user_sessions.h"
#include "engine/ir.h"
#include "policy/unit_policy.h"
#include "systemd/unit_tracker.h"

namespace unitoomd {

class UnitRulesets {
 public:
  // followedUsersChanged: the users whose managers are followed changed.
  explicit UnitRulesets(std::function<void()> followedUsersChanged) : followedUsersChanged_(std::move(followedUsersChanged)) {}

  // None until the tracker has read the unit tree. tracker, sessions: may be null.
  // `running`: synthesizeUnitPolicy's.
  std::vector<ir::Ruleset> build(const DaemonConfig& config, UnitTracker* tracker, UserSessions* sessions,
                                 const RunningFingerprint& running = {});

  const std::map<std::string, Preference>& unitPreferences() const { return unitPreferences_; }
  const std::map<std::string, Preference>& userPreferences() const { return userPreferences_; }  // said by users' own managers
  const std::set<uid_t>& followedUsers() const { return followedUsers_; }  // as last published (FollowedUsers)
  SaidOnce& warnings() { return said_; }

 private:
  std::function<void()> followedUsersChanged_;
  std::map<std::string, Preference> unitPreferences_, userPreferences_;
  std::set<uid_t> followedUsers_;
  SaidOnce said_;
};

}  // namespace unitoomd
