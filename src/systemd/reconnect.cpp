#include "systemd/reconnect.h"

#include <algorithm>

namespace unitoomd {

std::unique_ptr<sdbus::IConnection> openBus(BusKind bus) {
  return bus == BusKind::System ? sdbus::createSystemBusConnection() : sdbus::createSessionBusConnection();
}

Reconnect::~Reconnect() {
  if (timer_) sd_event_source_disable_unref(timer_);
}

void Reconnect::schedule() {
  uint64_t now = 0;
  sd_event_now(event_, CLOCK_MONOTONIC, &now);
  uint64_t when = now + static_cast<uint64_t>(backoff_.count());
  if (!timer_) sd_event_add_time(event_, &timer_, CLOCK_MONOTONIC, when, 100000, onTimer, this);
  else sd_event_source_set_time(timer_, when);
  sd_event_source_set_enabled(timer_, SD_EVENT_ONESHOT);
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
}

int Reconnect::onTimer(sd_event_source*, uint64_t, void* userdata) {
  static_cast<Reconnect*>(userdata)->retry_();
  return 0;
}

}  // namespace unitoomd
