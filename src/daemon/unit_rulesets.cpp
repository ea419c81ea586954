#include "daemon/unit_rulesets.h"

#include "util/log.h"

namespace unitoomd {

std::vector<ir::Ruleset> UnitRulesets::build(const DaemonConfig& config, UnitTracker* tracker, UserSessions* sessions,
                                             const RunningFingerprint& running) {
  unitPreferences_.clear();
  userPreferences_.clear();
  if (!tracker || !tracker->ready()) return {};
  UnitPolicyDefaults d;
  d.swapUsedLimitPercent = config.swapUsedLimitPercent;
  d.memoryPressureLimitPercent = config.defaultMemoryPressureLimitPercent;
  d.memoryPressureDuration = config.defaultMemoryPressureDuration;
  d.killMethod = config.unitKillMethod;
  d.stopTimeout = config.stopTimeout;
  d.memoryExhaustion = config.memoryExhaustion;
  std::vector<UnitOomSettings> units = tracker->units();
  if (sessions) {
    sessions->follow(config.desktop.followUserManagers ? userManagersIn(units) : std::set<uid_t>{});
    for (auto& u : sessions->units()) units.push_back(std::move(u));
    if (sessions->followed() != followedUsers_) {
      followedUsers_ = sessions->followed();
      followedUsersChanged_();
    }
  }
  UnitPolicy policy = synthesizeUnitPolicy(units, d, running);
  for (const auto& w : policy.warnings)
    if (said_.first(w)) LOG_WARN("%s", w.c_str());
  unitPreferences_ = std::move(policy.preferences);
  userPreferences_ = std::move(policy.userPreferences);
  return std::move(policy.rulesets.rulesets);
}

}  // namespace unitoomd
