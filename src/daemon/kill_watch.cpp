#include "daemon/kill_watch.h"

#include <sys/inotify.h>

#include <algorithm>
#include <cstring>

#include "util/event_names.h"
#include "util/log.h"

namespace unitoomd {

KillWait planKillWait(const std::vector<const KillOperation*>& kills, TimePoint now) {
  KillWait w;
  for (const KillOperation* op : kills) {
    if (!op || op->state() != KillState::Pending) continue;
    w.victims.insert(op->victim().path);
    TimePoint at = op->nextDeadline().value_or(now + kKillWaitBackstop);
    w.wakeAt = w.wakeAt ? std::min(*w.wakeAt, at) : at;
  }
  if (w.wakeAt) w.wakeAt = std::min(*w.wakeAt, now + kKillWaitBackstop);
  return w;
}

KillWatch::KillWatch(sd_event* event, std::string cgroupRoot, std::function<void()> advance)
    : event_(event), cgroupRoot_(std::move(cgroupRoot)), timer_(event, "kill-step-timer", std::move(advance)) {}

KillWatch::~KillWatch() {
  for (auto& [path, source] : watches_) sd_event_source_disable_unref(source);
}

void KillWatch::follow(const KillWait& wait) {
  for (auto it = watches_.begin(); it != watches_.end();) {
    if (wait.victims.count(it->first)) {
      ++it;
      continue;
    }
    sd_event_source_disable_unref(it->second);
    it = watches_.erase(it);
  }
  for (const auto& victim : wait.victims) {
    if (watches_.count(victim)) continue;
    std::string file = cgroupRoot_ + (victim == "/" ? "" : victim) + "/cgroup.events";
    sd_event_source* source = nullptr;
    int r = sd_event_add_inotify(event_, &source, file.c_str(), IN_MODIFY | IN_DELETE_SELF, onEvent, this);
    // Gone already, or no inotify left: the timer still brings the next step.
    if (r < 0) LOG_DEBUG("not watching %s: %s", file.c_str(), strerror(-r));
    else {
      nameSource(source, "kill-watch:" + victim);
      watches_[victim] = source;
    }
  }
  if (wait.wakeAt) timer_.at(*wait.wakeAt);
  else timer_.cancel();
}

void KillWatch::wake() { timer_.at(Clock::now()); }

int KillWatch::onEvent(sd_event_source* s, const struct inotify_event*, void* userdata) {
  countWake(s);
  auto* self = static_cast<KillWatch*>(userdata);
  self->wake();  // not at once: a teardown may rewrite cgroup.events several times
  return 0;
}

}  // namespace unitoomd
