#include "daemon/pressure_warnings.h"

#include <algorithm>

#include "desktop/session_words.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

Warning pressureWarning(const RulesetPressure& r) {
  // A predicting ruleset says how long memory lasts, so that applications
  // know how soon to give back what they can.
  std::string reason = r.secondsLeft ? strprintf("memory runs out in about %.0f s at the present rate", *r.secondsLeft)
                                     : std::string("over its limits, timing towards a kill");
  Warning w{Warning::Kind::Pressure, r.name, r.description, std::move(reason), r.secondsLeft, 0};
  // Swap nearly gone, or memory predicted to run out, is closer to the end
  // than a stall: medium, not low. (LowMemoryWarning carries a level only.)
  w.lowMemoryLevel = endsWith(r.name, "/ManagedOOMSwap") || r.secondsLeft ? 100 : 50;
  return w;
}

}  // namespace

std::vector<Warning> PressureWarnings::update(const std::vector<RulesetPressure>& rulesets) {
  std::set<std::string> present, pending;
  for (const auto& r : rulesets) {
    present.insert(r.name);
    if (r.actionPending) pending.insert(r.name);
  }
  std::erase_if(warned_, [&](const std::string& name) { return !present.count(name); });
  std::erase_if(killing_, [&](const std::string& name) { return !pending.count(name); });
  std::vector<Warning> out;
  for (const auto& r : rulesets) {
    // A kill is being carried out: applications that can still give memory
    // back should do it now (critical).
    if (r.actionPending && killing_.insert(r.name).second)
      out.push_back({Warning::Kind::KillUnderway, r.name, r.description, "", std::nullopt, 255});
    bool closing = r.timing && !r.actionPending;
    if (!closing) {
      warned_.erase(r.name);
      continue;
    }
    if (warned_.insert(r.name).second) out.push_back(pressureWarning(r));
  }
  return out;
}

std::vector<uid_t> usersConcerned(const std::vector<std::string>& watchedCgroups, const std::set<uid_t>& followed) {
  std::vector<uid_t> out;
  for (uid_t uid : followed)
    if (std::any_of(watchedCgroups.begin(), watchedCgroups.end(), [&](const std::string& cg) { return concernsUser(cg, uid); }))
      out.push_back(uid);
  return out;
}

}  // namespace unitoomd
