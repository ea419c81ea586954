// Who is told what before a kill, once per episode. Pure: the caller
// passes the rulesets' state after a sample (or a kill's step) and sends
// what comes back (warning_sender).
//
// A ruleset whose detectors are over their limits and timing their duration
// will kill unless pressure falls: applications hear it once (PressureWarning,
// LowMemoryWarning), so that they can free memory first. A kill being carried
// out is the last call (LowMemoryWarning 255). A ruleset that leaves the
// state, or goes away, may warn again when it comes back to it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace unitoomd {

struct RulesetPressure {
  std::string name, description;
  bool timing = false;                // a detector is mid-duration
  bool actionPending = false;         // a kill in flight
  std::optional<double> secondsLeft;  // a predicting detector's estimate
};

struct Warning {
  enum class Kind { KillUnderway, Pressure };
  Kind kind = Kind::Pressure;
  std::string ruleset, description;
  std::string reason;                 // Pressure: why a kill is near
  std::optional<double> secondsLeft;  // Pressure: how long memory lasts, when predicted
  int lowMemoryLevel = 0;             // GLib's LowMemoryWarning: 50 low, 100 medium, 255 critical
};

class PressureWarnings {
 public:
  // Calm rulesets (neither timing nor killing) need not be listed: one not
  // listed is calm or gone, and both forget its episode. With 10,000 unit
  // rulesets, listing every one at every sample cost more than the sample's
  // reads.
  std::vector<Warning> update(const std::vector<RulesetPressure>& rulesets);

 private:
  std::set<std::string> warned_;   // timing towards a kill, PressureWarning sent
  std::set<std::string> killing_;  // a kill in flight, critical LowMemoryWarning sent
};

// The followed users a ruleset watching these cgroups concerns: those whose
// session is in one of them, or contains one ("/": a system-wide detector).
std::vector<uid_t> usersConcerned(const std::vector<std::string>& watchedCgroups, const std::set<uid_t>& followed);

}  // namespace unitoomd
