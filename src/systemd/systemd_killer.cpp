#include "systemd/systemd_killer.h"

#include <signal.h>

#include <algorithm>

#include "act/memory_reaper.h"
#include "act/reply_deadline.h"
#include "act/unit_of_cgroup.h"
#include "util/log.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

// A user's manager may be a fake on the user's own bus that says it killed
// and does not: after this long with the victim still running, unitoomd
// kills it itself. Longer than the reply timeout: a real KillUnit has sent
// SIGKILL, and a large process can take a while to tear down.
constexpr Duration kUntrustedKillCheck = std::chrono::seconds(2);
// KillUnit's victims are released from the call on (act/memory_reaper.h)
// until its deadline and a little more; later, killDirectly's own release
// takes over.
constexpr Duration kReleaseMargin = std::chrono::milliseconds(200);

// What the D-Bus replies left for the operation to pick up on its next poll.
struct Replies {
  enum class Phase { Resolving, Resolved, Calling, Called, Failed } phase = Phase::Resolving;
  std::string unit;  // the unit owning exactly the victim cgroup; empty: none
  std::string why;   // why there is no unit, or the error
  TimePoint repliedAt{};
  std::function<void()> replied;            // tells the daemon to poll the operation now
  std::shared_ptr<ReplyDeadline> deadline;  // this manager's: told how fast it answered
  TimePoint calledAt{};

  void settle(Phase p) {
    phase = p;
    if (replied) replied();
  }
};

class UnitKill : public KillOperation {
 public:
  UnitKill(UnitTracker& tracker, std::function<void()> replied, std::shared_ptr<ReplyDeadline> deadline, const KillTarget& victim,
           const KillOptions& options, TimePoint now)
      : KillOperation(victim, options, now),
        tracker_(tracker),
        replyTimeout_(deadline->at(now, options.machineOutOfMemory)),
        phaseSince_(now),
        replies_(std::make_shared<Replies>()) {
    replies_->replied = std::move(replied);
    replies_->deadline = std::move(deadline);
  }

  // From what the tracker follows when it can; systemd is asked only about
  // a cgroup no followed unit explains.
  void resolve() {
    UnitTracker& tracker = tracker_;
    auto known = unitOfCgroup(victim().path, [&tracker](const std::string& cgroup) -> const std::string* {
      const UnitOomSettings* u = tracker.unitWithCgroup(cgroup);
      return u ? &u->name : nullptr;
    });
    if (known.kind == UnitOfCgroup::Kind::Unit) {
      replies_->unit = known.unit;
      replies_->phase = Replies::Phase::Resolved;
      return;
    }
    if (known.kind == UnitOfCgroup::Kind::Inside) {
      replies_->why = "inside " + known.unit + ", not a unit of its own";
      replies_->phase = Replies::Phase::Resolved;
      return;
    }
    calling_ = "GetUnitByControlGroup";
    auto r = replies_;
    std::string victimPath = victim().path;
    tracker_.callManager(
        "GetUnitByControlGroup", [&](sd_bus_message* m) { return sd_bus_message_append(m, "s", victimPath.c_str()); },
        [r, victimPath, &tracker](sd_bus_message* reply, const BusError* e) {
          if (r->phase != Replies::Phase::Resolving) return;  // too late: already killed directly
          const char* path = nullptr;
          if (e) {
            r->why = "no unit: " + e->message;
          } else if (sd_bus_message_read(reply, "o", &path) <= 0) {
            r->why = "no unit: an odd reply to GetUnitByControlGroup";
          } else {
            const UnitOomSettings* u = tracker.unitByObjectPath(path);
            if (!u) r->why = "its unit is not one followed";
            else if (u->cgroup != victimPath) r->why = "inside " + u->name + ", not a unit of its own";
            else r->unit = u->name;
          }
          r->settle(Replies::Phase::Resolved);
        });
  }

  std::optional<TimePoint> nextDeadline() const override {
    if (state() != KillState::Pending) return std::nullopt;
    switch (replies_->phase) {
      case Replies::Phase::Resolving:
      case Replies::Phase::Calling: return phaseSince_ + replyTimeout_;
      case Replies::Phase::Resolved:
      case Replies::Phase::Failed: return phaseSince_;  // due now
      case Replies::Phase::Called:
        if (!isSignalled()) return phaseSince_;  // the reply is in: due now
        break;
    }
    std::optional<TimePoint> next = KillOperation::nextDeadline();
    auto sooner = [&](TimePoint t) { next = next ? std::min(*next, t) : t; };
    if (checkUntrustedKill()) sooner(signalledAt() + kUntrustedKillCheck);
    if (stopping() && !escalatedAt_) sooner(signalledAt() + options().stopTimeout);
    if (escalatedAt_ && !direct_) sooner(*escalatedAt_ + replyTimeout_);
    return next;
  }

