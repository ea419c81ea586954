// When to sample. Pure: the caller passes the time and what happened.
//
// Idle: the daemon sleeps on PSI triggers and a slow timer (idleInterval).
// A trigger firing makes it active: it samples every sampleInterval while
// stall persists or a rule is timing something (e.g. "above for 30 s"), and
// goes back to sleep once both have been quiet for `linger`.
#pragma once

#include <string>
#include <vector>

#include "engine/plugin.h"
#include "util/time.h"

namespace unitoomd {

class SamplerPolicy {
 public:
  SamplerPolicy(Duration sampleInterval, Duration idleInterval, Duration linger)
      : sampleInterval_(sampleInterval), idleInterval_(idleInterval), linger_(linger) {}

  void triggerFired(TimePoint now) { extend(now); }
  // After each sample: `busy` = a rule is timing, or stall is still at or
  // above a wake threshold somewhere.
  void sampled(TimePoint now, bool busy) {
    if (busy) extend(now);
  }
  bool active(TimePoint now) const { return now < activeUntil_; }
  Duration interval(TimePoint now) const { return active(now) ? sampleInterval_ : idleInterval_; }

 private:
  void extend(TimePoint now) {
    if (now + linger_ > activeUntil_) activeUntil_ = now + linger_;
  }
  Duration sampleInterval_, idleInterval_, linger_;
  TimePoint activeUntil_{};
};

// The triggers to arm: one per (cgroup, resource), at the lowest wake
// threshold any detector needs there. A detector wakes us well before its
// own limit: at half its threshold, at most 5 %, at least 1 % of the window.
struct TriggerSpec {
  std::string cgroup;  // "/" means /proc/pressure
  Resource resource = Resource::Memory;
  double wakePercent = 0;
  bool operator==(const TriggerSpec&) const = default;
};

std::vector<TriggerSpec> planTriggers(const std::vector<WakeSource>& sources, bool needSystemWake);

}  // namespace unitoomd
