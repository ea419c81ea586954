// A named CLOCK_MONOTONIC timer that fires once per at(): the sample timer
// and the held-back unit recompile. Its callback runs guarded.
#pragma once

#include <systemd/sd-event.h>

#include <functional>
#include <string>

#include "util/time.h"

namespace unitoomd {

class OneShotTimer {
 public:
  OneShotTimer(sd_event* event, std::string name, std::function<void()> fired);
  ~OneShotTimer();
  OneShotTimer(const OneShotTimer&) = delete;
  OneShotTimer& operator=(const OneShotTimer&) = delete;

  // Fire once at `when` (moving a pending one); sd-event may coalesce the
  // wake-up with others within `accuracyUsec`.
  void at(TimePoint when, uint64_t accuracyUsec = 1000);
  void cancel();
  bool pending() const;

 private:
  static int onTimer(sd_event_source* s, uint64_t usec, void* userdata);

  sd_event* event_;
  std::string name_;
  std::function<void()> fired_;
  sd_event_source* source_ = nullptr;
};

}  // namespace unitoomd
