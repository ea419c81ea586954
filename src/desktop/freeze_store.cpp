#include "desktop/freeze_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/fd.h"
#include "util/log.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

Result<void> makeDirs(const std::string& dir) {
  for (size_t at = dir.find('/', 1);; at = dir.find('/', at + 1)) {
    std::string prefix = at == std::string::npos ? dir : dir.substr(0, at);
    if (mkdir(prefix.c_str(), 0700) < 0 && errno != EEXIST) return errnoError(errno, "cannot create " + prefix);
    if (at == std::string::npos) return {};
  }
}

}  // namespace

Result<void> FreezeStore::record(const FreezeRecord& r) {
  if (auto made = makeDirs(dir_); !made) return made;
  std::string file = dir_ + "/" + freezeRecordName(r.inode), tmp = file + ".tmp";
  UniqueFd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return errnoError(errno, "cannot write " + tmp);
  std::string text = formatFreezeRecord(r);
  if (write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) || fsync(fd.get()) < 0) {
    int e = errno;
    unlink(tmp.c_str());
    return errnoError(e, "cannot write " + tmp);
  }
  if (rename(tmp.c_str(), file.c_str()) < 0) {
    int e = errno;
    unlink(tmp.c_str());
    return errnoError(e, "cannot rename " + tmp);
  }
  return {};
}

void FreezeStore::forget(uint64_t inode) {
  std::string file = dir_ + "/" + freezeRecordName(inode);
  if (unlink(file.c_str()) < 0 && errno != ENOENT) LOG_WARN("cannot remove %s: %s", file.c_str(), strerror(errno));
}

std::vector<FreezeRecord> FreezeStore::recorded(Diagnostics& diags) const {
  std::vector<FreezeRecord> out;
  DIR* d = opendir(dir_.c_str());
  if (!d) return out;
  while (auto* e = readdir(d)) {
    std::string name = e->d_name;
    if (!startsWith(name, "frozen-") || endsWith(name, ".tmp")) continue;
    std::string file = dir_ + "/" + name;
    FileRead r = readWholeFile(AT_FDCWD, file.c_str());
    if (!r.ok()) continue;
    if (auto rec = parseFreezeRecord(r.data, file, diags)) out.push_back(std::move(*rec));
  }
  closedir(d);
  return out;
}

Result<void> setFrozen(const CgroupFs& fs, const std::string& path, uint64_t inode, bool frozen) {
  auto dir = fs.open(path);
  if (!dir || dir->inode() != inode) return Error{ENOENT, path + " no longer exists"};
  return dir->write("cgroup.freeze", frozen ? "1" : "0");
}

int thawRecorded(const CgroupFs& fs, FreezeStore& store, const char* who) {
  Diagnostics diags;
  int thawed = 0;
  for (const auto& r : store.recorded(diags)) {
    auto done = setFrozen(fs, r.cgroup, r.inode, false);
    if (done) {
      ++thawed;
      LOG_NOTICE("%s: thawed %s (%s), frozen by a unitoomd that is gone: its question was never answered", who, r.app.c_str(),
                 r.cgroup.c_str());
    } else {
      LOG_INFO("%s: nothing to thaw for %s: %s", who, r.cgroup.c_str(), done.error().message.c_str());
    }
    store.forget(r.inode);
  }
  for (const auto& d : diags) LOG_ERROR("%s", d.str().c_str());
  // a record that cannot be read cannot be thawed by its name: say so, keep it for a person
  return thawed;
}

}  // namespace unitoomd
