// Stall over a short window, measured from PSI's cumulative `total` counter.
// avg10 is an exponential average that the kernel refreshes every 2 s, so it
// trails a sudden stall by seconds; the difference of two `total` readings is
// exact for the interval between them.
#pragma once

#include <cstdint>
#include <vector>
#include <optional>

#include "util/time.h"

namespace unitoomd {

struct StallPoint {
  TimePoint at;
  uint64_t someUsec = 0;
  uint64_t fullUsec = 0;
};

enum class StallKind { Some, Full };

// Oldest first. A vector, not a deque: libstdc++'s deque allocates over
// half a KiB even when empty, and a daemon keeps one per resource for every
// cgroup it watches.
using StallHistory = std::vector<StallPoint>;

// Percent of wall time stalled over the latest window of at least `window`:
// from the newest point at least `window` older than the last point. A first
// point with total 0 is a cgroup that had never stalled: the window may then
// reach back before it with zero stall. When the only older point is so old
// (> 3 windows) that the figure would be diluted, or there is none, the
// points within the window are used if they span at least a quarter of it
// (the daemon just woke from idle); otherwise nullopt.
std::optional<double> stallPercent(const StallHistory& history, StallKind kind, Duration window);

// The most stall there can have been over any `window` that ends at the
// last point, knowing only the last two points, when they are further apart
// than the window (a daemon that woke from idle): all of the stall between
// them, packed into the window. nullopt with fewer than two points or when
// the points are closer than the window (stallPercent measures those).
std::optional<double> worstWindowStall(const StallHistory& history, StallKind kind, Duration window);

// The most stall (percent of wall time, some or full) any descendant cgroup
// can have shown over a window in which its ancestor showed
// `ancestorSomePercent` of `some` stall, on `cpus` CPUs. The kernel adds up a
// group's per-CPU stall times weighted by the group's per-CPU non-idle time.
// An ancestor counts every task of its descendants, so on each CPU its stall
// time S and non-idle time C are at least the descendant's s and c, and
// c >= s. Over a window T the descendant's stall is at most max(s) / T, the
// ancestor's at least S * C / (cpus * T * T) >= s^2 / (cpus * T^2), hence
// descendant <= sqrt(cpus * ancestor). The bound is loose when the ancestor
// is busy on other CPUs, exact at zero: a subtree without stall in its
// ancestor has none anywhere.
double descendantStallBound(double ancestorSomePercent, unsigned cpus);

// Appends a point and drops those no window can use any more.
void recordStall(StallHistory& history, StallPoint point, Duration keep);

}  // namespace unitoomd
