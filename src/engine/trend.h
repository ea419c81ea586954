// How fast a quantity changes, from the last few samples. Pure: the caller
// hands in (time, value) points; no clock is read.
//
// The slope is Theil-Sen's (the median of the slopes between every pair of
// points), not least squares: one sample taken while the kernel was dropping
// a burst of page cache, or a reading stalled for half a second, moves a
// least-squares line a lot and a median hardly at all.
#pragma once

#include <cstddef>
#include <vector>
#include <optional>

#include "util/time.h"

namespace unitoomd {

struct TrendPoint {
  TimePoint at;
  double value = 0;
};

class Trend {
 public:
  // Points older than `window` before the newest are dropped; at most
  // kMaxPoints are kept (the pairwise median is quadratic). `minPoints`: how
  // many make a slope (at least 2).
  explicit Trend(Duration window, size_t minPoints = 3) : window_(window), minPoints_(minPoints < 2 ? 2 : minPoints) {}

  void add(TimePoint at, double value);
  void clear() { points_.clear(); }
  const std::vector<TrendPoint>& points() const { return points_; }

  // Units of value per second. Nullopt with fewer than `minPoints` points
  // or, with 3 or more asked for, when they span less than a third of the
  // window: too little to tell a trend from noise.
  std::optional<double> slopePerSecond() const {
    auto f = fit();
    return f ? std::optional<double>(f->slopePerSecond) : std::nullopt;
  }

  struct Fit {
    double slopePerSecond = 0;
    // Of all the pairs of points, the share that rise or fall as the slope
    // says (1 for a steady line, about half for noise).
    double agreement = 0;
    // Mann-Kendall's test statistic: below -1.645 the values fall, and
    // noise would look like that in under 5 % of windows (no ties assumed).
    // Four points must all fall; nine may have one wild one among them.
    double mannKendallZ = 0;
  };
  std::optional<Fit> fit() const;
  // Between the last two points only: quick, for "is it falling at all".
  std::optional<double> lastSlopePerSecond() const;

  static constexpr size_t kMaxPoints = 24;

 private:
  Duration window_;
  size_t minPoints_;
  // A vector, not a deque: libstdc++'s deque allocates a 512-byte block
  // even while empty, and every cgroup's history holds a Trend that most
  // never use (1,000 followed units: 0.5 MiB of empty deques). At most
  // kMaxPoints are kept, so trimming the front costs nothing to speak of.
  std::vector<TrendPoint> points_;
};

// Seconds until `room` (bytes left) is gone at `slope` (bytes per second,
// negative when room shrinks). Nullopt when room does not shrink by at least
// `minDeclinePerSecond`: noise is no prediction. 0 when room is already gone.
std::optional<double> secondsUntilExhausted(double room, double slope, double minDeclinePerSecond);

}  // namespace unitoomd
