#include "daemon/signals.h"

#include <signal.h>

#include <tuple>

#include "daemon/guarded.h"
#include "util/event_names.h"

namespace unitoomd {

Signals::Signals(sd_event* event, std::function<void()> reload) : reload_(std::move(reload)) {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  for (auto [signal, handler, name] : {std::tuple<int, sd_event_signal_handler_t, const char*>{SIGTERM, nullptr, "sigterm"},
                                       {SIGINT, nullptr, "sigint"},
                                       {SIGHUP, onSighup, "sighup-reload"}}) {
    sd_event_source* s = nullptr;
    if (sd_event_add_signal(event, &s, signal, handler, handler ? this : nullptr) < 0) continue;  // null: exit code 0
    nameSource(s, name);
    sd_event_source_set_floating(s, 1);
    sd_event_source_unref(s);
  }
}

int Signals::onSighup(sd_event_source* s, const struct signalfd_siginfo*, void* userdata) {
  countWake(s);
  auto* self = static_cast<Signals*>(userdata);
  return guarded("reload", [&] { self->reload_(); });
}

}  // namespace unitoomd
