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

}  // namespace unitoomd
