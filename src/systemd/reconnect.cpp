#include "systemd/reconnect.h"

#include "util/event_names.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "systemd/effective_ids.h"
#include "util/nearest_directory.h"

namespace unitoomd {

Result<BusPtr, BusError> openBusAddress(const std::string& address) {
  sd_bus* raw = nullptr;
  int r = sd_bus_new(&raw);
  if (r < 0) return busErrnoError("sd_bus_new", r);
  BusPtr bus(raw);
  if ((r = sd_bus_set_address(raw, address.c_str())) < 0) return busErrnoError(address, r);
  if ((r = sd_bus_set_bus_client(raw, 1)) < 0) return busErrnoError(address, r);
  if ((r = sd_bus_start(raw)) < 0) return busErrnoError(address, r);
  return bus;
}

namespace {

Result<BusPtr, BusError> openSessionBusOf(uid_t uid) {
  std::string dir = "/run/user/" + std::to_string(uid);
  std::string address = "unix:path=" + dir + "/bus";
  if (geteuid() == uid) return openBusAddress(address);
  // The user's runtime directory, as logind made it: its group is the
  // user's own (a user cannot give a file a group they are not in).
  struct stat st {};
  if (lstat(dir.c_str(), &st) < 0) return busErrnoError(dir, -errno);
  if (!S_ISDIR(st.st_mode) || st.st_uid != uid) return BusError{"", dir + " is not a directory owned by the user"};
  // Whatever the user put at .../bus (a socket of theirs, a symlink), it is
  // reached with their rights only.
  auto as = EffectiveIds::take(uid, st.st_gid);
  if (!as) return BusError{"", as.error().message};
  return openBusAddress(address);
}

// `open` is sd_bus_open_system or sd_bus_open_user.
Result<BusPtr, BusError> opened(int (*open)(sd_bus**), const char* what) {
  sd_bus* raw = nullptr;
  int r = open(&raw);
  if (r < 0) return busErrnoError(what, r);
  return BusPtr(raw);
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

std::string socketPathOfAddress(const std::string& address) {
  for (size_t start = 0; start <= address.size();) {
    size_t end = address.find(';', start);
    if (end == std::string::npos) end = address.size();
    std::string one = address.substr(start, end - start);
    if (one.rfind("unix:", 0) == 0) {
      for (size_t k = 5; k < one.size();) {
        size_t comma = one.find(',', k);
        if (comma == std::string::npos) comma = one.size();
        if (one.compare(k, 5, "path=") == 0) return one.substr(k + 5, comma - k - 5);
        k = comma + 1;
      }
    }
    start = end + 1;
  }
  return "";
}

std::string BusAddress::socketPath() const {
  auto fromEnv = [](const char* var) -> std::optional<std::string> {
    const char* v = getenv(var);
    if (!v || !*v) return std::nullopt;
    return socketPathOfAddress(v);
  };
  switch (kind) {
    case BusKind::System: return fromEnv("DBUS_SYSTEM_BUS_ADDRESS").value_or("/run/dbus/system_bus_socket");
    case BusKind::User: {
      if (auto p = fromEnv("DBUS_SESSION_BUS_ADDRESS")) return *p;
      const char* runtime = getenv("XDG_RUNTIME_DIR");
      return runtime && *runtime ? std::string(runtime) + "/bus" : "";
    }
    case BusKind::UserSessionOf: return "/run/user/" + std::to_string(uid) + "/bus";
  }
  return "";
}

Result<BusPtr, BusError> openBus(const BusAddress& bus) {
  switch (bus.kind) {
    case BusKind::System: return opened(sd_bus_open_system, "the system bus");
    case BusKind::User: return opened(sd_bus_open_user, "the session bus");
    case BusKind::UserSessionOf: return openSessionBusOf(bus.uid);
  }
  return BusError{"", "unknown bus"};
}

Reconnect::~Reconnect() {
  if (timer_) sd_event_source_disable_unref(timer_);
  stopWatching();
}

void Reconnect::schedule() {
  if (watchForSocket()) {
    armTimer(kAbsentSocketBackstop);
    return;
  }
  armTimer(backoff_);
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
}

void Reconnect::armTimer(Duration after) {
  uint64_t now = 0;
  sd_event_now(event_, CLOCK_MONOTONIC, &now);
  uint64_t when = now + static_cast<uint64_t>(after.count());
  if (!timer_) {
    sd_event_add_time(event_, &timer_, CLOCK_MONOTONIC, when, 100000, onTimer, this);
    nameSource(timer_, "reconnect-timer:" + socket_);
  } else sd_event_source_set_time(timer_, when);
  sd_event_source_set_enabled(timer_, SD_EVENT_ONESHOT);
}

bool Reconnect::watchForSocket() {
  if (socket_.empty() || socket_[0] != '/' || access(socket_.c_str(), F_OK) == 0) {
    stopWatching();
    return false;
  }
  AwaitPoint at = awaitPointOf(socket_);
  if (watch_ && at.directory == watchedDir_ && at.name == awaitedName_) return true;
  stopWatching();
  if (sd_event_add_inotify(event_, &watch_, at.directory.c_str(), IN_CREATE | IN_MOVED_TO | IN_ONLYDIR, onDirectoryChange, this) <
      0) {
    watch_ = nullptr;
    return false;
  }
  nameSource(watch_, "bus-socket-watch:" + at.directory);
  watchedDir_ = at.directory;
  awaitedName_ = at.name;
  return true;
}

void Reconnect::stopWatching() {
  if (watch_) watch_ = sd_event_source_disable_unref(watch_);
  watchedDir_.clear();
  awaitedName_.clear();
}

int Reconnect::onDirectoryChange(sd_event_source* s, const struct inotify_event* e, void* userdata) {
  countWake(s);
  auto* self = static_cast<Reconnect*>(userdata);
  if (e->len == 0 || self->awaitedName_ != e->name) return 0;  // something else appeared in a busy directory
  if (!self->watchForSocket()) {                               // the socket is there: try now, not at the backstop
    self->backoff_ = kFirstBackoff;
    if (self->timer_) sd_event_source_set_enabled(self->timer_, SD_EVENT_OFF);
    self->retry_();
  }
  return 0;
}

int Reconnect::onTimer(sd_event_source* s, uint64_t, void* userdata) {
  countWake(s);
  static_cast<Reconnect*>(userdata)->retry_();
  return 0;
}

}  // namespace unitoomd
