// What every connection to a bus that may go away needs: opening the bus a
// BusKind names, and trying again later with a back-off (1 s, doubling, at
// most 30 s) on the sd-event loop, reset once a connection holds.
#pragma once

#include <systemd/sd-event.h>

#include <functional>
#include <memory>

#include <sdbus-c++/sdbus-c++.h>

#include "util/time.h"

namespace unitoomd {

enum class BusKind { System, User };

// Throws sdbus::Error when the bus cannot be reached.
std::unique_ptr<sdbus::IConnection> openBus(BusKind bus);

class Reconnect {
 public:
  Reconnect(sd_event* event, std::function<void()> retry) : event_(event), retry_(std::move(retry)) {}
  ~Reconnect();
  Reconnect(const Reconnect&) = delete;
  Reconnect& operator=(const Reconnect&) = delete;

  void schedule();                                  // retry after the current back-off, then double it
  void succeeded() { backoff_ = kFirstBackoff; }    // the next failure starts again at 1 s

 private:
  static constexpr Duration kFirstBackoff = std::chrono::seconds(1);
  static constexpr Duration kMaxBackoff = std::chrono::seconds(30);
  static int onTimer(sd_event_source*, uint64_t, void* userdata);

  sd_event* event_;
  std::function<void()> retry_;
  sd_event_source* timer_ = nullptr;
  Duration backoff_ = kFirstBackoff;
};

}  // namespace unitoomd
