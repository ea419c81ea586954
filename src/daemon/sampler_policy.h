// When to sample. Pure: the caller passes the time and what happened.
//
// Idle: the daemon sleeps on PSI triggers and a slow timer (idleInterval).
// A trigger firing makes it active: it samples every sampleInterval while
// stall persists or a rule is timing something (e.g. "above for 30 s"), and
// goes back to sleep once both have been quiet for `linger`.
//
// Watching: active only because memory is short system-wide (the wake
// trigger of rule groups that follow levels, such as swap use, rather than
// stall) while nothing is timing, the daemon samples as often as those
// groups need: when the time they say they cannot fire in (Engine::quietFor)
// is up, at least every sampleInterval, at most every kWatchInterval. A
// machine short of memory for minutes stalls a little all the time; sampling
// it four times a second the whole while took CPU from the very tasks that
// filled swap (the VM lab's swap scenario).
#pragma once

#include <algorithm>
#include <optional>
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
  // `quiet`: given when only watching (see above).
  Duration interval(TimePoint now, std::optional<Duration> quiet) const {
    if (!active(now) || !quiet) return interval(now);
    return std::clamp(*quiet, sampleInterval_, std::max(sampleInterval_, kWatchInterval));
  }
  static constexpr Duration kWatchInterval = std::chrono::seconds(1);

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
// wakeOnly: armed only to wake rule groups without a stall detector (no
// detector measures stall there): it starts sampling, and its window may be
// long (kWakeOnlyWindow), as they act on levels that take seconds to fill.
struct TriggerSpec {
  std::string cgroup;  // "/" means /proc/pressure
  Resource resource = Resource::Memory;
  double wakePercent = 0;
  bool wakeOnly = false;
  bool operator==(const TriggerSpec&) const = default;
};
constexpr Duration kWakeOnlyWindow = std::chrono::seconds(2);

std::vector<TriggerSpec> planTriggers(const std::vector<WakeSource>& sources, bool needSystemWake);

}  // namespace unitoomd
