// Confirms that victims die: after a kill, each sample checks whether the
// cgroup emptied, logs how long that took, and reports a victim that is
// still populated after a timeout.
#pragma once

#include <string>
#include <vector>

#include "observe/cgroup_fs.h"
#include "util/time.h"

namespace unitoomd {

class VictimWatch {
 public:
  explicit VictimWatch(Duration timeout = std::chrono::seconds(10)) : timeout_(timeout) {}
  void add(const std::string& path, uint64_t inode, TimePoint killedAt);
  // Returns true while some victim is still being watched.
  bool check(const CgroupFs& fs, TimePoint now);
  bool empty() const { return victims_.empty(); }

 private:
  struct Victim {
    std::string path;
    uint64_t inode;
    TimePoint killedAt;
  };
  Duration timeout_;
  std::vector<Victim> victims_;
};

}  // namespace unitoomd
