// Freezing and thawing a cgroup (cgroup.freeze), and the on-disk record of
// every freeze in flight (one file a frozen cgroup, in a directory only
// root can write: /run/unitoomd/frozen for the system instance), so that a
// daemon started after a crash, and the unit's ExecStopPost= (`unitoomd
// --thaw-frozen`), thaw what was left frozen. cgroup.freeze rather than
// systemd's FreezeUnit: the user's manager is untrusted and may not answer,
// and a thaw must work when no bus does.
#pragma once

#include <string>
#include <vector>

#include "desktop/ask_policy.h"
#include "observe/cgroup_fs.h"
#include "util/result.h"

namespace unitoomd {

class FreezeStore {
 public:
  explicit FreezeStore(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }

  Result<void> record(const FreezeRecord& r);  // written whole (temp file, rename) before the freeze
  void forget(uint64_t inode);
  std::vector<FreezeRecord> recorded(Diagnostics& diags) const;

 private:
  std::string dir_;
};

// Writes cgroup.freeze of `path`, if it is still the cgroup `inode`.
Result<void> setFrozen(const CgroupFs& fs, const std::string& path, uint64_t inode, bool frozen);

// Thaws every recorded cgroup that is still the one frozen and forgets every
// record; logs each thaw. Returns how many were thawed.
int thawRecorded(const CgroupFs& fs, FreezeStore& store, const char* who);

}  // namespace unitoomd
