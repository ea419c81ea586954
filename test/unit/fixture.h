// Fixture cgroup trees: real directories in a temp dir, made from a list of
// files, removed afterwards. The daemon's own filesystem code reads them, so
// tests need neither a kernel feature nor a mock of the filesystem.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "observe/cgroup_fs.h"
#include "util/time.h"

namespace unitoomd::test {

class FixtureTree {
 public:
  FixtureTree() {
    char tmpl[] = "/tmp/unitoomd-fixture-XXXXXX";
    root_ = mkdtemp(tmpl);
    std::filesystem::create_directories(root_ + "/cgroup");
    std::filesystem::create_directories(root_ + "/proc/pressure");
    cgroup("/", {});
  }
  ~FixtureTree() { std::filesystem::remove_all(root_); }

  std::string cgroupRoot() const { return root_ + "/cgroup"; }
  std::string procRoot() const { return root_ + "/proc"; }
  std::string sysRoot() const { return root_ + "/sys"; }
  // A file below sysRoot ("block/zram0/mm_stat").
  void sys(const std::string& name, const std::string& content) {
    std::filesystem::create_directories(std::filesystem::path(sysRoot() + "/" + name).parent_path());
    write(sysRoot() + "/" + name, content);
  }

  // A cgroup directory with cgroup.procs and the given files.
  void cgroup(const std::string& path, const std::map<std::string, std::string>& files) {
    std::string dir = cgroupRoot() + (path == "/" ? "" : path);
    std::filesystem::create_directories(dir);
    if (!std::filesystem::exists(dir + "/cgroup.procs")) write(dir + "/cgroup.procs", "");
    for (const auto& [name, content] : files) write(dir + "/" + name, content);
  }
  void remove(const std::string& path) { std::filesystem::remove_all(cgroupRoot() + path); }
  // Removed and made again under the same path, as a unit restarted: the new
  // directory is made before the old one goes, so its inode differs.
  void recreate(const std::string& path, const std::map<std::string, std::string>& files) {
    cgroup(path + ".new", files);
    remove(path);
    std::filesystem::rename(cgroupRoot() + path + ".new", cgroupRoot() + path);
  }
  void proc(const std::string& name, const std::string& content) { write(procRoot() + "/" + name, content); }

  static void write(const std::string& file, const std::string& content) {
    std::ofstream out(file, std::ios::trunc);
    out << content;
  }

 private:
  std::string root_;
};

// Faults injected into every read while it lives (observe/cgroup_fs.h).
class ScopedReadFaults {
 public:
  explicit ScopedReadFaults(ReadFaultHook hook) { setReadFaults(std::move(hook)); }
  ~ScopedReadFaults() { setReadFaults(nullptr); }
  ScopedReadFaults(const ScopedReadFaults&) = delete;
  ScopedReadFaults& operator=(const ScopedReadFaults&) = delete;
};

// What a directory fd refers to ("/tmp/unitoomd-fixture-X/cgroup/a/b"), for
// a read-fault hook to tell cgroups apart.
inline std::string pathOfFd(int fd) {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/fd/" + std::to_string(fd), ec);
  return ec ? std::string() : p.string();
}

inline std::string psi(double avg10, unsigned long long someTotal, unsigned long long fullTotal, double avg60 = 0) {
  char buf[256];
  snprintf(buf, sizeof buf,
           "some avg10=%.2f avg60=%.2f avg300=0.00 total=%llu\nfull avg10=%.2f avg60=%.2f avg300=0.00 total=%llu\n", avg10, avg60,
           someTotal, avg10, avg60, fullTotal);
  return buf;
}

inline TimePoint at(double seconds) {
  return TimePoint(std::chrono::microseconds(static_cast<long long>(1000e6 + seconds * 1e6)));
}

}  // namespace unitoomd::test