 protected:
  void advance(const CgroupFs& fs, TimePoint now) override {
    Replies& r = *replies_;
    switch (r.phase) {
      case Replies::Phase::Resolving:
      case Replies::Phase::Calling:
        if (now - phaseSince_ >= replyTimeout_) {
          if (r.phase == Replies::Phase::Calling && !answerAwaited_ && victimReplaced(fs)) {
            // Only a running systemd removes a unit's cgroup (or makes it
            // again on a restart): it has taken the call, and its answer may
            // be read already, behind this deadline. Who emptied the victim
            // (our KillUnit, or the unit itself) is for that answer to say;
            // guessing "itself" would kill the next candidate as well.
            answerAwaited_ = true;
            phaseSince_ = now;
            break;
          }
          // A late answer must not move the operation on (see the handlers).
          std::string call = calling_;
          r.phase = Replies::Phase::Failed;
          r.deadline->missed(now);
          killDirectly(fs, now, managerName() + " did not answer " + call + " within " + formatDuration(replyTimeout_));
        }
        break;
      case Replies::Phase::Resolved:
        if (r.unit.empty()) killDirectly(fs, now, r.why);
        else callUnit(fs, now, options().method);
        break;
      case Replies::Phase::Called:
        if (!isSignalled()) {
          signalled(r.repliedAt, calling_ == "KillUnit" ? "KillUnit(all, SIGKILL)" : calling_, processes_);
          if (options().method == KillMethod::Kill) liftMemoryHighAfterSignal(fs);
        }
        if (checkUntrustedKill() && now - signalledAt() >= kUntrustedKillCheck && stillRuns(fs)) {
          LOG_NOTICE("%s said it killed %s, but it still runs after %s: killing it with cgroup.kill", managerName().c_str(),
                     r.unit.c_str(), formatDuration(kUntrustedKillCheck).c_str());
          killDirectly(fs, now, managerName() + " did not kill it");
        }
        if (stopping() && !escalatedAt_ && now - signalledAt() >= options().stopTimeout) {
          escalatedAt_ = now;
          LOG_NOTICE("%s did not stop within %s: sending SIGKILL", r.unit.c_str(), formatDuration(options().stopTimeout).c_str());
          issue("KillUnit", SIGKILL);
          escalated(now, "KillUnit(all, SIGKILL) after " + formatDuration(options().stopTimeout));
        } else if (escalatedAt_ && !direct_ && now - *escalatedAt_ >= replyTimeout_ && stillRuns(fs)) {
          // The escalation's KillUnit went unanswered, or did not take.
          direct_ = true;
          escalateDirectly(fs, now);
        }
        break;
      case Replies::Phase::Failed:
        // systemd refused (the unit went away, say): if the victim is still
        // there the decision stands and it is killed directly; if it is gone,
        // the kill failed and the next candidate is considered.
        if (!isSignalled()) killDirectly(fs, now, r.why);
        break;
    }
  }

 private:
  std::string managerName() const { return tracker_.manager().empty() ? "systemd" : tracker_.manager(); }
  bool stopping() const { return options().method == KillMethod::Stop && !replies_->unit.empty() && !direct_; }
  bool checkUntrustedKill() const {
    return tracker_.untrusted() && !direct_ && !replies_->unit.empty() && options().method == KillMethod::Kill;
  }

  bool victimReplaced(const CgroupFs& fs) const {
    auto dir = fs.open(victim().path);
    return !dir || dir->inode() != victim().inode;
  }

  bool stillRuns(const CgroupFs& fs) const {
    auto dir = fs.open(victim().path);
    return dir && dir->inode() == victim().inode && !pidsIn(*dir).empty();
  }

  void killDirectly(const CgroupFs& fs, TimePoint now, const std::string& why) {
    direct_ = true;
    auto dir = fs.open(victim().path);
    if (!dir || dir->inode() != victim().inode) {
      fail(victim().path + " no longer exists (" + why + ")");
      return;
    }
    KillOptions direct = options();
    direct.method = KillMethod::Kill;
    auto outcome = killCgroup(*dir, direct, !oomCounted_);
    oomCounted_ = true;
    if (!outcome) {
      fail(outcome.error().message + " (" + why + ")");
      return;
    }
    replies_->phase = Replies::Phase::Called;
    signalled(now, outcome->method + " (" + why + ")", outcome->processes);
    liftMemoryHighAfterSignal(fs);
  }

