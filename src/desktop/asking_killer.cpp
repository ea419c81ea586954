#include "desktop/asking_killer.h"

#include <time.h>

#include "desktop/protection.h"
#include "desktop/session_words.h"
#include "observe/parsers.h"
#include "util/log.h"
#include "util/message_ids.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

// A notification server answers Notify in milliseconds; one that has not
// within this is taken as absent, and the app is killed as without asking.
constexpr Duration kReplyDeadline = std::chrono::seconds(2);
constexpr Duration kStallWindow = std::chrono::seconds(1);

uint64_t realtimeUsec() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000 + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

// "/user.slice/user-1000.slice/user@1000.service" for anything in it.
std::string userManagerOf(const std::string& cgroup) {
  auto at = cgroup.find("/user@");
  if (at == std::string::npos) return "";
  auto end = cgroup.find('/', at + 1);
  return end == std::string::npos ? cgroup : cgroup.substr(0, end);
}

void logQuestion(LogLevel level, const QuestionRecord& r, const std::string& message) {
  logStructured(level, message,
                {{"MESSAGE_ID", message_id::kAskedBeforeKill},
                 {"CGROUP", r.cgroup},
                 {"UNITOOMD_USER", std::to_string(r.uid)},
                 {"UNITOOMD_APP", r.app},
                 {"UNITOOMD_QUESTION", r.state},
                 {"UNITOOMD_ANSWER", r.answer},
                 {"UNITOOMD_OUTCOME", r.outcome}});
}

}  // namespace

class AskOperation : public KillOperation {
 public:
  AskOperation(AskingKiller& asker, const KillTarget& victim, const KillOptions& options, TimePoint now, uid_t uid)
      : KillOperation(victim, options, now), asker_(asker), askedAt_(now), reply_(std::make_shared<Reply>()) {
    static uint64_t serial = 0;
    record_.serial = ++serial;
    record_.askedRealtimeUsec = realtimeUsec();
    record_.uid = uid;
    record_.cgroup = victim.path;
    record_.app = appNameOf(cgroupName(victim.path));
    record_.answer = answerName(Answer::None);
    record_.state = "asking";
    session_ = userManagerOf(victim.path);
  }

  ~AskOperation() override {
    if (frozen_) asker_.thaw(victim());
    if (frozen_ && phase_ == Phase::Frozen) {
      record_.state = "thawed";
      record_.outcome = "thawed: unitoomd stopped asking (a reload or a stop)";
      asker_.note(record_);
      logQuestion(LogLevel::Notice, record_, record_.app + " (" + record_.cgroup + ") " + record_.outcome);
    }
  }

  void begin(QuestionChannel& channel, Duration timeout) {
    Question q = questionFor(record_.app, timeout);
    asker_.note(record_);
    std::weak_ptr<Reply> reply = reply_;
    auto wake = asker_.wake_;
    channel.ask(record_.uid, q, timeout, [reply, wake](std::optional<uint32_t> id) {
      if (auto r = reply.lock()) {
        r->arrived = true;
        r->id = id;
        if (wake) wake();
      }
    });
  }

  // The daemon waits on the victim's cgroup.events and on this: a question
  // moves by the clock (the reply's deadline, the answer's, the next second
  // of stall to weigh) or by an answer, which wakes the daemon itself.
  std::optional<TimePoint> nextDeadline() const override {
    if (state() != KillState::Pending) return std::nullopt;
    switch (phase_) {
      case Phase::Asking: return reply_->arrived ? askedAt_ : askedAt_ + kReplyDeadline;
      case Phase::Frozen: {
        TimePoint next = frozenAt_ + asker_.settings_.timeout;
        if (!session_.empty()) next = std::min(next, (stallAt_ == TimePoint{} ? frozenAt_ : stallAt_) + kStallWindow);
        return next;
      }
      case Phase::Killing: return inner_ ? inner_->nextDeadline() : std::nullopt;
    }
    return std::nullopt;
  }

 protected:
  void advance(const CgroupFs& fs, TimePoint now) override {
    switch (phase_) {
      case Phase::Asking: return asking(fs, now);
      case Phase::Frozen: return waitForAnswer(fs, now);
      case Phase::Killing: return killing(fs, now);
    }
  }

 private:
  enum class Phase { Asking, Frozen, Killing };
  struct Reply {
    bool arrived = false;
    std::optional<uint32_t> id;
  };

