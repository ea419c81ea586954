#pragma once

#include <chrono>
#include <string>

namespace unitoomd {

// All engine time is CLOCK_MONOTONIC, passed in by the caller: the pure parts
// never read a clock themselves, so tests drive time by hand.
using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = std::chrono::microseconds;

inline double toSeconds(Duration d) { return std::chrono::duration<double>(d).count(); }
inline Duration fromSeconds(double s) { return Duration(static_cast<long long>(s * 1e6)); }
inline TimePoint fromUsec(unsigned long long usec) { return TimePoint(std::chrono::microseconds(usec)); }
inline unsigned long long toUsec(TimePoint t) {
  return static_cast<unsigned long long>(std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count());
}

// "250ms", "2.5s", "1min 30s"
std::string formatDuration(Duration d);

}  // namespace unitoomd
