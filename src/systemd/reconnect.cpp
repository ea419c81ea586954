#include "systemd/reconnect.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace unitoomd {

namespace {

// Effective ids switched for a scope; restored however it is left.
class EffectiveIds {
 public:
  EffectiveIds(uid_t uid, gid_t gid) : uid_(geteuid()), gid_(getegid()) {
    if (setegid(gid) < 0) throw sdbus::Error("org.unitoomd1.Error.Credentials", std::string("setegid: ") + strerror(errno));
    if (seteuid(uid) < 0) {
      int e = errno;
      (void)setegid(gid_);
      throw sdbus::Error("org.unitoomd1.Error.Credentials", std::string("seteuid: ") + strerror(e));
    }
  }
  ~EffectiveIds() {
    (void)seteuid(uid_);
    (void)setegid(gid_);
  }
  EffectiveIds(const EffectiveIds&) = delete;
  EffectiveIds& operator=(const EffectiveIds&) = delete;

 private:
  uid_t uid_;
  gid_t gid_;
};

std::unique_ptr<sdbus::IConnection> openSessionBusOf(uid_t uid) {
  std::string dir = "/run/user/" + std::to_string(uid);
  struct stat st{};
  if (stat((dir + "/bus").c_str(), &st) < 0)
    throw sdbus::Error("org.unitoomd1.Error.NoSessionBus", dir + "/bus: " + strerror(errno));
  if (st.st_uid != uid) throw sdbus::Error("org.unitoomd1.Error.NoSessionBus", dir + "/bus is not owned by the user");
  if (geteuid() == uid) return sdbus::createSessionBusConnectionWithAddress("unix:path=" + dir + "/bus");
  EffectiveIds as(uid, st.st_gid);
  return sdbus::createSessionBusConnectionWithAddress("unix:path=" + dir + "/bus");
}

}  // namespace

std::string BusAddress::describe() const {
  switch (kind) {
    case BusKind::System: return "system bus";
    case BusKind::User: return "user's session bus";
    case BusKind::UserSessionOf: return "session bus of user " + std::to_string(uid);
  }
  return "?";
}

std::unique_ptr<sdbus::IConnection> openBus(const BusAddress& bus) {
  switch (bus.kind) {
    case BusKind::System: return sdbus::createSystemBusConnection();
    case BusKind::User: return sdbus::createSessionBusConnection();
    case BusKind::UserSessionOf: return openSessionBusOf(bus.uid);
  }
  throw sdbus::Error("org.unitoomd1.Error.NoBus", "unknown bus");
}

Reconnect::~Reconnect() {
  if (timer_) sd_event_source_disable_unref(timer_);
}

void Reconnect::schedule() {
  uint64_t now = 0;
  sd_event_now(event_, CLOCK_MONOTONIC, &now);
  uint64_t when = now + static_cast<uint64_t>(backoff_.count());
  if (!timer_) sd_event_add_time(event_, &timer_, CLOCK_MONOTONIC, when, 100000, onTimer, this);
  else sd_event_source_set_time(timer_, when);
  sd_event_source_set_enabled(timer_, SD_EVENT_ONESHOT);
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
}

int Reconnect::onTimer(sd_event_source*, uint64_t, void* userdata) {
  static_cast<Reconnect*>(userdata)->retry_();
  return 0;
}

}  // namespace unitoomd