  void asking(const CgroupFs& fs, TimePoint now) {
    if (!reply_->arrived && now - askedAt_ < kReplyDeadline) return;
    if (!reply_->id) {
      record_.state = "not-asked";
      return kill(fs, now, "no notification server answered, so it was not frozen");
    }
    id_ = *reply_->id;
    if (auto f = asker_.freeze(victim(), record_.uid, record_.app); !f) {
      if (asker_.channel_) asker_.channel_->withdraw(record_.uid, id_);
      return kill(fs, now, "it could not be frozen: " + f.error().message);
    }
    frozen_ = true;
    frozenAt_ = now;
    phase_ = Phase::Frozen;
    record_.state = "frozen";
    asker_.note(record_);
    logQuestion(LogLevel::Notice, record_,
                strprintf("asked user %u: close %s (%s) or keep it running? Frozen until the answer, at most %s",
                          static_cast<unsigned>(record_.uid), record_.app.c_str(), record_.cgroup.c_str(),
                          formatDuration(asker_.settings_.timeout).c_str()));
  }

  void waitForAnswer(const CgroupFs& fs, TimePoint now) {
    sampleStall(fs, now);
    Answer answer = Answer::None;
    if (auto it = asker_.answers_.find({record_.uid, id_}); it != asker_.answers_.end()) answer = it->second;
    FrozenStep step = frozenStep(answer, std::chrono::duration_cast<Duration>(now - frozenAt_), asker_.settings_.timeout, stall_);
    asker_.answers_.erase({record_.uid, id_});
    record_.answer = answerName(answer);
    if (step.verdict == Verdict::Wait) return;
    if (answer == Answer::None && asker_.channel_) asker_.channel_->withdraw(record_.uid, id_);
    if (step.verdict == Verdict::Kill) return kill(fs, now, step.why);
    // Keep running
    asker_.thaw(victim());
    frozen_ = false;
    TimePoint until = now + asker_.settings_.coolDown;
    asker_.kept_.keep(victim().path, until);
    record_.state = "thawed";
    record_.outcome = "thawed: " + step.why + "; not asked about again for " + formatDuration(asker_.settings_.coolDown);
    asker_.note(record_);
    logQuestion(LogLevel::Notice, record_, record_.app + " (" + record_.cgroup + ") " + record_.outcome);
    fail("kept running: " + step.why);
  }

  void kill(const CgroupFs& fs, TimePoint now, const std::string& why) {
    why_ = why;
    phase_ = Phase::Killing;
    if (record_.state != "not-asked") record_.state = "killed";
    record_.outcome = "killed: " + why;
    asker_.note(record_);
    logQuestion(record_.state == "killed" ? LogLevel::Notice : LogLevel::Info, record_,
                record_.app + " (" + record_.cgroup + ") " + record_.outcome);
    inner_ = asker_.inner_->start(fs, victim(), options(), now);
    killing(fs, now);
  }

  void killing(const CgroupFs& fs, TimePoint now) {
    KillState s = inner_->poll(fs, now);
    if (!isSignalled() && (!inner_->method().empty() || s == KillState::Done)) {
      setUnit(inner_->unit(), inner_->manager());
      std::string asked = record_.state == "not-asked" ? why_ : "asked first, " + why_;
      signalled(now, inner_->method() + " (" + asked + ")", inner_->processes());
    }
    if (s == KillState::Failed) {
      record_.state = "kill-failed";
      record_.outcome = "the kill failed: " + inner_->error();
      asker_.note(record_);
      fail(inner_->error());  // the destructor thaws it
    }
  }

  void sampleStall(const CgroupFs& fs, TimePoint now) {
    if (session_.empty() || (stallAt_ != TimePoint{} && now - stallAt_ < kStallWindow)) return;
    auto dir = fs.open(session_);
    FileRead r = dir ? dir->read("memory.pressure") : FileRead{};
    auto psi = r.ok() ? parsePsi(r.data) : std::nullopt;
    if (!psi || !psi->full) return;
    if (stallAt_ != TimePoint{}) {
      double elapsed = std::chrono::duration<double, std::micro>(now - stallAt_).count();
      stall_.push_back(100.0 * static_cast<double>(psi->full->totalUsec - stallTotal_) / elapsed);
    }
    stallAt_ = now;
    stallTotal_ = psi->full->totalUsec;
  }

