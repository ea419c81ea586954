// Runs an sdbus-c++ 1.2.0 connection inside our sd-event loop (1.2.0 has no
// attachSdEventLoop): an io source on the bus fd, a timer for sd-bus's own
// timeouts, and a prepare callback that re-reads both before every poll,
// because a message already read into sd-bus's queue would not wake the fd.
// A failing connection (bus gone) is reported once, from a deferred event,
// so the owner may destroy the connection safely.
#pragma once

#include <systemd/sd-event.h>

#include <functional>
#include <memory>
#include <string>

#include <sdbus-c++/sdbus-c++.h>

namespace unitoomd {

class BusLoop {
 public:
  BusLoop(sd_event* event, sdbus::IConnection& connection, std::function<void(const std::string&)> onFailure);
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
  sdbus::IConnection& connection_;
  std::function<void(const std::string&)> onFailure_;
  sd_event_source* io_ = nullptr;
  sd_event_source* timer_ = nullptr;
  sd_event_source* failure_ = nullptr;
  std::string failureWhy_;
  bool failed_ = false;
};

}  // namespace unitoomd
