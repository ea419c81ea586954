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
#include <utility>

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

  // After each sample, with what it saw: also whether only watching (active
  // for level rules alone: nothing timing, no stall where a stall detector is).
  void sampled(TimePoint now, bool busy, bool watchingOnly) {
    sampled(now, busy);
    lastSample_ = now;
    watchingOnly_ = watchingOnly;
  }
  bool watchingOnly() const { return watchingOnly_; }
  // True at the first idle sample after start or after an active spell:
  // the moment to hand freed heap back (what taking in units, recompiles
  // and a pressure episode freed lies in pages glibc keeps), once, not at
  // every idle sample.
  bool firstIdleSample(TimePoint now) {
    bool idle = !active(now);
    bool first = idle && !idleSampled_;
    idleSampled_ = idle;
    return first;
  }
  // Stall where a stall detector is: back to the short interval. True if
  // that changes when to sample next.
  bool stopWatching() { return std::exchange(watchingOnly_, false); }

  // When to sample next. `quiet`: Engine::quietFor, given when only watching;
  // `plannedWithin`: when a predicting detector (memory_exhaustion) wants its
  // next look, as no trigger fires while free memory is eaten without a stall;
  // `decidesAt`: when a detector timing a duration will have held it
  // (Engine::decidesAt). That sample comes then, not at the next interval:
  // with a 250 ms interval a kill otherwise came up to 250 ms after its
  // duration was over (0.13 s in the VM lab's stalled-manager run).
  struct Next {
    TimePoint at;
    bool precise;  // else sd-event may coalesce the idle wake-up by up to a second
  };
  Next next(TimePoint now, std::optional<Duration> quiet, std::optional<Duration> plannedWithin,
            std::optional<TimePoint> decidesAt = std::nullopt) const {
    TimePoint at = lastSample_ + interval(now, quiet);
    bool planned = false;
    if (plannedWithin) {
      TimePoint soon = lastSample_ + std::max(*plannedWithin, sampleInterval_);
      if (soon < at) at = soon, planned = true;
    }
    // (one already past at the last sample held, and its group did not fire
    // for another reason: the usual interval, not a sample at once, again)
    if (decidesAt && *decidesAt > lastSample_ && *decidesAt < at) at = *decidesAt, planned = true;
    return {std::max(at, now), active(now) || planned};
  }

 private:
  void extend(TimePoint now) {
    if (now + linger_ > activeUntil_) activeUntil_ = now + linger_;
  }
  Duration sampleInterval_, idleInterval_, linger_;
  TimePoint activeUntil_{};
  TimePoint lastSample_{};
  bool watchingOnly_ = false;
  bool idleSampled_ = false;
};

}  // namespace unitoomd