  void escalateDirectly(const CgroupFs& fs, TimePoint now) {
    auto dir = fs.open(victim().path);
    if (!dir || dir->inode() != victim().inode) return;
    KillOptions direct = options();
    direct.method = KillMethod::Kill;
    if (!killCgroup(*dir, direct, false)) return;
    liftMemoryHighAfterSignal(fs);
    escalated(now, "cgroup.kill (" + managerName() + " did not answer KillUnit within " + formatDuration(replyTimeout_) + ")");
  }

  void callUnit(const CgroupFs& fs, TimePoint now, KillMethod method) {
    auto dir = fs.open(victim().path);
    if (!dir || dir->inode() != victim().inode) {
      fail(victim().path + " no longer exists");
      return;
    }
    auto pids = pidsIn(*dir);
    processes_ = static_cast<int>(pids.size());
    // From now on, not from the reply: PID 1 sends SIGKILL before it
    // answers, and under swap pressure the answer comes late or never.
    if (method == KillMethod::Kill && options().reapMemory)
      MemoryReaper::shared().release(pidfdsOf(pids), replyTimeout_ + kReleaseMargin, victim().path);
    if (method == KillMethod::Restart) {
      trackProcesses(std::move(pids));
    } else {
      // systemd reports the unit's result as oom-kill only if this grew first.
      bumpXattrCounter(*dir, "user.oomd_ooms", 1);
      oomCounted_ = true;
    }
    setUnit(replies_->unit, tracker_.manager());
    phaseSince_ = now;
    replies_->phase = Replies::Phase::Calling;
    replies_->calledAt = now;
    if (method == KillMethod::Kill) {
      calling_ = "KillUnit";
      issue("KillUnit", SIGKILL);
    } else if (method == KillMethod::Stop) {
      calling_ = "StopUnit";
      issue("StopUnit", 0);
    } else {
      calling_ = "RestartUnit";
      issue("RestartUnit", 0);
    }
  }

  void issue(const std::string& method, int signal) {
    auto r = replies_;
    std::string unit = r->unit;
    tracker_.callManager(
        method.c_str(),
        [&](sd_bus_message* m) {
          if (method == "KillUnit") return sd_bus_message_append(m, "ssi", unit.c_str(), "all", int32_t{signal});
          return sd_bus_message_append(m, "ss", unit.c_str(), "replace");
        },
        [r, method](sd_bus_message*, const BusError* e) {
          // Only the call being waited for moves the kill on: a reply after
          // the deadline (the cgroup was killed directly) or to an
          // escalation changes nothing; the victim's death is the outcome.
          if (r->phase != Replies::Phase::Calling) return;
          if (e) {
            r->why = method + " failed: " + e->message;
            r->settle(Replies::Phase::Failed);
          } else {
            r->repliedAt = Clock::now();
            r->deadline->answered(r->calledAt, r->repliedAt);
            r->settle(Replies::Phase::Called);
          }
        });
  }

  UnitTracker& tracker_;
  Duration replyTimeout_;
  TimePoint phaseSince_;
  std::shared_ptr<Replies> replies_;
  std::string calling_;
  int processes_ = 0;
  std::optional<TimePoint> escalatedAt_;
  bool direct_ = false;
  bool oomCounted_ = false;
  bool answerAwaited_ = false;  // the call's deadline was extended once: the victim went away meanwhile
};

}  // namespace

std::unique_ptr<KillOperation> SystemdKiller::start(const CgroupFs& fs, const KillTarget& victim, const KillOptions& options,
                                                    TimePoint now) {
  UnitTracker& tracker = managerOf_(victim.path);
  if (!tracker.ready()) {
    // The cgroup is read fresh; only the unit tree could be stale, so the
    // kill goes ahead without it.
    auto op = CgroupKiller().start(fs, victim, options, now);
    LOG_NOTICE("%s is not reachable: killing %s with cgroup.kill",
               tracker.manager().empty() ? "systemd" : tracker.manager().c_str(), victim.path.c_str());
    return op;
  }
  auto& deadline = deadlines_[tracker.manager()];
  if (!deadline) deadline = std::make_shared<ReplyDeadline>(replyTimeout_);
  auto op = std::make_unique<UnitKill>(tracker, replied_, deadline, victim, options, now);
  op->resolve();
  return op;
}

}  // namespace unitoomd
