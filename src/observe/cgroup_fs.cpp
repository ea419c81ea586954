#include "observe/cgroup_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "observe/kept_files.h"
#include "util/strings.h"

namespace unitoomd {

namespace {

ReadFaultHook* gReadFaults = nullptr;  // tests only (setReadFaults)

ReadStatus statusOf(int errnum) {
  if (errnum == ENOENT || errnum == ENOTDIR) return ReadStatus::Missing;
  // kernfs returns ENODEV when the cgroup was removed under an open file
  if (errnum == ENODEV) return ReadStatus::Gone;
  return ReadStatus::Failed;
}

FileRead failed(int errnum) {
  FileRead out;
  out.errnum = errnum;
  out.status = statusOf(errnum);
  return out;
}

SmallRead smallFailed(int errnum) { return SmallRead{statusOf(errnum), {}, errnum}; }

// Reads from offset 0 until EOF or buf is full (EFBIG: the file is larger).
SmallRead preadOnce(int fd, std::span<char> buf) {
  size_t have = 0;
  for (;;) {
    ssize_t n = ::pread(fd, buf.data() + have, buf.size() - have, static_cast<off_t>(have));
    if (n < 0) return smallFailed(errno);
    if (n == 0) break;
    have += static_cast<size_t>(n);
    if (have == buf.size()) return smallFailed(EFBIG);
  }
  return SmallRead{ReadStatus::Ok, std::string_view(buf.data(), have), 0};
}

SmallRead readSmallOnce(int dirfd, const char* name, std::span<char> buf, UniqueFd* keep) {
  if (gReadFaults) {
    ReadFault f = (*gReadFaults)(dirfd, name);
    if (f.errnum) return smallFailed(f.errnum);
    if (f.data) {
      if (f.data->size() >= buf.size()) return smallFailed(EFBIG);
      std::copy(f.data->begin(), f.data->end(), buf.begin());
      return SmallRead{ReadStatus::Ok, std::string_view(buf.data(), f.data->size()), 0};
    }
  }
  int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return smallFailed(errno);
  UniqueFd guard(fd);
  SmallRead r = preadOnce(fd, buf);
  if (keep && r.ok()) *keep = std::move(guard);
  return r;
}

FileRead readOnce(int dirfd, const char* name) {
  if (gReadFaults) {
    ReadFault f = (*gReadFaults)(dirfd, name);
    if (f.errnum) return failed(f.errnum);
    if (f.data) return FileRead{ReadStatus::Ok, std::move(*f.data), 0};
  }
  FileRead out;
  int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return failed(errno);
  UniqueFd guard(fd);
  char buf[8192];
  constexpr size_t kMaxSize = 4 << 20;  // no kernel file we read is near this; stop hostile input
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) return failed(errno);  // EINTR included: the whole file is read again
    if (n == 0) break;
    out.data.append(buf, static_cast<size_t>(n));
    if (out.data.size() > kMaxSize) return failed(EFBIG);
  }
  out.status = ReadStatus::Ok;
  return out;
}

}  // namespace

void setReadFaults(ReadFaultHook hook) {
  static ReadFaultHook installed;
  installed = std::move(hook);
  gReadFaults = installed ? &installed : nullptr;
}

FileRead readWholeFile(int dirfd, const char* name) {
  FileRead r = readOnce(dirfd, name);
  for (int attempt = 1; r.errnum == EINTR && attempt < kReadAttempts; ++attempt) r = readOnce(dirfd, name);
  return r;
}

SmallRead readSmallFile(int dirfd, const char* name, std::span<char> buf, UniqueFd* keep) {
  SmallRead r = readSmallOnce(dirfd, name, buf, keep);
  for (int attempt = 1; r.errnum == EINTR && attempt < kReadAttempts; ++attempt) r = readSmallOnce(dirfd, name, buf, keep);
  return r;
}

SmallRead preadSmallFile(int fd, std::span<char> buf) {
  SmallRead r = preadOnce(fd, buf);
  for (int attempt = 1; r.errnum == EINTR && attempt < kReadAttempts; ++attempt) r = preadOnce(fd, buf);
  return r;
}

bool readFaultsSet() { return gReadFaults != nullptr; }

FileRead CgroupDir::read(const char* name) const {
  FileRead r = readWholeFile(fd_.get(), name);
  if (r.status == ReadStatus::Missing && !alive()) r.status = ReadStatus::Gone;
  return r;
}

