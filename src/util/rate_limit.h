// At most `burst` events per `interval`; what is held back is counted so the
// next allowed message can say how many went unsaid. Pure: the caller
// passes the time.
#pragma once

#include <cstddef>

#include "util/time.h"

namespace unitoomd {

class RateLimit {
 public:
  RateLimit(Duration interval, size_t burst) : interval_(interval), burst_(burst) {}

  // True when this event may be said; `suppressed` gets how many were held
  // back since the last one that was.
  bool allow(TimePoint now, size_t* suppressed = nullptr) {
    if (count_ == 0 || now - windowStart_ >= interval_) {
      windowStart_ = now;
      count_ = 0;
    }
    if (count_ >= burst_) {
      ++held_;
      return false;
    }
    ++count_;
    if (suppressed) *suppressed = held_;
    held_ = 0;
    return true;
  }

 private:
  Duration interval_;
  size_t burst_;
  TimePoint windowStart_{};
  size_t count_ = 0;
  size_t held_ = 0;
};

}  // namespace unitoomd
