#include "systemd/bus_loop.h"

#include <poll.h>
#include <sys/epoll.h>

#include <cstring>

#include "util/log.h"
#include "util/event_names.h"

namespace unitoomd {
namespace {

// Messages already read into sd-bus's queue make its timeout 0, so the rest
// of a burst is taken at the next turn of the loop.
constexpr int kMaxMessagesPerDispatch = 64;

}  // namespace

BusLoop::BusLoop(sd_event* event, sd_bus* bus, std::function<void(const std::string&)> onFailure,
                 Priority priority, const std::string& name)
    : event_(event), bus_(bus), onFailure_(std::move(onFailure)), name_(name) {
  sd_event_add_io(event_, &io_, sd_bus_get_fd(bus_), EPOLLIN, onIo, this);
  sd_event_source_set_prepare(io_, onPrepare);
  nameSource(io_, name_ + "-io");
  sd_event_add_time(event_, &timer_, CLOCK_MONOTONIC, UINT64_MAX, 1000, onTime, this);
  nameSource(timer_, name_ + "-timeout");
  sd_event_source_set_enabled(timer_, SD_EVENT_OFF);
  if (priority == Priority::Untrusted) {
    sd_event_source_set_priority(io_, SD_EVENT_PRIORITY_IDLE);
    sd_event_source_set_priority(timer_, SD_EVENT_PRIORITY_IDLE);
  }
  rearm();
}

BusLoop::~BusLoop() {
  if (io_) sd_event_source_disable_unref(io_);
  if (timer_) sd_event_source_disable_unref(timer_);
  if (failure_) sd_event_source_disable_unref(failure_);
}

void BusLoop::rearm() {
  if (failed_) return;
  int pollEvents = sd_bus_get_events(bus_);
  uint64_t timeoutUsec = UINT64_MAX;
  int r = pollEvents < 0 ? pollEvents : sd_bus_get_timeout(bus_, &timeoutUsec);
  if (r < 0) {
    failed(std::string("the bus connection: ") + strerror(-r));
    return;
  }
  uint32_t events = 0;
  if (pollEvents & POLLIN) events |= EPOLLIN;
  if (pollEvents & POLLOUT) events |= EPOLLOUT;
  sd_event_source_set_io_events(io_, events);
  if (timeoutUsec == UINT64_MAX) {
    sd_event_source_set_enabled(timer_, SD_EVENT_OFF);
  } else {
    sd_event_source_set_time(timer_, timeoutUsec);
    sd_event_source_set_enabled(timer_, SD_EVENT_ONESHOT);
  }
}

void BusLoop::process() {
  if (failed_) return;
  // Handlers catch what they throw (bus/call.h, bus/served.h): an error
  // here is the connection's.
  for (int i = 0; i < kMaxMessagesPerDispatch; ++i) {
    int r = sd_bus_process(bus_, nullptr);
    if (r < 0) {
      failed(std::string("processing the bus: ") + strerror(-r));
      return;
    }
    if (r == 0) break;
  }
  rearm();
}

void BusLoop::failed(const std::string& why) {
  if (failed_) return;
  failed_ = true;
  failureWhy_ = why;
  sd_event_source_set_enabled(io_, SD_EVENT_OFF);
  sd_event_source_set_enabled(timer_, SD_EVENT_OFF);
  sd_event_add_defer(event_, &failure_, onDeferredFailure, this);
  nameSource(failure_, name_ + "-failed");
}

int BusLoop::onIo(sd_event_source* s, int, uint32_t revents, void* userdata) {
  countWake(s);
  auto* self = static_cast<BusLoop*>(userdata);
  self->process();
  if (!self->failed_ && (revents & (EPOLLHUP | EPOLLERR))) self->failed("the bus closed the connection");
  return 0;
}

int BusLoop::onTime(sd_event_source* s, uint64_t, void* userdata) {
  countWake(s);
  static_cast<BusLoop*>(userdata)->process();
  return 0;
}

int BusLoop::onPrepare(sd_event_source*, void* userdata) {
  static_cast<BusLoop*>(userdata)->rearm();
  return 0;
}

int BusLoop::onDeferredFailure(sd_event_source* s, void* userdata) {
  auto* self = static_cast<BusLoop*>(userdata);
  sd_event_source_set_enabled(s, SD_EVENT_OFF);
  auto cb = self->onFailure_;
  std::string why = self->failureWhy_;
  cb(why);  // may destroy *self: nothing after this line touches it
  return 0;
}

}  // namespace unitoomd
