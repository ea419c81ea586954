#include "desktop/user_sessions.h"

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
      s.signals.reset();
      s.notifications.reset();
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
  sdbus::IConnection* c = s.tracker->connection();
  if (!c) return false;
  if (c != s.connection) {
    s.answers.reset();
    s.signals.reset();
    s.notifications.reset();
    s.signals = sdbus::createObject(*c, kApiPath);
    s.notifications = sdbus::createProxy(*c, "org.freedesktop.Notifications", "/org/freedesktop/Notifications");
    s.connection = c;
    // The bus fills in the sender: only the owner of the name can answer.
    s.answers = c->addMatch(
        "type='signal',sender='org.freedesktop.Notifications',path='/org/freedesktop/Notifications',"
        "interface='org.freedesktop.Notifications',member='ActionInvoked'",
        [this, uid](sdbus::Message& m) {
          try {
            uint32_t id = 0;
            std::string key;
            m >> id >> key;
            if (onAnswer_) onAnswer_(uid, id, key);
          } catch (const sdbus::Error& e) {
            LOG_DEBUG("odd ActionInvoked from user %u's notification server: %s", uid, e.getMessage().c_str());
          } catch (const std::exception& e) {
            LOG_ERROR("handling ActionInvoked: %s", e.what());
          }
        });
  }
  return true;
}

void UserSessions::notify(uid_t uid, const Notification& n) {
  auto it = sessions_.find(uid);
  if (it == sessions_.end() || !ready(it->first, it->second)) {
    LOG_DEBUG("no notification for user %u: not connected to their session bus", uid);
    return;
  }
  try {
    auto call = it->second.notifications->createMethodCall("org.freedesktop.Notifications", "Notify");
    std::map<std::string, sdbus::Variant> hints{{"urgency", sdbus::Variant(uint8_t{2})},
                                                {"desktop-entry", sdbus::Variant(std::string("unitoomd"))}};
    call << std::string("unitoomd") << uint32_t{0} << std::string("dialog-warning") << n.summary << n.body
         << std::vector<std::string>{} << hints << int32_t{-1};
    it->second.notifications->callMethod(
        call,
        [uid](sdbus::MethodReply&, const sdbus::Error* e) {
          if (e) LOG_NOTICE("desktop notification to user %u not shown: %s", uid, e->getMessage().c_str());
        },
        kNotifyTimeoutUsec);
  } catch (const sdbus::Error& e) {
    LOG_NOTICE("desktop notification to user %u not sent: %s", uid, e.getMessage().c_str());
  }
}

void UserSessions::pressureWarning(uid_t uid, const std::string& ruleset, const std::string& description,
                                   const std::string& reason, double secondsLeft) {
  auto it = sessions_.find(uid);
  if (it == sessions_.end() || !ready(it->first, it->second)) return;
  try {
    // sd-bus refuses a string that is not UTF-8 (and a user's unit names
    // may be in these): made safe, or the warning would not be sent at all.
    it->second.signals->emitSignal("PressureWarning")
        .onInterface(kApiInterface)
        .withArguments(utf8Safe(ruleset, shown::kDataBytes), utf8Safe(description, shown::kDataBytes),
                       utf8Safe(reason, shown::kDataBytes), secondsLeft);
  } catch (const sdbus::Error& e) {
    LOG_DEBUG("PressureWarning to user %u not sent: %s", uid, e.getMessage().c_str());
  }
}

}  // namespace unitoomd

namespace unitoomd {

void UserSessions::ask(uid_t uid, const Question& q, Duration shownFor, std::function<void(std::optional<uint32_t>)> replied) {
  auto it = sessions_.find(uid);
  if (it == sessions_.end() || !ready(it->first, it->second)) return replied(std::nullopt);
  try {
    auto call = it->second.notifications->createMethodCall("org.freedesktop.Notifications", "Notify");
    // critical and resident: it stays until answered, as the app waits for it
    std::map<std::string, sdbus::Variant> hints{{"urgency", sdbus::Variant(uint8_t{2})},
                                                {"resident", sdbus::Variant(true)},
                                                {"desktop-entry", sdbus::Variant(std::string("unitoomd"))}};
    call << std::string("unitoomd") << uint32_t{0} << std::string("dialog-question") << q.text.summary << q.text.body << q.actions
         << hints << static_cast<int32_t>(std::chrono::duration_cast<std::chrono::milliseconds>(shownFor).count());
    it->second.notifications->callMethod(
        call,
        [uid, replied](sdbus::MethodReply& reply, const sdbus::Error* e) {
          std::optional<uint32_t> id;
          if (e) {
            LOG_INFO("question to user %u not shown: %s", uid, e->getMessage().c_str());
          } else {
            try {
              uint32_t got = 0;
              reply >> got;
              id = got;
            } catch (const sdbus::Error& bad) {
              LOG_INFO("odd reply to a question from user %u's notification server: %s", uid, bad.getMessage().c_str());
            }
          }
          replied(id);
        },
        kNotifyTimeoutUsec);
  } catch (const sdbus::Error& e) {
    LOG_INFO("question to user %u not sent: %s", uid, e.getMessage().c_str());
    replied(std::nullopt);
  }
}

void UserSessions::withdraw(uid_t uid, uint32_t id) {
  auto it = sessions_.find(uid);
  if (it == sessions_.end() || !ready(it->first, it->second)) return;
  try {
    auto call = it->second.notifications->createMethodCall("org.freedesktop.Notifications", "CloseNotification");
    call << id;
    it->second.notifications->callMethod(
        call, [](sdbus::MethodReply&, const sdbus::Error*) {}, kNotifyTimeoutUsec);
  } catch (const sdbus::Error& e) {
    LOG_DEBUG("CloseNotification to user %u: %s", uid, e.getMessage().c_str());
  }
}

}  // namespace unitoomd
