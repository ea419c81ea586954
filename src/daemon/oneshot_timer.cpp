#include "daemon/oneshot_timer.h"

#include "daemon/guarded.h"
#include "util/event_names.h"

namespace unitoomd {

OneShotTimer::OneShotTimer(sd_event* event, std::string name, std::function<void()> fired)
    : event_(event), name_(std::move(name)), fired_(std::move(fired)) {}

OneShotTimer::~OneShotTimer() {
  if (source_) sd_event_source_disable_unref(source_);
}

void OneShotTimer::at(TimePoint when, uint64_t accuracyUsec) {
  if (!source_) {
    if (sd_event_add_time(event_, &source_, CLOCK_MONOTONIC, toUsec(when), accuracyUsec, onTimer, this) < 0) return;
    nameSource(source_, name_);
  } else {
    sd_event_source_set_time(source_, toUsec(when));
    sd_event_source_set_time_accuracy(source_, accuracyUsec);
  }
  sd_event_source_set_enabled(source_, SD_EVENT_ONESHOT);
}

void OneShotTimer::cancel() {
  if (source_) sd_event_source_set_enabled(source_, SD_EVENT_OFF);
}

bool OneShotTimer::pending() const { return source_ && sd_event_source_get_enabled(source_, nullptr) > 0; }

int OneShotTimer::onTimer(sd_event_source* s, uint64_t, void* userdata) {
  countWake(s);
  auto* self = static_cast<OneShotTimer*>(userdata);
  return guarded(self->name_.c_str(), [&] { self->fired_(); });
}

}  // namespace unitoomd
