// Cgroup files kept open between samples. A sample that reads thousands of
// cgroups pays open+close and the path walk for each file; a kept fd re-read
// with pread at offset 0 costs one syscall (kernfs seq files regenerate their
// text when read from offset 0). Keyed by the cgroup's inode, so a cgroup
// removed and recreated under its name is a new key; the old fd reads ENODEV
// (Gone) and is closed.
//
// Bounded: each kept file holds an fd and about 4-6 KiB of kernel memory (the
// seq_file buffer), so at most `budget` are kept; past it reads fall back to
// open/read/close instead of evicting (a sample cycles through all its
// cgroups, which an LRU would turn into misses only). Files unused for
// kIdleSamples samples are closed, so what a pressured sample opened goes
// once the rules stop reading it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "observe/cgroup_fs.h"

namespace unitoomd {

class KeptFiles {
 public:
  // budget: how many fds at most; defaultBudget() when none is given.
  KeptFiles();
  explicit KeptFiles(size_t budget) : budget_(budget) {}
  ~KeptFiles();
  KeptFiles(const KeptFiles&) = delete;
  KeptFiles& operator=(const KeptFiles&) = delete;

  // Half the open file limit (the daemon raises it to the hard limit), at
  // most kMaxBudget.
  static size_t defaultBudget();
  // Half of what the open file limit leaves beside `heldElsewhere` fds that
  // live as long (PSI triggers: one a unit with a pressure rule, 10,000 of
  // them and 10,000 kept files passed this host's hard limit of 20,000), at
  // most kMaxBudget. The other half is for what a sample opens and closes
  // (cgroup directories, files past the budget) and the rest of the daemon.
  static size_t budgetFor(uint64_t openFileLimit, size_t heldElsewhere);
  static size_t budgetBeside(size_t heldElsewhere);
  static constexpr size_t kMaxBudget = 16384;
  static constexpr uint64_t kIdleSamples = 8;

  void setBudget(size_t budget);
  size_t budget() const { return budget_; }
  size_t size() const { return files_.size(); }

  // Marks a new sample: files unused for kIdleSamples are closed.
  void newSample();

  // Reads `name` of the cgroup with `inode` into buf. On a first read the
  // file is opened below `dirfd()` (a callable returning the cgroup's
  // directory fd, or -1 when the cgroup is gone) and kept if the budget
  // allows. Data past buf's size: ReadStatus::Failed with EFBIG (callers use
  // CgroupDir::read for files that large).
  template <typename DirFd>
  SmallRead read(uint64_t inode, const char* name, std::span<char> buf, DirFd&& dirfd) {
    if (int fd = find(inode, name); fd >= 0) return readKept(inode, name, fd, buf);
    return readNew(inode, name, buf, dirfd());
  }

 private:
  struct Key {
    uint64_t inode;
    uint32_t name;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return std::hash<uint64_t>()(k.inode * 31 + k.name); }
  };
  struct Entry {
    int fd;
    uint64_t lastUsed;
  };

  uint32_t nameId(const char* name);
  int find(uint64_t inode, const char* name);
  SmallRead readKept(uint64_t inode, const char* name, int fd, std::span<char> buf);
  SmallRead readNew(uint64_t inode, const char* name, std::span<char> buf, int dirfd);
  void close(const Key& key);
  void closeIdle(uint64_t idleSince);

  size_t budget_;
  uint64_t sample_ = 0;
  std::vector<std::string> names_;  // the few file names read; their index is the key's
  std::unordered_map<Key, Entry, KeyHash> files_;
};

}  // namespace unitoomd