  AskingKiller& asker_;
  Phase phase_ = Phase::Asking;
  TimePoint askedAt_, frozenAt_;
  std::shared_ptr<Reply> reply_;
  uint32_t id_ = 0;
  bool frozen_ = false;
  QuestionRecord record_;
  std::string session_, why_;
  std::vector<double> stall_;
  TimePoint stallAt_{};
  uint64_t stallTotal_ = 0;
  std::unique_ptr<KillOperation> inner_;
};

AskingKiller::AskingKiller(std::string recordDir, std::function<void()> wake)
    : store_(std::move(recordDir)), wake_(std::move(wake)) {}

AskingKiller::~AskingKiller() { thawAll(); }

void AskingKiller::use(const CgroupFs& fs, Killer& inner, QuestionChannel* channel, const AskSettings& settings,
                       const std::vector<std::string>& protectedUnits) {
  if (!fs_ || fs_->root() != fs.root()) fs_ = std::make_unique<CgroupFs>(fs.root(), fs.procRoot());
  inner_ = &inner;
  channel_ = channel;
  settings_ = settings;
  protectedUnits_ = &protectedUnits;
}

std::unique_ptr<KillOperation> AskingKiller::start(const CgroupFs& fs, const KillTarget& victim, const KillOptions& options,
                                                   TimePoint now) {
  auto uid = uidOfCgroup(victim.path);
  std::optional<std::string> whyNot;
  if (!settings_.enabled) whyNot = "AskBeforeKill=no";
  else if (!channel_ || !uid) whyNot = "no user's desktop to ask";
  else whyNot = whyNotAsk(victim.path, protectedUnits_ ? *protectedUnits_ : std::vector<std::string>{});
  if (whyNot || options.method != KillMethod::Kill) return inner_->start(fs, victim, options, now);
  auto op = std::make_unique<AskOperation>(*this, victim, options, now, *uid);
  op->begin(*channel_, settings_.timeout);
  return op;
}

void AskingKiller::answered(uid_t uid, uint32_t id, std::string_view actionKey) {
  Answer a = answerOf(actionKey);
  if (a == Answer::None) return;
  // only questions of ours: an id we asked with and have not had an answer to
  for (const auto& r : records_)
    if (r.uid == uid && r.state == "frozen") {
      answers_[{uid, id}] = a;
      if (answers_.size() > 64) answers_.erase(answers_.begin());  // ids never asked about: bounded
      if (wake_) wake_();
      return;
    }
}

const std::map<std::string, std::string>& AskingKiller::spared(TimePoint now) {
  spared_.clear();
  for (const auto& r : records_)
    if (r.state == "thawed")
      if (auto until = kept_.keptUntil(r.cgroup, now))
        spared_[r.cgroup] = "kept running by its user for " + formatDuration(std::chrono::duration_cast<Duration>(*until - now)) +
                            " more";
  return spared_;
}

std::vector<QuestionRecord> AskingKiller::questions() const { return {records_.begin(), records_.end()}; }

void AskingKiller::note(const QuestionRecord& r) {
  for (auto& have : records_)
    if (have.serial == r.serial) {
      have = r;
      return;
    }
  records_.push_back(r);
  while (records_.size() > kRecords) records_.pop_front();
}

Result<void> AskingKiller::freeze(const KillTarget& victim, uid_t uid, const std::string& app) {
  if (!fs_) return Error{0, "no cgroup filesystem"};
  // recorded first: a crash between the two leaves a record of a thawed
  // cgroup (harmless), never a frozen cgroup without a record
  if (auto r = store_.record({victim.path, victim.inode, uid, realtimeUsec(), app}); !r) return r;
  auto f = setFrozen(*fs_, victim.path, victim.inode, true);
  if (!f) {
    store_.forget(victim.inode);
    return f;
  }
  frozen_[victim.inode] = victim;
  return {};
}

void AskingKiller::thaw(const KillTarget& victim) {
  if (fs_) (void)setFrozen(*fs_, victim.path, victim.inode, false);  // gone (killed): nothing to thaw
  store_.forget(victim.inode);
  frozen_.erase(victim.inode);
}

void AskingKiller::thawAll() {
  for (auto it = frozen_.begin(); it != frozen_.end();) {
    KillTarget t = (it++)->second;
    thaw(t);
  }
}

void AskingKiller::thawLeftovers(const CgroupFs& fs) { thawRecorded(fs, store_, "unitoomd"); }

}  // namespace unitoomd
