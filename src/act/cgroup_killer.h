// Kills a cgroup directly: cgroup.kill where the kernel has it (5.14+), else
// SIGKILL to every process through pidfds, re-reading cgroup.procs a bounded
// number of times to catch forks. Memory is handed back early with
// process_mrelease(). Before the kill, user.oomd_ooms is incremented and
// after it user.oomd_kill grows by the processes killed: systemd reads these
// xattrs and records the unit's result as `oom-kill`.
#pragma once

#include "act/killer.h"

namespace unitoomd {

class CgroupKiller : public Killer {
 public:
  Result<KillOutcome> kill(const CgroupDir& victim, const KillOptions& options) override;
};

// Adds `delta` to a decimal counter xattr (user.oomd_ooms, user.oomd_kill).
void bumpXattrCounter(const CgroupDir& dir, const char* name, unsigned long long delta);

}  // namespace unitoomd
