// How long a kill waits for systemd to answer before killing the cgroup
// itself (SystemdKillTimeoutSec=, 300 ms): what a responsive manager needs
// with room to spare. A manager that has just let a kill's call go past it
// (swapped out, or busy with the very memory events of the hogs) is likely
// to do so again while the pressure lasts: then the next kill waits a
// quarter of it (at least kShortestDeadline), for kSlowFor after the miss,
// or until the manager answers within the shorter wait. The kill still goes
// through systemd first and the report says which call went unanswered; a
// shorter wait only lets cgroup.kill come sooner, and systemd still records
// `oom-kill` (user.oomd_ooms was bumped before the call).
//
// A kill because the whole machine is out of memory (swap and RAM both
// nearly full) gets the shorter wait from its first call: PID 1 is then as
// short of pages as everything else and busy with the throttled units'
// memory events. In the VM lab's swap scenario it sent KillUnit's SIGKILL
// 216-280 ms after the call and answered later or not within 300 ms, while
// systemd-oomd, which kills by itself, had signalled at once (BENCHMARKS.md,
// issue 16). When it does answer quickly there (24 ms seen), the quarter
// (75 ms by default) still leaves it three times that.
//
// Pure: times are handed in.
#pragma once

#include <optional>

#include "util/time.h"

namespace unitoomd {

class ReplyDeadline {
 public:
  static constexpr Duration kShortestDeadline = std::chrono::milliseconds(20);
  static constexpr Duration kSlowFor = std::chrono::seconds(60);

  explicit ReplyDeadline(Duration configured) : configured_(configured) {}
  void setConfigured(Duration d) { configured_ = d; }

  // The wait for a call made at `now`; `machineOutOfMemory`: the kill is
  // for the whole machine running out of memory.
  Duration at(TimePoint now, bool machineOutOfMemory = false) const;
  // The manager answered a call made at `sent`, at `answered`.
  void answered(TimePoint sent, TimePoint answered);
  // A call's wait ended at `now` with no answer.
  void missed(TimePoint now);

 private:
  Duration shortened() const;

  Duration configured_;
  std::optional<TimePoint> missedAt_;
};

}  // namespace unitoomd
