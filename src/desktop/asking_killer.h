// Pause and ask ([Desktop] AskBeforeKill=): a Killer in front of the one that
// kills a unit whole. For an app of a user's manager it first shows the user
// a question with "Close <app>" / "Keep running" (desktop/ask_policy.h);
// once a notification server has taken it, the app is frozen (cgroup.freeze,
// recorded first: desktop/freeze_store.h) and the kill waits:
//   Close, no answer in time, or pressure not falling  -> the kill goes on;
//   Keep running -> thawed, and spared for the cool-down (the kill "fails",
//                   so the next candidate is considered).
// No notification server (no reply, an error): killed at once, never
// frozen. The kill operation the engine follows is the question: nothing
// here blocks, and an operation dropped (a reload, the daemon stopping)
// thaws what it froze.
#pragma once

#include <sys/types.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "act/killer.h"
#include "desktop/ask_policy.h"
#include "desktop/freeze_store.h"

namespace unitoomd {

// Where questions go: the user's org.freedesktop.Notifications.
class QuestionChannel {
 public:
  virtual ~QuestionChannel() = default;
  // `replied` gets the notification's id, or nullopt when no server took it
  // (none on the bus, an error, no reply in time); it may never run if the
  // user's bus goes away, so the caller has its own deadline.
  virtual void ask(uid_t uid, const Question& q, Duration shownFor, std::function<void(std::optional<uint32_t>)> replied) = 0;
  virtual void withdraw(uid_t uid, uint32_t id) = 0;
};

// One question, for the journal and the API.
struct QuestionRecord {
  uint64_t askedRealtimeUsec = 0;
  uid_t uid = 0;
  std::string app, cgroup;
  uint64_t serial = 0;
  std::string state;    // asking, frozen, killed, thawed, not-asked, kill-failed
  std::string answer;   // Close, Keep running, none
  std::string outcome;  // in words
};

class AskingKiller : public Killer {
 public:
  // `wake`: run when an answer arrives, so the daemon samples at once.
  AskingKiller(std::string recordDir, std::function<void()> wake);
  ~AskingKiller() override;

  // Set before each sample: what kills, where questions go (null: nowhere,
  // so nothing is asked), the settings.
  void use(const CgroupFs& fs, Killer& inner, QuestionChannel* channel, const AskSettings& settings,
           const std::vector<std::string>& protectedUnits);

  std::unique_ptr<KillOperation> start(const CgroupFs& fs, const KillTarget& victim, const KillOptions& options,
                                       TimePoint now) override;

  // ActionInvoked from user `uid`'s notification server.
  void answered(uid_t uid, uint32_t id, std::string_view actionKey);

  // Apps kept running by their users, until when, in words (for the engine).
  const std::map<std::string, std::string>& spared(TimePoint now);
  // Questions now open (the app frozen) and the last ones answered.
  std::vector<QuestionRecord> questions() const;
  // Thaws everything frozen now (the daemon stops).
  void thawAll();
  // Thaws what a previous daemon left frozen (at start).
  void thawLeftovers(const CgroupFs& fs);

 private:
  friend class AskOperation;
  void note(const QuestionRecord& r);  // the record of a question, updated
  Result<void> freeze(const KillTarget& victim, uid_t uid, const std::string& app);
  void thaw(const KillTarget& victim);

  FreezeStore store_;
  std::function<void()> wake_;
  std::unique_ptr<CgroupFs> fs_;  // our own: outlives any reload's
  Killer* inner_ = nullptr;
  QuestionChannel* channel_ = nullptr;
  AskSettings settings_;
  const std::vector<std::string>* protectedUnits_ = nullptr;
  KeptApps kept_;
  std::map<std::string, std::string> spared_;
  std::map<std::pair<uid_t, uint32_t>, Answer> answers_;
  std::map<uint64_t, KillTarget> frozen_;  // by inode
  std::deque<QuestionRecord> records_;
  static constexpr size_t kRecords = 20;
};

}  // namespace unitoomd
