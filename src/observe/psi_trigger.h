// PSI triggers: the kernel wakes us (POLLPRI) when a pressure file sees at
// least `stall` of stall within a `window`. One trigger per open fd; closing
// the fd removes it; POLLERR means the cgroup is gone.
#pragma once

#include <string>

#include "observe/pressure_window.h"
#include "util/fd.h"
#include "util/result.h"
#include "util/time.h"

namespace unitoomd {

// Without CAP_SYS_RESOURCE the kernel only accepts windows that are
// multiples of 2 s; with it, windows down to 500 ms (less on 6.5+).
bool haveCapSysResource();
Duration triggerWindowFor(bool privileged);

Result<UniqueFd> armPsiTrigger(const std::string& pressureFile, StallKind kind, Duration stall, Duration window);

}  // namespace unitoomd
