// Recompiling a thousand unit rulesets takes tens of milliseconds (seconds
// on a slow, emulated machine), and units that start in bulk change one
// after another: recompile at most so often that it takes a fifth of the
// time, the last change included. Pure: the caller passes the times.
#pragma once

#include <optional>

#include "util/time.h"

namespace unitoomd {

class RecompilePacer {
 public:
  static constexpr int kSpacing = 4;  // idle time after a recompile, in its own cost

  // nullopt: recompile now; else not before then (and then without fail:
  // the change that asked is still to be compiled in).
  std::optional<TimePoint> holdUntil(TimePoint now) const {
    TimePoint earliest = compiledAt_ + kSpacing * cost_;
    return now < earliest ? std::optional(earliest) : std::nullopt;
  }
  void compiled(TimePoint started, TimePoint finished) {
    compiledAt_ = finished;
    cost_ = std::chrono::duration_cast<Duration>(finished - started);
  }

 private:
  TimePoint compiledAt_{};
  Duration cost_{0};
};

}  // namespace unitoomd
