// Runs an sd-bus connection inside our sd-event loop: an io source on the
// bus fd, a timer for sd-bus's own timeouts, and a prepare callback that
// re-reads both before every poll, because a message already read into
// sd-bus's queue would not wake the fd. (sd_bus_attach_event does the same
// but takes one message a wake-up and has no failure callback.)
// A failing connection (bus gone) is reported once, from a deferred event,
// so the owner may destroy the connection safely.
// At most kMaxMessagesPerDispatch messages are handled per wake-up, so a bus
// that floods (a user's own bus may) yields to the loop's other sources; a
// bus that is not trusted runs at idle priority: samples, PSI triggers and
// kills always go first.
#pragma once

#include <systemd/sd-event.h>

#include <functional>
#include <memory>
#include <string>

#include <systemd/sd-bus.h>

namespace unitoomd {

class BusLoop {
 public:
  enum class Priority { Normal, Untrusted };
  BusLoop(sd_event* event, sd_bus* bus, std::function<void(const std::string&)> onFailure,
          Priority priority = Priority::Normal, const std::string& name = "bus");
  ~BusLoop();
  BusLoop(const BusLoop&) = delete;
  BusLoop& operator=(const BusLoop&) = delete;

 private:
  void process();
  void rearm();
  void failed(const std::string& why);

  static int onIo(sd_event_source*, int, uint32_t, void* userdata);
  static int onTime(sd_event_source*, uint64_t, void* userdata);
  static int onPrepare(sd_event_source*, void* userdata);
  static int onDeferredFailure(sd_event_source*, void* userdata);

  sd_event* event_;
  sd_bus* bus_;
  std::function<void(const std::string&)> onFailure_;
  std::string name_;  // its event sources are "<name>-io", "<name>-timeout"
  sd_event_source* io_ = nullptr;
  sd_event_source* timer_ = nullptr;
  sd_event_source* failure_ = nullptr;
  std::string failureWhy_;
  bool failed_ = false;
};

}  // namespace unitoomd