Result<void> CgroupDir::write(const char* name, std::string_view data) const {
  int fd = openat(fd_.get(), name, O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return Error{errno, strprintf("open %s/%s", path_.c_str(), name)};
  UniqueFd guard(fd);
  ssize_t n = ::write(fd, data.data(), data.size());
  if (n < 0) return Error{errno, strprintf("write %s/%s", path_.c_str(), name)};
  return {};
}

bool CgroupDir::alive() const {
  // cgroup.procs exists in every cgroup2 directory; a removed directory's
  // fd no longer resolves any name.
  return faccessat(fd_.get(), "cgroup.procs", F_OK, 0) == 0;
}

std::vector<std::string> CgroupDir::childNames() const {
  std::vector<std::string> out;
  int dup = openat(fd_.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup < 0) return out;
  DIR* d = fdopendir(dup);
  if (!d) {
    ::close(dup);
    return out;
  }
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    bool isDir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st;
      isDir = fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    }
    if (isDir) out.emplace_back(e->d_name);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::string> CgroupDir::getXattr(const char* name) const {
  char buf[256];
  ssize_t n = fgetxattr(fd_.get(), name, buf, sizeof buf);
  if (n < 0) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

Result<void> CgroupDir::setXattr(const char* name, std::string_view value) const {
  if (fsetxattr(fd_.get(), name, value.data(), value.size(), 0) < 0)
    return Error{errno, strprintf("setxattr %s on %s", name, path_.c_str())};
  return {};
}

CgroupFs::CgroupFs(std::string cgroupRoot, std::string procRoot, std::string sysRoot)
    : root_(std::move(cgroupRoot)),
      procRoot_(std::move(procRoot)),
      sysRoot_(std::move(sysRoot)),
      kept_(std::make_unique<KeptFiles>()) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  // No list (a fixture tree, say): nothing is ruled out.
  FileRead controllers = readWholeFile(AT_FDCWD, (root_ + "/cgroup.controllers").c_str());
  if (controllers.ok()) {
    memoryController_ = false;
    for (auto word : splitBlanks(controllers.data))
      if (word == "memory") memoryController_ = true;
  }
}

bool CgroupFs::mayOffer(std::string_view name) const {
  if (memoryController_ || !name.starts_with("memory.")) return true;
  return name == "memory.pressure";
}

CgroupFs::~CgroupFs() = default;

std::optional<std::string> CgroupFs::detectRoot() {
  for (const char* candidate : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
    std::string probe = std::string(candidate) + "/cgroup.procs";
    std::string ctl = std::string(candidate) + "/cgroup.controllers";  // only cgroup2 has this
    if (access(probe.c_str(), F_OK) == 0 && access(ctl.c_str(), F_OK) == 0) return std::string(candidate);
  }
  return std::nullopt;
}

bool CgroupFs::isNormal(std::string_view path) {
  if (path.empty() || path[0] != '/') return false;
  if (path.size() == 1) return true;
  if (path.back() == '/') return false;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    if (path[i] != '/') continue;
    std::string_view next = path.substr(i + 1);
    if (next[0] == '/' || next == "." || next.starts_with("./")) return false;
  }
  return true;
}

std::string CgroupFs::normalize(std::string_view pattern) {
  if (isNormal(pattern)) return std::string(pattern);
  std::string out = "/";
  for (auto part : split(pattern, '/')) {
    if (part.empty() || part == ".") continue;
    if (out.size() > 1) out += '/';
    out += part;
  }
  return out;
}

std::string CgroupFs::absolute(const std::string& path) const { return path == "/" ? root_ : root_ + path; }

