// While kills are in flight the daemon waits on what ends them instead of
// sampling every rule at a short interval (it took 498 samples in 17 s
// while systemd did not answer): each victim's cgroup.events, which the
// kernel rewrites when `populated` drops to 0 (inotify); systemd's answers
// (wake()); and a timer at the nearest deadline a kill has
// (KillOperation::nextDeadline), capped at kKillWaitBackstop in case an
// inotify event is missed. Whatever fires, `advance` runs: the engine takes
// the paused actions' next step without running a detector.
#pragma once

#include <systemd/sd-event.h>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "act/killer.h"
#include "daemon/oneshot_timer.h"
#include "util/time.h"

namespace unitoomd {

constexpr Duration kKillWaitBackstop = std::chrono::seconds(1);

struct KillWait {
  std::set<std::string> victims;  // cgroup paths whose cgroup.events to watch
  std::optional<TimePoint> wakeAt;
};

// Pure: what to wait on for these kills at `now`.
KillWait planKillWait(const std::vector<const KillOperation*>& kills, TimePoint now);

class KillWatch {
 public:
  KillWatch(sd_event* event, std::string cgroupRoot, std::function<void()> advance);
  ~KillWatch();
  KillWatch(const KillWatch&) = delete;
  KillWatch& operator=(const KillWatch&) = delete;

  // After every sample and every advance: wait on exactly these.
  void follow(const KillWait& wait);
  // Something a kill waits for happened elsewhere (systemd answered): run
  // `advance` from the loop, not from inside the reply's handler.
  void wake();
  void setCgroupRoot(std::string root) { cgroupRoot_ = std::move(root); }
  size_t watched() const { return watches_.size(); }

 private:
  static int onEvent(sd_event_source*, const struct inotify_event*, void* userdata);

  sd_event* event_;
  std::string cgroupRoot_;
  std::map<std::string, sd_event_source*> watches_;  // by victim cgroup
  OneShotTimer timer_;                               // runs `advance`
};

}  // namespace unitoomd
