#include "act/cgroup_killer.h"
#include "act/memory_reaper.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "observe/parsers.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/strings.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

namespace unitoomd {
namespace {

constexpr int kMaxRounds = 10;
// The signal went out before the release is asked for; this only covers a
// process that the kernel has not yet marked as dying.
constexpr Duration kReleaseWait = std::chrono::seconds(1);

// cgroup.events says populated 0. Unreadable or unparsable: not known to be
// empty, so the kill goes ahead.
bool emptied(const CgroupDir& dir) {
  FileRead ev = dir.read("cgroup.events");
  auto kv = ev.ok() ? parseFlatKeyed(ev.data) : std::nullopt;
  if (!kv) return false;
  auto it = kv->find(std::string_view("populated"));
  return it != kv->end() && it->second == 0;
}

}  // namespace

void bumpXattrCounter(const CgroupDir& dir, const char* name, unsigned long long delta) {
  unsigned long long value = 0;
  if (auto cur = dir.getXattr(name))
    if (auto v = parseUnsigned(*cur)) value = *v;
  auto r = dir.setXattr(name, std::to_string(value + delta));
  if (!r) LOG_DEBUG("%s: %s", r.error().message.c_str(), strerror(r.error().errnum));
}

std::vector<UniqueFd> pidfdsOf(const std::set<int>& pids) {
  std::vector<UniqueFd> pidfds;
  for (int pid : pids) {
    int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (fd >= 0) pidfds.emplace_back(fd);
  }
  return pidfds;
}

Result<CgroupKillOutcome> killCgroup(const CgroupDir& victim, const KillOptions& options, bool countOom) {
  if (!victim.alive()) return Error{ENOENT, victim.path() + " no longer exists"};
  // Its processes exited since the decision (the unit stopped itself, say):
  // nothing is killed, so the decision must not end here as if something
  // were; the caller moves on to the next candidate.
  if (emptied(victim)) return Error{ESRCH, victim.path() + " had no processes left"};
  if (countOom) bumpXattrCounter(victim, "user.oomd_ooms", 1);

  std::set<int> pids = pidsIn(victim);
  std::vector<UniqueFd> pidfds = pidfdsOf(pids);

  CgroupKillOutcome outcome;
  auto viaCgroupKill = victim.write("cgroup.kill", "1");
  if (viaCgroupKill) {
    outcome.method = "cgroup.kill";
    outcome.processes = static_cast<int>(pids.size());
  } else {
    // No cgroup.kill (kernel < 5.14): signal every process, then look again
    // for what was forked meanwhile. Bounded, never sleeps.
    outcome.method = "SIGKILL via pidfd";
    std::set<int> signalled;
    int lastError = 0;
    for (int round = 0; round < kMaxRounds; ++round) {
      bool any = false;
      for (int pid : pids) {
        if (signalled.count(pid)) continue;
        int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
        int rc = fd >= 0 ? static_cast<int>(syscall(SYS_pidfd_send_signal, fd, SIGKILL, nullptr, 0)) : -1;
        if (rc == 0) {
          signalled.insert(pid);
          any = true;
          pidfds.emplace_back(fd);
        } else {
          if (errno != ESRCH) lastError = errno;
          if (fd >= 0) ::close(fd);
        }
      }
      pids = pidsIn(victim);
      if (!any && (pids.empty() || std::includes(signalled.begin(), signalled.end(), pids.begin(), pids.end()))) break;
    }
    outcome.processes = static_cast<int>(signalled.size());
    if (outcome.processes == 0 && !pids.empty())
      return Error{lastError ? lastError : EPERM, strprintf("could not signal any process in %s: %s", victim.path().c_str(),
                                                            strerror(lastError ? lastError : EPERM))};
  }

  if (options.reapMemory) MemoryReaper::shared().release(std::move(pidfds), kReleaseWait, victim.path());

  if (outcome.processes > 0) bumpXattrCounter(victim, "user.oomd_kill", static_cast<unsigned long long>(outcome.processes));
  return outcome;
}

}  // namespace unitoomd

namespace unitoomd {

std::unique_ptr<KillOperation> CgroupKiller::start(const CgroupFs& fs, const KillTarget& victim, const KillOptions& options,
                                                   TimePoint now) {
  // Without systemd there is nothing to stop or restart: the kill is all
  // there is, and the report says which method was used.
  KillOptions direct = options;
  direct.method = KillMethod::Kill;
  auto op = std::make_unique<DirectKill>(victim, direct, now);
  auto dir = fs.open(victim.path);
  if (!dir || dir->inode() != victim.inode) {
    op->failWith(victim.path + " no longer exists");
    return op;
  }
  auto outcome = killCgroup(*dir, direct);
  if (!outcome) {
    op->failWith(outcome.error().message);
  } else {
    op->killed(now, outcome->method, outcome->processes);
    op->liftMemoryHighAfterSignal(fs);
  }
  return op;
}

}  // namespace unitoomd
