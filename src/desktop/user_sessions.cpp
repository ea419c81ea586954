#include "desktop/user_sessions.h"

#include <cstring>

#include "bus/call.h"
#include "policy/untrusted_units.h"
#include "util/display_text.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

constexpr const char* kApiPath = "/org/unitoomd1";
constexpr const char* kApiInterface = "org.unitoomd1.Manager";
constexpr uint64_t kNotifyTimeoutUsec = 5'000'000;
constexpr BusMethod kNotify{"org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                            "org.freedesktop.Notifications", "Notify"};
constexpr BusMethod kCloseNotification{"org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                                       "org.freedesktop.Notifications", "CloseNotification"};

std::string userManagerUnit(uid_t uid) { return "user@" + std::to_string(uid) + ".service"; }

}  // namespace

std::set<uid_t> userManagersIn(const std::vector<UnitOomSettings>& units) {
  std::set<uid_t> out;
  for (const auto& u : units) {
    if (!u.manager.empty() || !startsWith(u.name, "user@") || !endsWith(u.name, ".service")) continue;
    if (!isLiveState(u.activeState) || u.cgroup.empty()) continue;
    auto uid = parseUnsigned(std::string_view(u.name).substr(5, u.name.size() - 5 - 8));
    if (uid && *uid < UINT32_MAX) out.insert(static_cast<uid_t>(*uid));
  }
  return out;
}

// No onChange here: the caller is computing from what it returns next.
void UserSessions::follow(const std::set<uid_t>& uids) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (uids.count(it->first)) {
      ++it;
      continue;
    }
    LOG_INFO("no longer following %s: the user manager is gone", userManagerUnit(it->first).c_str());
    it = sessions_.erase(it);
  }
  for (uid_t uid : uids) {
    if (sessions_.count(uid)) continue;
    Session& s = sessions_[uid];
    s.tracker = std::make_unique<UnitTracker>(event_, BusAddress(BusKind::UserSessionOf, uid), onChange_, userManagerUnit(uid));
    s.tracker->confineToUser(uid);
    s.tracker->watchControlDirs(userControlDirsOf(uid));
    s.tracker->beforeConnectionCloses([&s] {
      s.answers.reset();
      s.connection = nullptr;
    });
    LOG_INFO("following %s on the user's session bus", userManagerUnit(uid).c_str());
    s.tracker->start();
  }
}

std::set<uid_t> UserSessions::followed() const {
  std::set<uid_t> out;
  for (const auto& [uid, s] : sessions_) out.insert(uid);
  return out;
}

std::vector<UnitOomSettings> UserSessions::units() const {
  std::vector<UnitOomSettings> out;
  for (const auto& [uid, s] : sessions_)
    if (s.tracker->ready())
      for (auto& u : s.tracker->units()) out.push_back(std::move(u));
  return out;
}

UnitTracker* UserSessions::managerOf(const std::string& cgroup) {
  for (auto& [uid, s] : sessions_)
    if (cgroupWithin(cgroup, userManagerSubtree(uid))) return s.tracker.get();
  return nullptr;
}

bool UserSessions::ready(uid_t uid, Session& s) {
  sd_bus* c = s.tracker->connection();
  if (!c) return false;
  if (c != s.connection) {
    s.answers.reset();
    s.connection = c;
    // The bus fills in the sender: only the owner of the name can answer.
    auto match = addMatch(
        c,
        "type='signal',sender='org.freedesktop.Notifications',path='/org/freedesktop/Notifications',"
        "interface='org.freedesktop.Notifications',member='ActionInvoked'",
        [this, uid](sd_bus_message* m) {
          uint32_t id = 0;
          const char* key = nullptr;
          if (sd_bus_message_read(m, "us", &id, &key) <= 0) {
            LOG_DEBUG("odd ActionInvoked from user %u's notification server", uid);
            return;
          }
          if (onAnswer_) onAnswer_(uid, id, key);
        },
        "ActionInvoked of user " + std::to_string(uid) + "'s notification server");
    if (match) s.answers = std::move(*match);
    else LOG_DEBUG("no answers from user %u's notification server: %s", uid, match.error().message.c_str());
  }
  return true;
}

