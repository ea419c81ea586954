// "How to kill" is one small interface: the engine decides what dies, a
// Killer carries it out. A kill is an operation that lasts: it is started,
// then polled on every sample until the victim's processes are gone (Done)
// or it is clear they will not go (Failed), so the caller can move on to the
// next candidate. Nothing here blocks: a kill through systemd waits for
// D-Bus replies, a stop waits for the unit to stop, and every kill waits for
// the kernel to tear the processes down.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>

#include "observe/cgroup_fs.h"
#include "util/time.h"

namespace unitoomd {

// kill: SIGKILL to everything (KillUnit "all" / cgroup.kill).
// stop: let the service shut down its own way (StopUnit), SIGKILL after
//       stopTimeout. restart: RestartUnit (for services that hand over
//       their connections); done when the old processes are gone.
enum class KillMethod { Kill, Stop, Restart };
const char* killMethodName(KillMethod m);

struct KillOptions {
  bool reapMemory = false;     // process_mrelease() so memory comes back before exit completes
  bool liftMemoryHigh = true;  // memory.high to max once every process is sent SIGKILL (act/memory_high_lift.h)
  // The whole machine is out of memory (the swap and exhaustion rulesets):
  // its manager is as short of pages as everything else, so systemd's
  // answer is waited on the shorter time from the first kill on
  // (act/reply_deadline.h).
  bool machineOutOfMemory = false;
  KillMethod method = KillMethod::Kill;
  Duration stopTimeout = std::chrono::seconds(10);
  Duration confirmTimeout = std::chrono::seconds(10);  // after the signal, until the victim must be gone
};

struct KillTarget {
  std::string path;  // cgroup path relative to the cgroup2 root
  uint64_t inode = 0;
};

enum class KillState { Pending, Done, Failed };

class KillOperation {
 public:
  KillOperation(KillTarget victim, KillOptions options, TimePoint started);
  virtual ~KillOperation() = default;

  // Advances the kill (replies, escalation) and confirms the victim died.
  KillState poll(const CgroupFs& fs, TimePoint now);
  KillState state() const { return state_; }

  const KillTarget& victim() const { return victim_; }
  const std::string& error() const { return error_; }
  const std::string& method() const { return method_; }  // what was done, in words
  const std::string& unit() const { return unit_; }      // empty when no unit owns the victim
  // The user manager whose unit it is ("user@1001.service"); empty: the system manager.
  const std::string& manager() const { return manager_; }
  // When one process (or its job) was killed instead of the cgroup: "hog (pid 4242)".
  const std::string& process() const { return process_; }
  uint64_t processBytes() const { return processBytes_; }
  int processes() const { return processes_; }
  // From the signal (or stop request) to the victim's processes being gone.
  Duration timeToDeath() const { return std::chrono::duration_cast<Duration>(doneAt_ - signalledAt_); }
  TimePoint startedAt() const { return started_; }  // the decision
  TimePoint signalSentAt() const { return signalledAt_; }
  // When poll() next has something to do by the clock alone (a deadline for
  // a reply, the stop timeout, giving up on the victim). In between, only
  // the victim's cgroup.events or an answer from systemd changes anything,
  // so the caller waits on those instead of polling. Null: nothing timed.
  virtual std::optional<TimePoint> nextDeadline() const;
  // Every process of the victim has been sent SIGKILL: its memory.high goes
  // to "max" (act/memory_high_lift.h), given back at its death if the cgroup
  // outlives it. Not for a stop, a restart or one process of a scope.
  void liftMemoryHighAfterSignal(const CgroupFs& fs);

 protected:
  virtual void advance(const CgroupFs&, TimePoint) {}
  void fail(std::string why);
  void signalled(TimePoint at, std::string method, int processes);
  void setUnit(std::string unit, std::string manager = "") {
    unit_ = std::move(unit);
    manager_ = std::move(manager);
  }
  void setProcess(std::string process, uint64_t bytes) {
    process_ = std::move(process);
    processBytes_ = bytes;
  }
  void escalated(TimePoint at, std::string method);  // e.g. stop timed out: now SIGKILL
  bool isSignalled() const { return signalled_; }
  TimePoint signalledAt() const { return signalledAt_; }
  const KillOptions& options() const { return options_; }
  // Restart refills the cgroup: it is done when these processes are gone.
  void trackProcesses(std::set<int> pids) {
    oldPids_ = std::move(pids);
    trackPids_ = true;
  }

 private:
  bool victimGone(const CgroupFs& fs) const;
  Duration confirmWindow() const;  // after the signal, until the victim must be gone

  KillTarget victim_;
  KillOptions options_;
  TimePoint started_;
  KillState state_ = KillState::Pending;
  bool signalled_ = false;
  TimePoint signalledAt_{}, doneAt_{};
  std::string error_, method_, unit_, manager_, process_;
  uint64_t processBytes_ = 0;
  int processes_ = 0;
  bool trackPids_ = false;
  std::set<int> oldPids_;
  std::optional<std::string> liftedMemoryHigh_;  // the limit memory.high held before the lift
};

class Killer {
 public:
  virtual ~Killer() = default;
  virtual std::unique_ptr<KillOperation> start(const CgroupFs& fs, const KillTarget& victim, const KillOptions& options,
                                               TimePoint now) = 0;
};

// Every pid in a cgroup and its descendants.
std::set<int> pidsIn(const CgroupDir& dir);

}  // namespace unitoomd
