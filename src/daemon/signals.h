// SIGTERM and SIGINT end the event loop (exit code 0); SIGHUP reloads.
// Blocked for the whole process and read by sd-event (signalfd); the
// sources are the loop's own (floating) and named.
#pragma once

#include <systemd/sd-event.h>

#include <functional>

namespace unitoomd {

class Signals {
 public:
  Signals(sd_event* event, std::function<void()> reload);
  Signals(const Signals&) = delete;
  Signals& operator=(const Signals&) = delete;

 private:
  static int onSighup(sd_event_source* s, const struct signalfd_siginfo* si, void* userdata);
  std::function<void()> reload_;
};

}  // namespace unitoomd
