#include <fcntl.h>

#include "act/killer.h"
#include "act/memory_high_lift.h"
#include "observe/parsers.h"
#include "util/log.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

void collectPids(int dirfd, std::set<int>& out, int depth) {
  if (depth > 64) return;
  FileRead r = readWholeFile(dirfd, "cgroup.procs");
  if (r.ok())
    if (auto pids = parsePids(r.data)) out.insert(pids->begin(), pids->end());
  CgroupDir self(UniqueFd(openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)), "", 0);
  if (self.fd() < 0) return;
  for (const auto& child : self.childNames()) {
    UniqueFd cfd(openat(dirfd, child.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (cfd) collectPids(cfd.get(), out, depth + 1);
  }
}

}  // namespace

const char* killMethodName(KillMethod m) {
  switch (m) {
    case KillMethod::Kill: return "kill";
    case KillMethod::Stop: return "stop";
    case KillMethod::Restart: return "restart";
  }
  return "?";
}

std::set<int> pidsIn(const CgroupDir& dir) {
  std::set<int> out;
  collectPids(dir.fd(), out, 0);
  return out;
}

KillOperation::KillOperation(KillTarget victim, KillOptions options, TimePoint started)
    : victim_(std::move(victim)), options_(options), started_(started) {}

void KillOperation::fail(std::string why) {
  if (state_ != KillState::Pending) return;
  state_ = KillState::Failed;
  error_ = std::move(why);
}

void KillOperation::signalled(TimePoint at, std::string method, int processes) {
  signalled_ = true;
  signalledAt_ = at;
  method_ = std::move(method);
  processes_ = processes;
}

void KillOperation::escalated(TimePoint at, std::string method) {
  method_ += ", then " + method;
  (void)at;
}

std::optional<TimePoint> KillOperation::nextDeadline() const {
  if (state_ != KillState::Pending || !signalled_) return std::nullopt;
  return signalledAt_ + confirmWindow();
}

Duration KillOperation::confirmWindow() const {
  return options_.confirmTimeout + (options_.method == KillMethod::Kill ? Duration{0} : options_.stopTimeout);
}

bool KillOperation::victimGone(const CgroupFs& fs) const {
  auto dir = fs.open(victim_.path);
  if (!dir || dir->inode() != victim_.inode) return true;
  if (trackPids_) {
    for (int pid : pidsIn(*dir))
      if (oldPids_.count(pid)) return false;
    return true;
  }
  FileRead ev = dir->read("cgroup.events");
  if (ev.status == ReadStatus::Gone) return true;
  auto kv = ev.ok() ? parseFlatKeyed(ev.data) : std::nullopt;
  if (!kv) return false;
  auto it = kv->find(std::string_view("populated"));
  return it != kv->end() && it->second == 0;
}

void KillOperation::liftMemoryHighAfterSignal(const CgroupFs& fs) {
  if (liftedMemoryHigh_ || !options_.liftMemoryHigh) return;
  auto dir = fs.open(victim_.path);
  if (dir && dir->inode() == victim_.inode) liftedMemoryHigh_ = liftMemoryHigh(*dir);
}

KillState KillOperation::poll(const CgroupFs& fs, TimePoint now) {
  if (state_ != KillState::Pending) return state_;
  advance(fs, now);
  if (state_ != KillState::Pending || !signalled_) return state_;
  if (victimGone(fs)) {
    state_ = KillState::Done;
    doneAt_ = now;
    if (liftedMemoryHigh_) {
      auto dir = fs.open(victim_.path);
      if (dir && dir->inode() == victim_.inode) restoreMemoryHigh(*dir, *liftedMemoryHigh_);
    }
  } else if (now - signalledAt_ >= confirmWindow()) {
    fail(strprintf("%s still has processes %s after %s", victim_.path.c_str(),
                   formatDuration(std::chrono::duration_cast<Duration>(now - signalledAt_)).c_str(), method_.c_str()));
  }
  return state_;
}

}  // namespace unitoomd
