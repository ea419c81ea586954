#include "config/file_trust.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <vector>

#include "observe/cgroup_fs.h"

namespace unitoomd {
namespace {

constexpr int kMaxSymlinks = 40;  // as the kernel's MAXSYMLINKS

std::deque<std::string> components(const std::string& path) {
  std::deque<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::string modeText(mode_t mode) {
  char buf[16];
  snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// What is wrong with who may write `st`, or "" when nothing is. `what` names
// it ("its directory /etc/unitoomd ", or "" for the file itself).
std::string writers(const FileStat& st, uid_t euid, const std::string& what, bool stickyExempt) {
  if (st.uid != 0 && st.uid != euid) return what + "is owned by uid " + std::to_string(st.uid);
  if (stickyExempt && (st.mode & S_ISVTX)) return "";
  if (st.mode & S_IWOTH) return what + "is writable by others (mode " + modeText(st.mode) + ")";
  if (st.mode & S_IWGRP) return what + "is writable by group " + std::to_string(st.gid) + " (mode " + modeText(st.mode) + ")";
  return "";
}

Error refused(const std::string& why, uid_t euid) {
  std::string who = euid == 0 ? "root" : "root and uid " + std::to_string(euid);
  return Error{0, "refused: " + why + "; only " + who + " may be able to change what unitoomd kills"};
}

Error cannotCheck(const Error& e, const std::string& what) {
  return Error{e.errnum, "cannot check who may change it: " + what + ": " + (e.errnum ? strerror(e.errnum) : e.message)};
}

struct Dir {
  std::string path;  // real path, "" for /
  FileStat st;
};

}  // namespace

Result<void> checkFileTrust(const std::string& path, uid_t euid, const TrustFs& fs) {
  if (path.empty()) return Error{ENOENT, "cannot check who may change it: empty path"};
  std::string absolute = path;
  if (path[0] != '/') {
    auto cwd = fs.cwd();
    if (!cwd) return cannotCheck(cwd.error(), "the current directory");
    absolute = *cwd + "/" + path;
  }
  std::deque<std::string> todo = components(absolute);
  auto root = fs.lstat("/");
  if (!root) return cannotCheck(root.error(), "/");
  if (auto why = writers(*root, euid, "its directory / ", true); !why.empty()) return refused(why, euid);
  std::vector<Dir> dirs{{"", *root}};  // the real path walked so far, each directory checked
  bool followedLink = false;
  int links = 0;
  while (!todo.empty()) {
    std::string name = std::move(todo.front());
    todo.pop_front();
    if (name == ".") continue;
    if (name == "..") {
      if (dirs.size() > 1) dirs.pop_back();
      continue;
    }
    const Dir& parent = dirs.back();
    std::string here = parent.path + "/" + name;
    auto st = fs.lstat(here);
    if (!st) return cannotCheck(st.error(), here);
    if (S_ISLNK(st->mode)) {
      if (++links > kMaxSymlinks) return cannotCheck(Error{ELOOP, ""}, here);
      // In a sticky directory that others may write to, the link's owner may
      // replace it: then the owner must be trusted too.
      bool othersMayWrite = parent.st.mode & (S_IWGRP | S_IWOTH);
      if (othersMayWrite && st->uid != 0 && st->uid != euid)
        return refused("the symbolic link " + here + " in the sticky directory " + (parent.path.empty() ? "/" : parent.path) +
                           " is owned by uid " + std::to_string(st->uid),
                       euid);
      auto target = fs.readlink(here);
      if (!target) return cannotCheck(target.error(), here);
      if (target->empty()) return cannotCheck(Error{ENOENT, ""}, here);
      followedLink = true;
      auto more = components(*target);
      todo.insert(todo.begin(), more.begin(), more.end());
      if ((*target)[0] == '/') dirs.resize(1);
      continue;
    }
    bool last = todo.empty();
    if (!last) {
      if (!S_ISDIR(st->mode)) return cannotCheck(Error{ENOTDIR, ""}, here);
      if (auto why = writers(*st, euid, "its directory " + here + " ", true); !why.empty()) return refused(why, euid);
      dirs.push_back({here, *st});
      continue;
    }
    std::string what = followedLink ? "its real file " + here + " " : "";
    if (auto why = writers(*st, euid, what, false); !why.empty()) return refused(why, euid);
    return {};
  }
  // The path ends in "." or ".." (a directory, checked above): nothing more to say.
  return {};
}

const TrustFs& realTrustFs() {
  static const TrustFs fs{
      [](const std::string& path) -> Result<FileStat> {
        struct stat st;
        if (::lstat(path.c_str(), &st) < 0) return Error{errno, strerror(errno)};
        return FileStat{st.st_uid, st.st_gid, st.st_mode};
      },
      [](const std::string& path) -> Result<std::string> {
        std::vector<char> buf(256);
        for (;;) {
          ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
          if (n < 0) return Error{errno, strerror(errno)};
          if (static_cast<size_t>(n) < buf.size()) return std::string(buf.data(), static_cast<size_t>(n));
          buf.resize(buf.size() * 2);
        }
      },
      []() -> Result<std::string> {
        std::vector<char> buf(4096);
        while (!getcwd(buf.data(), buf.size())) {
          if (errno != ERANGE) return Error{errno, strerror(errno)};
          buf.resize(buf.size() * 2);
        }
        return std::string(buf.data());
      },
  };
  return fs;
}

Result<void> checkFileTrust(const std::string& path) { return checkFileTrust(path, geteuid(), realTrustFs()); }

Result<std::string> readTrustedFile(const std::string& path) {
  if (auto trusted = checkFileTrust(path); !trusted) return trusted.error();
  // Not through iostreams: their first use sets up libstdc++'s locales,
  // half a MiB of code that nothing else in the daemon touches.
  FileRead f = readWholeFile(AT_FDCWD, path.c_str());
  if (!f.ok()) return Error{f.errnum ? f.errnum : EIO, "cannot read the file"};
  return std::move(f.data);
}

Diagnostics keepTrustedFiles(std::vector<std::string>& files) {
  Diagnostics diags;
  std::erase_if(files, [&](const std::string& file) {
    auto trusted = checkFileTrust(file);
    if (trusted || trusted.error().errnum != 0) return false;
    diags.push_back({file, 0, trusted.error().message});
    return true;
  });
  return diags;
}

}  // namespace unitoomd
