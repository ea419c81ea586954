#include "systemd/systemd_killer.h"

#include <signal.h>

#include "util/log.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

constexpr Duration kReplyTimeout = std::chrono::seconds(10);
// A user's manager may be a fake on the user's own bus that answers late or
// says it killed and does not: the kill is inside that user's subtree, so
// after this long unitoomd kills it itself with cgroup.kill.
constexpr Duration kUntrustedManagerDeadline = std::chrono::seconds(2);

// What the D-Bus replies left for the operation to pick up on its next poll.
struct Replies {
  enum class Phase { Resolving, Resolved, Calling, Called, Failed } phase = Phase::Resolving;
  std::string unit;         // the unit owning exactly the victim cgroup; empty: none
  std::string why;          // why there is no unit, or the error
  TimePoint repliedAt{};
  std::function<void()> replied;  // tells the daemon to poll the operation now

  void settle(Phase p) {
    phase = p;
    if (replied) replied();
  }
};

class UnitKill : public KillOperation {
 public:
  UnitKill(UnitTracker& tracker, std::function<void()> replied, const KillTarget& victim, const KillOptions& options,
           TimePoint now)
      : KillOperation(victim, options, now),
        tracker_(tracker),
        phaseSince_(now),
        replies_(std::make_shared<Replies>()) {
    replies_->replied = std::move(replied);
  }

  void resolve() {
    auto r = replies_;
    std::string victimPath = victim().path;
    UnitTracker& tracker = tracker_;
    tracker_.callManager(
        "GetUnitByControlGroup", [&](sdbus::MethodCall& m) { m << victimPath; },
        [r, victimPath, &tracker](sdbus::MethodReply* reply, const sdbus::Error* e) {
          if (e) {
            r->why = e->getMessage();
          } else {
            sdbus::ObjectPath path;
            *reply >> path;
            const UnitOomSettings* u = tracker.unitByObjectPath(path);
            if (!u) r->why = "its unit is not one followed";
            else if (u->cgroup != victimPath) r->why = "inside " + u->name + ", not a unit of its own";
            else r->unit = u->name;
          }
          r->settle(Replies::Phase::Resolved);
        });
  }

 protected:
  void advance(const CgroupFs& fs, TimePoint now) override {
    Replies& r = *replies_;
    switch (r.phase) {
      case Replies::Phase::Resolving:
        if (now - phaseSince_ > replyDeadline()) killDirectly(fs, now, managerName() + " did not answer GetUnitByControlGroup");
        break;
      case Replies::Phase::Resolved:
        if (r.unit.empty()) killDirectly(fs, now, "no unit: " + r.why);
        else callUnit(fs, now, options().method);
        break;
      case Replies::Phase::Calling:
        if (tracker_.untrusted() && now - phaseSince_ > kUntrustedManagerDeadline)
          killDirectly(fs, now, managerName() + " did not answer " + calling_);
        else if (now - phaseSince_ > kReplyTimeout) fail("systemd did not answer " + calling_);
        break;
      case Replies::Phase::Called:
        if (!isSignalled()) signalled(r.repliedAt, calling_, processes_);
        if (tracker_.untrusted() && !direct_ && !r.unit.empty() && options().method == KillMethod::Kill &&
            now - signalledAt() > kUntrustedManagerDeadline && stillRuns(fs)) {
          LOG_NOTICE("%s said it killed %s, but it still runs after %s: killing it with cgroup.kill", managerName().c_str(),
                     r.unit.c_str(), formatDuration(kUntrustedManagerDeadline).c_str());
          killDirectly(fs, now, managerName() + " did not kill it");
        }
        if (options().method == KillMethod::Stop && !r.unit.empty() && !escalated_ &&
            now - signalledAt() > options().stopTimeout) {
          escalated_ = true;
          LOG_NOTICE("%s did not stop within %s: sending SIGKILL", r.unit.c_str(), formatDuration(options().stopTimeout).c_str());
          issue("KillUnit", SIGKILL);
          escalated(now, "KillUnit(all, SIGKILL) after " + formatDuration(options().stopTimeout));
        }
        break;
      case Replies::Phase::Failed:
        if (tracker_.untrusted()) killDirectly(fs, now, r.why);
        else fail(r.why);
        break;
    }
  }

 private:
  std::string managerName() const { return tracker_.manager().empty() ? "systemd" : tracker_.manager(); }
  Duration replyDeadline() const { return tracker_.untrusted() ? kUntrustedManagerDeadline : kReplyTimeout; }

  bool stillRuns(const CgroupFs& fs) const {
    auto dir = fs.open(victim().path);
    return dir && dir->inode() == victim().inode && !pidsIn(*dir).empty();
  }

  void killDirectly(const CgroupFs& fs, TimePoint now, const std::string& why) {
    direct_ = true;
    auto dir = fs.open(victim().path);
    if (!dir || dir->inode() != victim().inode) {
      fail(victim().path + " no longer exists");
      return;
    }
    KillOptions direct = options();
    direct.method = KillMethod::Kill;
    auto outcome = killCgroup(*dir, direct);
    if (!outcome) {
      fail(outcome.error().message);
      return;
    }
    replies_->phase = Replies::Phase::Called;
    signalled(now, outcome->method + " (" + why + ")", outcome->processes);
  }

  void callUnit(const CgroupFs& fs, TimePoint now, KillMethod method) {
    auto dir = fs.open(victim().path);
    if (!dir || dir->inode() != victim().inode) {
      fail(victim().path + " no longer exists");
      return;
    }
    auto pids = pidsIn(*dir);
    processes_ = static_cast<int>(pids.size());
    if (method == KillMethod::Restart) trackProcesses(std::move(pids));
    // systemd reports the unit's result as oom-kill only if this grew first.
    else bumpXattrCounter(*dir, "user.oomd_ooms", 1);
    setUnit(replies_->unit, tracker_.manager());
    phaseSince_ = now;
    replies_->phase = Replies::Phase::Calling;
    if (method == KillMethod::Kill) {
      calling_ = "KillUnit(all, SIGKILL)";
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
        method,
        [&](sdbus::MethodCall& m) {
          if (method == "KillUnit") m << unit << std::string("all") << int32_t{signal};
          else m << unit << std::string("replace");
        },
        [r, method](sdbus::MethodReply*, const sdbus::Error* e) {
          if (r->phase != Replies::Phase::Calling) return;  // an escalation's reply: the outcome is the victim's death
          if (e) {
            r->why = method + " failed: " + e->getMessage();
            r->settle(Replies::Phase::Failed);
          } else {
            r->repliedAt = Clock::now();
            r->settle(Replies::Phase::Called);
          }
        });
  }

  UnitTracker& tracker_;
  TimePoint phaseSince_;
  std::shared_ptr<Replies> replies_;
  std::string calling_;
  int processes_ = 0;
  bool escalated_ = false;
  bool direct_ = false;
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
  auto op = std::make_unique<UnitKill>(tracker, replied_, victim, options, now);
  op->resolve();
  return op;
}

}  // namespace unitoomd
