#include "daemon/memory_lock.h"

#include <linux/capability.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <cstring>

#include "observe/cgroup_fs.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/strings.h"

namespace unitoomd {

// MCL_ONFAULT: a page is locked when first touched, so what is locked is
// what the daemon uses (a few MiB), not everything it maps: whole shared
// libraries, the locale archive, thread stacks and malloc's reserved arenas
// would otherwise be read in and pinned at start. The pages it has used stay
// in RAM, which is what keeps it responsive under pressure.
//
// MCL_FUTURE only when the limit cannot bite: without CAP_IPC_LOCK the kernel
// charges every later mapping's whole size against RLIMIT_MEMLOCK, and once
// it is reached each malloc() that needs a new mapping fails - in the middle
// of a kill, at the worst time. Then only what is mapped now is locked.
MemoryLockPlan planMemoryLock(bool capIpcLock, std::optional<uint64_t> memlockLimit) {
  if (capIpcLock) return {MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT, "CAP_IPC_LOCK"};
  if (!memlockLimit) return {MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT, "no memory lock limit"};
  if (*memlockLimit == 0) return {0, "no CAP_IPC_LOCK and a memory lock limit (LimitMEMLOCK=) of 0"};
  return {MCL_CURRENT | MCL_ONFAULT,
          strprintf("no CAP_IPC_LOCK and a memory lock limit (LimitMEMLOCK=) of %s: only what is mapped now is locked, "
                    "as locking later mappings would make allocations fail once the limit is reached",
                    formatBytes(*memlockLimit).c_str())};
}

namespace {

bool haveCapIpcLock() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  return (data[CAP_IPC_LOCK / 32].effective & (1u << (CAP_IPC_LOCK % 32))) != 0;
}

}  // namespace

int lockMemory() {
  rlimit lim{};
  std::optional<uint64_t> limit;
  if (getrlimit(RLIMIT_MEMLOCK, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) limit = lim.rlim_cur;
  MemoryLockPlan plan = planMemoryLock(haveCapIpcLock(), limit);
  if (plan.flags == 0) {
    LOG_NOTICE("memory not locked (%s): under heavy pressure unitoomd's own pages may be reclaimed", plan.reason.c_str());
    return 0;
  }
  if (mlockall(plan.flags) < 0) {
    LOG_NOTICE("memory not locked (%s; %s): under heavy pressure unitoomd's own pages may be reclaimed", strerror(errno),
               plan.reason.c_str());
    return 0;
  }
  LOG_DEBUG("memory locked as it is used (%s)", plan.reason.c_str());
  return plan.flags;
}

// Unlocking is safe to undo only when every mapping was locked (MCL_FUTURE):
// the plan asks for that only where the memory lock limit cannot bite, so
// locking again cannot fail on it. Under MCL_CURRENT alone the heap grown
// since start was never locked and trims as it is; locking all of it again
// would charge it against the limit.
HeapTrim planHeapTrim(int lockedFlags) { return (lockedFlags & MCL_FUTURE) ? HeapTrim::UnlockAround : HeapTrim::Plain; }

void trimHeap(int lockedFlags) {
  if (planHeapTrim(lockedFlags) == HeapTrim::Plain) {
    malloc_trim(0);
    return;
  }
  if (munlockall() < 0) {
    malloc_trim(0);  // the top at least
    return;
  }
  malloc_trim(0);
  if (mlockall(lockedFlags) < 0)
    LOG_WARN(
        "memory no longer locked after giving freed heap back (%s): under heavy pressure unitoomd's own pages "
        "may be reclaimed",
        strerror(errno));
}

std::optional<uint64_t> residentBytes() {
  FileRead r = readWholeFile(AT_FDCWD, "/proc/self/statm");
  if (!r.ok()) return std::nullopt;
  auto fields = splitBlanks(r.data);
  auto pages = fields.size() >= 2 ? parseUnsigned(fields[1]) : std::nullopt;
  if (!pages) return std::nullopt;
  return *pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

bool grewSinceTrim(std::optional<uint64_t> resident, std::optional<uint64_t> residentAfterTrim, uint64_t slack) {
  return resident && residentAfterTrim && *resident > *residentAfterTrim + slack;
}

bool refuseHugePages() { return prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0; }

}  // namespace unitoomd
