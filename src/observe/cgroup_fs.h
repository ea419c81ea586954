// The cgroup2 filesystem and /proc, read through directory file descriptors.
// A CgroupDir keeps its directory open, so every read after the first refers
// to the same cgroup even if one of the same name replaces it: identity is
// the directory's inode, never its path alone.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/fd.h"
#include "util/result.h"

namespace unitoomd {

enum class ReadStatus {
  Ok,
  Missing,  // the kernel does not offer this file here (e.g. no memory controller)
  Gone,     // the cgroup itself was removed
  Failed,   // any other error (EACCES, EIO, ...)
};

struct FileRead {
  ReadStatus status = ReadStatus::Failed;
  std::string data;
  int errnum = 0;
  bool ok() const { return status == ReadStatus::Ok; }
};

// A read into the caller's buffer: nothing allocated (the files read at
// every sample of every watched cgroup are a few hundred bytes).
struct SmallRead {
  ReadStatus status = ReadStatus::Failed;
  std::string_view data;
  int errnum = 0;
  bool ok() const { return status == ReadStatus::Ok; }
};

// A cgroup as a glob listed it: its inode is the one the directory listing
// gave, so the cgroup need not be opened to be told apart from a successor.
struct CgroupEntry {
  std::string path;
  uint64_t inode = 0;
};

class KeptFiles;

class CgroupDir {
 public:
  CgroupDir(UniqueFd fd, std::string path, uint64_t inode) : fd_(std::move(fd)), path_(std::move(path)), inode_(inode) {}

  const std::string& path() const { return path_; }  // "/" or "/a.slice/b.service"
  uint64_t inode() const { return inode_; }
  int fd() const { return fd_.get(); }

  FileRead read(const char* name) const;
  Result<void> write(const char* name, std::string_view data) const;
  // True while this directory is still part of the tree.
  bool alive() const;
  // Names of child cgroups (sorted); empty if gone.
  std::vector<std::string> childNames() const;

  std::optional<std::string> getXattr(const char* name) const;
  Result<void> setXattr(const char* name, std::string_view value) const;

 private:
  UniqueFd fd_;
  std::string path_;
  uint64_t inode_;
};

class CgroupFs {
 public:
  // cgroupRoot: mount point of the cgroup2 hierarchy; procRoot: normally
  // /proc; sysRoot: normally /sys (zram's mm_stat).
  CgroupFs(std::string cgroupRoot, std::string procRoot = "/proc", std::string sysRoot = "/sys");
  ~CgroupFs();

  // The cgroup2 mount: /sys/fs/cgroup when it is cgroup2, else the hybrid
  // layout's /sys/fs/cgroup/unified; nullopt when there is none.
  static std::optional<std::string> detectRoot();

  const std::string& root() const { return root_; }
  const std::string& procRoot() const { return procRoot_; }

  // Opens "/a/b" (relative to the root). Null when it does not exist.
  std::shared_ptr<CgroupDir> open(const std::string& path) const;
  // Opens it only if it is still the cgroup with `inode`.
  std::shared_ptr<CgroupDir> open(const std::string& path, uint64_t inode) const;
  // Identity of a path right now (inode), without keeping it open.
  std::optional<uint64_t> inodeOf(const std::string& path) const;

  // oomd-style pattern relative to the root ("system.slice/*", "/"), with
  // shell globs (* ? [...] {a,b}); returns matching cgroup paths, sorted.
  std::vector<std::string> glob(const std::string& pattern) const;
  // The same, with each cgroup's inode from the directory listing (no
  // syscall per match beyond the listing; a literal last component is
  // looked up).
  std::vector<CgroupEntry> globEntries(const std::string& pattern) const;

  // Files kept open between samples (observe/kept_files.h).
  KeptFiles& keptFiles() const { return *kept_; }

  // The kernel may offer the file `name` in cgroups of this hierarchy. Not
  // the memory controller's (memory.current, memory.stat, ...; PSI's
  // memory.pressure is every cgroup's) when the root lists its controllers
  // without memory, as a hybrid layout does (memory bound to cgroup v1):
  // then no cgroup here ever has them, and a sample over 10,000 cgroups
  // would open each directory to find memory.stat missing again.
  bool mayOffer(std::string_view name) const;

  // A file below procRoot: "meminfo", "swaps", "vmstat", "pressure/memory".
  FileRead readProc(const char* relative) const;
  // A file below sysRoot: "block/zram0/mm_stat".
  FileRead readSys(const std::string& relative) const;
  const std::string& sysRoot() const { return sysRoot_; }

  static std::string normalize(std::string_view pattern);  // -> "/x/y" form
  static bool isNormal(std::string_view path);             // already in that form
  std::string absolute(const std::string& path) const;

  // "Say it once" for read failures: true the first time `key` (a cgroup's
  // path and inode, a file, an errno) is seen, so a file failing at every
  // sample gives one log line. Bounded: past kMaxRememberedFailures keys all
  // are forgotten at once (a failure still going on is said once more).
  bool firstFailure(const std::string& key) const;
  static constexpr size_t kMaxRememberedFailures = 1000;

 private:
  std::string root_;
  std::string procRoot_;
  std::string sysRoot_;
  mutable std::set<std::string> saidFailures_;
  std::unique_ptr<KeptFiles> kept_;
  bool memoryController_ = true;
};

// Reads a whole file below dirfd (AT_FDCWD: `name` is a path). EINTR is
// retried (a bounded number of times); ENOENT/ENOTDIR give Missing, ENODEV
// (kernfs: the cgroup was removed under the open file) Gone, others Failed.
FileRead readWholeFile(int dirfd, const char* name);

// The same into `buf`, for files that fit (larger: Failed, EFBIG). With
// `keep`, the open fd is handed over instead of closed.
SmallRead readSmallFile(int dirfd, const char* name, std::span<char> buf, UniqueFd* keep = nullptr);
// Re-reads an open file from offset 0 into `buf` (EINTR retried).
SmallRead preadSmallFile(int fd, std::span<char> buf);

// For tests only: a fault to inject into the next read of (dirfd, name).
// errnum: the read fails as if the syscall had returned it (EINTR, EIO,
// ENOMEM, ENODEV, ENOENT, ...); else data, when set: the read returns these
// bytes (short, truncated, garbage); else the file is read as usual. The hook
// may also change the files (rmdir a cgroup "mid-read"). Unset (the daemon),
// every read costs one test of an empty pointer.
struct ReadFault {
  int errnum = 0;
  std::optional<std::string> data;
};
using ReadFaultHook = std::function<ReadFault(int dirfd, std::string_view name)>;
void setReadFaults(ReadFaultHook hook);  // an empty hook removes it
// While a hook is set, files are not kept open: every read goes through it.
bool readFaultsSet();

// How often readWholeFile tries a read that EINTR interrupted.
inline constexpr int kReadAttempts = 8;

}  // namespace unitoomd
