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

// How to hand freed heap back to the kernel under the lock that took effect.
// glibc's malloc_trim gives back free pages inside the heap with
// MADV_DONTNEED, which the kernel refuses on locked mappings (EINVAL): with
// everything locked only the heap's top would go, and the daemon following
// 1,000 units kept an 11 MiB heap resident for 4 MiB in use.
enum class HeapTrim {
  Plain,         // malloc_trim alone: nothing locked, or only what was mapped at start
  UnlockAround,  // munlockall, malloc_trim, mlockall again with the same flags
};
HeapTrim planHeapTrim(int lockedFlags);

// malloc_trim(0) as planned for lockMemory()'s flags. Under UnlockAround the
// pages in use stay resident while unlocked (munlock does not evict) and are
// locked again a few milliseconds later; only the free ones go.
void trimHeap(int lockedFlags);

// What the process holds resident (/proc/self/statm), in bytes.
std::optional<uint64_t> residentBytes();

// Whether an idle sample should hand freed heap back although nothing
// marked activity: the resident size grew by more than `slack` since the
// last trim. Served API calls allocate too: one `unitoomctl dump` of 1,000
// units left 2 MiB more resident in the VM lab, for good. Unknown sizes
// say no.
bool grewSinceTrim(std::optional<uint64_t> resident, std::optional<uint64_t> residentAfterTrim,
                   uint64_t slack = uint64_t{1} << 20);

// No transparent huge pages for this process (PR_SET_THP_DISABLE). Where
// THP is "always" (Debian's kernels, the VM lab's guest), a 2 MiB range of
// the heap with one live page in it is made resident whole, at a fault or
// by khugepaged: the daemon following 1,000 units held a 12 MiB heap
// resident for 4 MiB in use. It walks small structures; it gains nothing
// from huge pages. Returns whether the kernel took it.
bool refuseHugePages();

}  // namespace unitoomd
