// Keeping the daemon's own pages in RAM while it fights for memory.
//
// planMemoryLock is pure: it says which mlockall() flags are safe for the
// process's privileges and limit. lockMemory does it, and logs what it did.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace unitoomd {

struct MemoryLockPlan {
  int flags = 0;       // for mlockall(); 0: do not lock
  std::string reason;  // for the log: why these flags
};

// capIpcLock: CAP_IPC_LOCK is effective. memlockLimit: RLIMIT_MEMLOCK in
// bytes, nullopt when unlimited.
MemoryLockPlan planMemoryLock(bool capIpcLock, std::optional<uint64_t> memlockLimit);

// mlockall() as planned; returns the flags that took effect (0: none).
int lockMemory();

// No transparent huge pages for this process (PR_SET_THP_DISABLE). Where
// THP is "always" (Debian's kernels, the VM lab's guest), a 2 MiB range of
// the heap with one live page in it is made resident whole, at a fault or
// by khugepaged: the daemon following 1,000 units held a 12 MiB heap
// resident for 4 MiB in use. It walks small structures; it gains nothing
// from huge pages. Returns whether the kernel took it.
bool refuseHugePages();

}  // namespace unitoomd
