// The system instance's view into each user's session: for every live
// user@UID.service it follows that user manager on the user's session bus
// (its units, their ManagedOOM* settings, kills through it), and it talks to
// the user's desktop there: PressureWarning signals before a kill and an
// org.freedesktop.Notifications notification after one. All on our sd-event
// loop, all asynchronous: a user's bus that is slow or gone costs nothing
// but that user's messages.
#pragma once

#include <systemd/sd-event.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "bus/owned.h"
#include "desktop/asking_killer.h"
#include "desktop/session_words.h"
#include "systemd/unit_tracker.h"

namespace unitoomd {

class UserSessions : public QuestionChannel {
 public:
  UserSessions(sd_event* event, std::function<void()> onChange) : event_(event), onChange_(std::move(onChange)) {}

  // Follows exactly these users from now on (their user managers' units).
  void follow(const std::set<uid_t>& uids);
  std::set<uid_t> followed() const;

  // Every followed user's units, each with its manager named.
  std::vector<UnitOomSettings> units() const;
  // The tracker of the user manager whose user@UID.service holds `cgroup`;
  // null when that user is not followed.
  UnitTracker* managerOf(const std::string& cgroup);

  void notify(uid_t uid, const Notification& n);
  void pressureWarning(uid_t uid, const std::string& ruleset, const std::string& description, const std::string& reason,
                       double secondsLeft = -1);

  // Pause and ask: a notification with actions, and its answers
  // (ActionInvoked from the user's notification server) handed to `onAnswer`.
  void ask(uid_t uid, const Question& q, Duration shownFor, std::function<void(std::optional<uint32_t>)> replied) override;
  void withdraw(uid_t uid, uint32_t id) override;
  void onAnswer(std::function<void(uid_t, uint32_t, std::string)> handler) { onAnswer_ = std::move(handler); }

 private:
  struct Session {
    Slot answers;                      // ActionInvoked
    sd_bus* connection = nullptr;      // what `answers` was made on
    // Last, so it goes first: closing its connection drops `answers` first.
    std::unique_ptr<UnitTracker> tracker;
  };
  bool ready(uid_t uid, Session& s);  // (re)makes the match on the tracker's current connection

  sd_event* event_;
  std::function<void()> onChange_;
  std::function<void(uid_t, uint32_t, std::string)> onAnswer_;
  std::map<uid_t, Session> sessions_;
};

// uids of the live user@UID.service units among these.
std::set<uid_t> userManagersIn(const std::vector<UnitOomSettings>& units);

}  // namespace unitoomd
