// "How to kill" is one small interface: the engine decides what dies, a
// Killer carries it out. The daemon uses CgroupKiller today; the systemd
// integration routes kills through the unit's manager behind the same seam,
// and tests record instead of killing.
#pragma once

#include <string>

#include "observe/cgroup_fs.h"
#include "util/result.h"

namespace unitoomd {

struct KillOptions {
  bool reapMemory = true;  // process_mrelease() so memory comes back before exit completes
};

struct KillOutcome {
  int processes = 0;        // processes signalled
  std::string method;       // "cgroup.kill", "SIGKILL via pidfd", ...
};

class Killer {
 public:
  virtual ~Killer() = default;
  // Kills everything in `victim`. Never blocks waiting for death: the caller
  // confirms later that the cgroup emptied.
  virtual Result<KillOutcome> kill(const CgroupDir& victim, const KillOptions& options) = 0;
};

}  // namespace unitoomd
