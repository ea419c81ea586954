// Pause and ask ([Desktop] AskBeforeKill=): instead of killing a user's app at
// once, freeze it and let the user say "Close <app>" or "Keep running". What
// is asked about, what the user is shown, when a frozen app is killed or
// thawed, and how a freeze is recorded so that no restart or crash of the
// daemon leaves it frozen. Pure: the time and every fact are handed in.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostics.h"
#include "desktop/session_words.h"
#include "util/time.h"

namespace unitoomd {

struct AskSettings {
  bool enabled = false;
  // No answer within this: killed. 20 s: long enough to read a banner and
  // click, no longer than the desktop defaults let a stall run before a kill
  // (DefaultMemoryPressureDurationSec=20s), so an unattended desktop recovers
  // as late as it would have without asking, not later.
  Duration timeout = std::chrono::seconds(20);
  // After "Keep running", not asked about (nor killed) again for this long.
  Duration coolDown = std::chrono::minutes(5);
};

// Why a victim is killed without asking; nullopt: ask. Only a scope or
// service of a user's manager (strictly under user@UID.service) is frozen:
// never a login session, the manager itself, a slice of many apps, a system
// service, nor anything protected.
std::optional<std::string> whyNotAsk(std::string_view cgroupPath, const std::vector<std::string>& protectedUnits);

// The notification: summary, body and the two actions (key, label pairs, as
// org.freedesktop.Notifications takes them).
inline constexpr const char* kActionClose = "close";
inline constexpr const char* kActionKeep = "keep";
struct Question {
  Notification text;
  std::vector<std::string> actions;  // "close", "Close <app>", "keep", "Keep running"
};
Question questionFor(const std::string& app, Duration timeout);

enum class Answer { None, Close, Keep };
Answer answerOf(std::string_view actionKey);  // anything else: None
const char* answerName(Answer a);             // "none", "Close", "Keep running"

// What to do with a frozen app now.
enum class Verdict { Wait, Kill, Thaw };
struct FrozenStep {
  Verdict verdict = Verdict::Wait;
  std::string why;
};
// `stall`: full memory stall (percent) of the user's session in each whole
// second since the freeze, oldest first.
FrozenStep frozenStep(Answer answer, Duration frozenFor, Duration timeout, const std::vector<double>& stall);
// Freezing relieved nothing (it frees no memory; with no swap to take the
// pages the session goes on stalling): the last two whole seconds both
// stalled at least 10% and the last no less than the one before.
bool pressureStillRising(const std::vector<double>& stall);

// Apps the user chose to keep, until when (by cgroup path).
class KeptApps {
 public:
  void keep(const std::string& cgroup, TimePoint until) { until_[cgroup] = until; }
  std::optional<TimePoint> keptUntil(const std::string& cgroup, TimePoint now);
  void forget(const std::string& cgroup) { until_.erase(cgroup); }

 private:
  std::map<std::string, TimePoint> until_;
};

// A freeze as recorded on disk (one file per frozen cgroup), so a daemon
// started after a crash thaws what its predecessor froze.
struct FreezeRecord {
  std::string cgroup;
  uint64_t inode = 0;
  uid_t uid = 0;
  uint64_t frozenAtRealtimeUsec = 0;
  std::string app;
};
std::string formatFreezeRecord(const FreezeRecord& r);
// A broken record is a diagnostic naming the file and line, and nullopt.
std::optional<FreezeRecord> parseFreezeRecord(std::string_view text, const std::string& file, Diagnostics& diags);
std::string freezeRecordName(uint64_t inode);  // "frozen-<inode>"

}  // namespace unitoomd
