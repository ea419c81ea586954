// Kills a cgroup directly: cgroup.kill where the kernel has it (5.14+), else
// SIGKILL to every process through pidfds, re-reading cgroup.procs a bounded
// number of times to catch forks. Memory is handed back early with
// process_mrelease() off the loop (act/memory_reaper.h), and the victim's
// memory.high is lifted (act/memory_high_lift.h). Before the kill, user.oomd_ooms is incremented and
// after it user.oomd_kill grows by the processes killed: systemd reads these
// xattrs and records the unit's result as `oom-kill`.
//
// This is the killer for cgroups no unit owns (inside a delegated subtree),
// for the standalone daemon, and the fallback while systemd is unreachable.
// It cannot stop or restart: those methods need systemd, so it kills.
#pragma once

#include "act/killer.h"
#include "util/result.h"

namespace unitoomd {

struct CgroupKillOutcome {
  int processes = 0;   // processes signalled
  std::string method;  // "cgroup.kill", "SIGKILL via pidfd"
};

// The synchronous kill itself (never waits for death). `countOom`: add to
// user.oomd_ooms first (false when a kill through systemd already did).
Result<CgroupKillOutcome> killCgroup(const CgroupDir& victim, const KillOptions& options, bool countOom = true);

// pidfds of the processes in a cgroup and its descendants, taken before a
// signal so that their memory can be released after it (act/memory_reaper.h).
std::vector<UniqueFd> pidfdsOf(const std::set<int>& pids);

// An operation whose signal was sent when it was created.
class DirectKill : public KillOperation {
 public:
  using KillOperation::KillOperation;
  void failWith(std::string why) { fail(std::move(why)); }
  void killed(TimePoint at, std::string method, int processes) { signalled(at, std::move(method), processes); }
};

class CgroupKiller : public Killer {
 public:
  std::unique_ptr<KillOperation> start(const CgroupFs& fs, const KillTarget& victim, const KillOptions& options,
                                       TimePoint now) override;
};

// Adds `delta` to a decimal counter xattr (user.oomd_ooms, user.oomd_kill).
void bumpXattrCounter(const CgroupDir& dir, const char* name, unsigned long long delta);

}  // namespace unitoomd
