// After its SIGKILL a victim can still be throttled by its own memory.high:
// a process caught in memory.high reclaim finishes it before it acts on the
// signal (the kernel's over-high loop goes on while reclaim makes progress),
// and only then exits. The VM lab's hog sat in reclaim_high ->
// shrink_folio_list -> swap writeback until its kill (issue 16). Raising
// the victim's memory.high to "max" once every process in it has been sent
// SIGKILL ends that loop after the batch in hand.
//
// Why it is safe: nothing in the cgroup can run user code again (all of it
// is dying), so the limit protects nothing; memory.max (the hard limit)
// stays. The limit is lifted only for whole-cgroup SIGKILLs, never for a
// stop (the service shuts down its own way) or a kill of one process in a
// scope (the others keep running). A cgroup that outlives the kill (not
// removed by systemd: a delegated subtree's, say) gets its limit back when
// its processes are gone, unless someone wrote another value meanwhile.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "observe/cgroup_fs.h"

namespace unitoomd {

// Pure: the limit in memory.high's contents that a lift would remove and a
// restore would write back; none for "max" or what does not parse.
std::optional<std::string> memoryHighLimit(std::string_view contents);

// Writes "max" to the victim's memory.high; returns the limit it held (none:
// no limit, no memory controller, or the write failed).
std::optional<std::string> liftMemoryHigh(const CgroupDir& victim);
// Writes `limit` back if memory.high still says "max".
void restoreMemoryHigh(const CgroupDir& victim, const std::string& limit);

}  // namespace unitoomd
