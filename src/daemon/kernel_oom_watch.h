// Kernel OOM kills in the cgroups the rulesets watch, reported beside
// unitoomd's own kills so that one place lists every out-of-memory kill.
// Event-driven: the kernel signals a change of memory.events through inotify;
// its oom_kill counter (hierarchical) says how many processes died. Where
// the file does not exist (no memory controller) there is nothing to watch.
#pragma once

#include <systemd/sd-event.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "observe/cgroup_fs.h"
#include "util/time.h"

namespace unitoomd {

class KernelOomWatch {
 public:
  // unitOf: the unit owning exactly this cgroup, or "". onKills: told of
  // each report too (cgroup, unit, processes killed), to tell the user.
  using OnKills = std::function<void(const std::string& cgroup, const std::string& unit, uint64_t died)>;
  KernelOomWatch(sd_event* event, std::function<std::string(const std::string&)> unitOf, OnKills onKills = {})
      : event_(event), unitOf_(std::move(unitOf)), onKills_(std::move(onKills)) {}
  ~KernelOomWatch();
  KernelOomWatch(const KernelOomWatch&) = delete;
  KernelOomWatch& operator=(const KernelOomWatch&) = delete;

  // Watches exactly these cgroups ("/" is skipped: the root has no memory.events).
  void watch(const CgroupFs& fs, const std::set<std::string>& cgroups);
  // Reads every counter and reports what grew (also a backstop for missed events).
  void check();
  // check() at most once per kBackstopEvery, for the idle sample: sd-event
  // hands an inotify queue overflow to every watch, so a missed event is a
  // kernel bug, and reading 1,000 units' memory.events at every idle
  // sample would cost more than the watching.
  static constexpr std::chrono::minutes kBackstopEvery{10};
  void checkIfDue(TimePoint now);
  // Processes the kernel killed in the watched cgroups since start.
  uint64_t killsSeen() const { return killsSeen_; }

 private:
  struct Watched {
    sd_event_source* source = nullptr;
    std::shared_ptr<CgroupDir> dir;  // read through the directory fd: this cgroup, not a namesake
    uint64_t oomKills = 0;
  };
  static std::optional<uint64_t> readOomKills(const CgroupDir& dir);
  void check(const std::string& cgroup, Watched& w);
  static int onChange(sd_event_source*, const struct inotify_event*, void* userdata);

  sd_event* event_;
  std::function<std::string(const std::string&)> unitOf_;
  OnKills onKills_;
  std::map<std::string, Watched> watched_;
  uint64_t killsSeen_ = 0;
  std::optional<TimePoint> checkedAt_;
};

}  // namespace unitoomd
