#include "act/process_kill.h"
#include "act/memory_reaper.h"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "desktop/process_choice.h"
#include "desktop/protection.h"
#include "desktop/terminal_sessions.h"
#include "util/fd.h"
#include "util/strings.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

namespace unitoomd {
namespace {

// Every process of the cgroup (and below) as /proc tells it; the ones that
// exited meanwhile are left out.
std::vector<ProcessInfo> processTable(const CgroupFs& fs, const CgroupDir& dir) {
  std::vector<ProcessInfo> procs;
  for (int pid : pidsIn(dir)) {
    FileRead stat = fs.readProc(strprintf("%d/stat", pid).c_str());
    auto ps = stat.ok() ? parseProcStat(stat.data) : std::nullopt;
    if (!ps) continue;
    FileRead status = fs.readProc(strprintf("%d/status", pid).c_str());
    auto [rss, swap] = status.ok() ? parseProcStatusMemory(status.data) : std::pair<uint64_t, uint64_t>{0, 0};
    procs.push_back({pid, ps->pgid, ps->sid, ps->comm, rss, swap, ps->ppid, ps->ttyNr});
  }
  return procs;
}

class ProcessKill : public KillOperation {
 public:
  using KillOperation::KillOperation;

  void vanished() { fail(victim().path + " no longer exists"); }

  void run(const std::vector<ProcessInfo>& procs, const std::vector<std::string>& protectedComms, const std::string& shape,
           TimePoint now) {
    std::string why;
    auto v = chooseProcessVictim(procs, protectedComms, &why);
    if (!v) return fail("nothing to kill in " + victim().path + ": " + why);

    std::vector<UniqueFd> pidfds;
    std::set<int> hit;
    for (int pid : v->pids) {
      UniqueFd fd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
      if (fd && syscall(SYS_pidfd_send_signal, fd.get(), SIGKILL, nullptr, 0) == 0) {
        hit.insert(pid);
        pidfds.push_back(std::move(fd));
      }
    }
    if (!hit.count(v->pid)) return fail(strprintf("could not signal %s (pid %d)", v->comm.c_str(), v->pid));
    if (options().reapMemory) MemoryReaper::shared().release(std::move(pidfds), std::chrono::seconds(1), victim().path);
    setProcess(strprintf("%s (pid %d)", v->comm.c_str(), v->pid), v->bytes);
    trackProcesses(hit);
    std::string method = v->wholeJob && hit.size() > 1
                             ? strprintf("SIGKILL to its job (process group %d, %zu processes)", v->pgid, hit.size())
                             : "SIGKILL";
    signalled(now, method + "; the scope and its other processes were left running (" + shape + ")",
              static_cast<int>(hit.size()));
  }
};

}  // namespace

std::unique_ptr<KillOperation> ScopeAwareKiller::start(const CgroupFs& fs, const KillTarget& victim, const KillOptions& options,
                                                       TimePoint now) {
  std::string_view name = cgroupName(victim.path);
  bool named = matchesAny(name, processScopes_);
  if (!named && !mayHoldTerminal(victim.path, everyCgroupIsUsers_)) return whole_.start(fs, victim, options, now);
  auto op = std::make_unique<ProcessKill>(victim, options, now);
  auto dir = fs.open(victim.path);
  if (!dir || dir->inode() != victim.inode) {
    op->vanished();
    return op;
  }
  auto procs = processTable(fs, *dir);
  ScopeKillShape shape = scopeKillShape(named, terminalSessionsIn(procs));
  if (!shape.perProcess) return whole_.start(fs, victim, options, now);
  op->run(procs, protectedComms_, shape.why, now);
  return op;
}

}  // namespace unitoomd