std::shared_ptr<CgroupDir> CgroupFs::open(const std::string& path) const {
  std::string abs = absolute(normalize(path));
  int fd = ::open(abs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st;
  if (fstat(fd, &st) < 0) {
    ::close(fd);
    return nullptr;
  }
  return std::make_shared<CgroupDir>(UniqueFd(fd), normalize(path), static_cast<uint64_t>(st.st_ino));
}

std::shared_ptr<CgroupDir> CgroupFs::open(const std::string& path, uint64_t inode) const {
  auto dir = open(path);
  return dir && dir->inode() == inode ? dir : nullptr;
}

std::optional<uint64_t> CgroupFs::inodeOf(const std::string& path) const {
  struct stat st;
  if (stat(absolute(normalize(path)).c_str(), &st) < 0 || !S_ISDIR(st.st_mode)) return std::nullopt;
  return static_cast<uint64_t>(st.st_ino);
}

namespace {

bool hasGlobChars(std::string_view s) { return s.find_first_of("*?[{") != std::string_view::npos; }

// "{a,b}c" -> "ac", "bc" (nested braces too), as glob(3)'s GLOB_BRACE.
std::vector<std::string> expandBraces(const std::string& pattern) {
  size_t open = pattern.find('{');
  if (open == std::string::npos) return {pattern};
  std::vector<size_t> commas;
  size_t close = std::string::npos;
  int depth = 0;
  for (size_t i = open; i < pattern.size() && close == std::string::npos; ++i) {
    if (pattern[i] == '{') ++depth;
    else if (pattern[i] == '}' && --depth == 0) close = i;
    else if (pattern[i] == ',' && depth == 1) commas.push_back(i);
  }
  if (close == std::string::npos) return {pattern};
  std::vector<std::string> out;
  size_t from = open + 1;
  commas.push_back(close);
  for (size_t to : commas) {
    for (auto& e : expandBraces(pattern.substr(0, open) + pattern.substr(from, to - from) + pattern.substr(close + 1)))
      out.push_back(std::move(e));
    from = to + 1;
  }
  return out;
}

}  // namespace

std::vector<CgroupEntry> CgroupFs::globEntries(const std::string& pattern) const {
  std::string norm = normalize(pattern);
  std::vector<CgroupEntry> out;
  if (!hasGlobChars(norm)) {
    if (auto ino = inodeOf(norm)) out.push_back({norm, *ino});
    return out;
  }
  for (const std::string& one : expandBraces(norm)) {
    // Level by level: a component with glob characters lists its directory
    // (getdents gives each entry's type and inode), a literal one is joined
    // on and looked up at the end.
    std::vector<CgroupEntry> level{{"", 0}};
    for (auto part : split(one, '/')) {
      if (part.empty()) continue;
      std::string component(part);
      std::vector<CgroupEntry> next;
      for (auto& at : level) {
        if (!hasGlobChars(component)) {
          next.push_back({at.path + "/" + component, 0});
          continue;
        }
        DIR* d = opendir(absolute(at.path.empty() ? "/" : at.path).c_str());
        if (!d) continue;
        while (dirent* e = readdir(d)) {
          bool isDir = e->d_type == DT_DIR;
          if (e->d_type == DT_UNKNOWN) {
            struct stat st;
            isDir = fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
          }
          if (isDir && fnmatch(component.c_str(), e->d_name, FNM_PERIOD) == 0)
            next.push_back({at.path + "/" + e->d_name, static_cast<uint64_t>(e->d_ino)});
        }
        closedir(d);
      }
      level = std::move(next);
    }
    for (auto& e : level) {
      if (e.inode == 0) {
        auto ino = inodeOf(e.path);
        if (!ino) continue;
        e.inode = *ino;
      }
      out.push_back(std::move(e));
    }
  }
  std::sort(out.begin(), out.end(), [](const CgroupEntry& a, const CgroupEntry& b) { return a.path < b.path; });
  out.erase(std::unique(out.begin(), out.end(), [](const CgroupEntry& a, const CgroupEntry& b) { return a.path == b.path; }),
            out.end());
  return out;
}

std::vector<std::string> CgroupFs::glob(const std::string& pattern) const {
  std::vector<std::string> out;
  for (auto& e : globEntries(pattern)) out.push_back(std::move(e.path));
  return out;
}

bool CgroupFs::firstFailure(const std::string& key) const {
  if (saidFailures_.size() >= kMaxRememberedFailures && !saidFailures_.count(key)) saidFailures_.clear();
  return saidFailures_.insert(key).second;
}

FileRead CgroupFs::readProc(const char* relative) const {
  std::string path = procRoot_ + "/" + relative;
  return readWholeFile(AT_FDCWD, path.c_str());
}

FileRead CgroupFs::readSys(const std::string& relative) const {
  std::string path = sysRoot_ + "/" + relative;
  return readWholeFile(AT_FDCWD, path.c_str());
}

}  // namespace unitoomd
