#include "observe/kept_files.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace unitoomd {

KeptFiles::KeptFiles() : budget_(defaultBudget()) {}

KeptFiles::~KeptFiles() {
  for (auto& [key, entry] : files_) ::close(entry.fd);
}

size_t KeptFiles::defaultBudget() { return budgetBeside(0); }

size_t KeptFiles::budgetFor(uint64_t openFileLimit, size_t heldElsewhere) {
  uint64_t left = openFileLimit > heldElsewhere ? openFileLimit - heldElsewhere : 0;
  return static_cast<size_t>(std::min<uint64_t>(left / 2, kMaxBudget));
}

size_t KeptFiles::budgetBeside(size_t heldElsewhere) {
  struct rlimit rl {};
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY) return budgetFor(UINT64_MAX, heldElsewhere);
  return budgetFor(rl.rlim_cur, heldElsewhere);
}

void KeptFiles::setBudget(size_t budget) {
  budget_ = budget;
  if (files_.size() > budget_) closeIdle(sample_ + 1);  // all of them: the budget is for what comes
}

void KeptFiles::newSample() {
  ++sample_;
  if (sample_ % kIdleSamples == 0 && sample_ > kIdleSamples) closeIdle(sample_ - kIdleSamples);
}

void KeptFiles::closeIdle(uint64_t idleSince) {
  for (auto it = files_.begin(); it != files_.end();) {
    if (it->second.lastUsed < idleSince) {
      ::close(it->second.fd);
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
}

uint32_t KeptFiles::nameId(const char* name) {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return static_cast<uint32_t>(i);
  names_.emplace_back(name);
  return static_cast<uint32_t>(names_.size() - 1);
}

int KeptFiles::find(uint64_t inode, const char* name) {
  if (files_.empty()) return -1;
  auto it = files_.find(Key{inode, nameId(name)});
  if (it == files_.end()) return -1;
  it->second.lastUsed = sample_;
  return it->second.fd;
}

void KeptFiles::close(const Key& key) {
  auto it = files_.find(key);
  if (it == files_.end()) return;
  ::close(it->second.fd);
  files_.erase(it);
}

SmallRead KeptFiles::readKept(uint64_t inode, const char* name, int fd, std::span<char> buf) {
  SmallRead r = preadSmallFile(fd, buf);
  // ENODEV: the cgroup was removed; its successor (if any) has another inode
  if (!r.ok()) close(Key{inode, nameId(name)});
  return r;
}

SmallRead KeptFiles::readNew(uint64_t inode, const char* name, std::span<char> buf, int dirfd) {
  if (dirfd < 0) return SmallRead{ReadStatus::Gone, {}, ENODEV};
  // fault injection (tests) sees every read, so none is kept meanwhile
  bool keep = files_.size() < budget_ && !readFaultsSet();
  UniqueFd opened;
  SmallRead r = readSmallFile(dirfd, name, buf, keep ? &opened : nullptr);
  if (opened.get() >= 0) files_.emplace(Key{inode, nameId(name)}, Entry{opened.release(), sample_});
  return r;
}

}  // namespace unitoomd