void UserSessions::notify(uid_t uid, const Notification& n) {
  auto it = sessions_.find(uid);
  if (it == sessions_.end() || !ready(it->first, it->second)) {
    LOG_DEBUG("no notification for user %u: not connected to their session bus", uid);
    return;
  }
  auto unsent = callAsync(
      it->second.connection, kNotify,
      [&n](sd_bus_message* m) {
        return sd_bus_message_append(m, "susssasa{sv}i", "unitoomd", uint32_t{0}, "dialog-warning", n.summary.c_str(),
                                     n.body.c_str(), 0, 2, "urgency", "y", uint8_t{2}, "desktop-entry", "s", "unitoomd",
                                     int32_t{-1});
      },
      [uid](sd_bus_message*, const BusError* e) {
        if (e) LOG_NOTICE("desktop notification to user %u not shown: %s", uid, e->message.c_str());
      },
      kNotifyTimeoutUsec);
  if (unsent) LOG_NOTICE("desktop notification to user %u not sent: %s", uid, unsent->message.c_str());
}

void UserSessions::pressureWarning(uid_t uid, const std::string& ruleset, const std::string& description,
                                   const std::string& reason, double secondsLeft) {
  auto it = sessions_.find(uid);
  if (it == sessions_.end() || !ready(it->first, it->second)) return;
  // sd-bus refuses a string that is not UTF-8 (and a user's unit names
  // may be in these): made safe, or the warning would not be sent at all.
  int r = sd_bus_emit_signal(it->second.connection, kApiPath, kApiInterface, "PressureWarning", "sssd",
                             utf8Safe(ruleset, shown::kDataBytes).c_str(), utf8Safe(description, shown::kDataBytes).c_str(),
                             utf8Safe(reason, shown::kDataBytes).c_str(), secondsLeft);
  if (r < 0) LOG_DEBUG("PressureWarning to user %u not sent: %s", uid, strerror(-r));
}

}  // namespace unitoomd

namespace unitoomd {

void UserSessions::ask(uid_t uid, const Question& q, Duration shownFor, std::function<void(std::optional<uint32_t>)> replied) {
  auto it = sessions_.find(uid);
  if (it == sessions_.end() || !ready(it->first, it->second)) return replied(std::nullopt);
  // critical and resident: it stays until answered, as the app waits for it
  auto unsent = callAsync(
      it->second.connection, kNotify,
      [&q, shownFor](sd_bus_message* m) {
        int r = sd_bus_message_append(m, "susss", "unitoomd", uint32_t{0}, "dialog-question", q.text.summary.c_str(),
                                      q.text.body.c_str());
        if (r >= 0) r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, "s");
        for (const auto& action : q.actions)
          if (r >= 0) r = sd_bus_message_append(m, "s", action.c_str());
        if (r >= 0) r = sd_bus_message_close_container(m);
        if (r >= 0)
          r = sd_bus_message_append(m, "a{sv}i", 3, "urgency", "y", uint8_t{2}, "resident", "b", 1, "desktop-entry", "s",
                                    "unitoomd",
                                    static_cast<int32_t>(std::chrono::duration_cast<std::chrono::milliseconds>(shownFor).count()));
        return r;
      },
      [uid, replied](sd_bus_message* reply, const BusError* e) {
        std::optional<uint32_t> id;
        uint32_t got = 0;
        if (e) LOG_INFO("question to user %u not shown: %s", uid, e->message.c_str());
        else if (sd_bus_message_read(reply, "u", &got) <= 0)
          LOG_INFO("odd reply to a question from user %u's notification server", uid);
        else id = got;
        replied(id);
      },
      kNotifyTimeoutUsec);
  if (unsent) {
    LOG_INFO("question to user %u not sent: %s", uid, unsent->message.c_str());
    replied(std::nullopt);
  }
}

void UserSessions::withdraw(uid_t uid, uint32_t id) {
  auto it = sessions_.find(uid);
  if (it == sessions_.end() || !ready(it->first, it->second)) return;
  auto unsent = callAsync(
      it->second.connection, kCloseNotification, [id](sd_bus_message* m) { return sd_bus_message_append(m, "u", id); },
      [](sd_bus_message*, const BusError*) {}, kNotifyTimeoutUsec);
  if (unsent) LOG_DEBUG("CloseNotification to user %u: %s", uid, unsent->message.c_str());
}

}  // namespace unitoomd
