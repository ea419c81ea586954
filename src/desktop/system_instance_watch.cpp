#include "desktop/system_instance_watch.h"

#include <algorithm>

#include "bus/call.h"
#include "bus/message.h"
#include "util/log.h"

namespace unitoomd {
namespace {

constexpr const char* kName = "org.unitoomd1";
constexpr const char* kPath = "/org/unitoomd1";
constexpr const char* kInterface = "org.unitoomd1.Manager";
constexpr uint64_t kCallTimeoutUsec = 25'000'000;  // sd-bus's default, which the calls had before

}  // namespace

SystemInstanceWatch::SystemInstanceWatch(sd_event* event, uid_t uid, std::function<void(bool)> changed)
    : event_(event),
      uid_(uid),
      changed_(std::move(changed)),
      reconnect_(
          event, [this] { connect(); }, BusAddress(BusKind::System).socketPath()) {}

SystemInstanceWatch::~SystemInstanceWatch() { disconnect(); }

void SystemInstanceWatch::disconnect() {
  matches_.clear();
  loop_.reset();
  connection_.reset();
}

void SystemInstanceWatch::connect() {
  auto failed = [&](const std::string& why) {
    LOG_DEBUG("system bus: %s (no system instance to defer to)", why.c_str());
    disconnect();
    set(false);
    reconnect_.schedule();
  };
  auto opened = openBus(BusKind::System);
  if (!opened) return failed(opened.error().message);
  connection_ = std::move(*opened);
  auto onSignal = [this](sd_bus_message*) { check(); };
  for (const auto& [rule, what] :
       {std::pair{std::string("type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',arg0='") + kName + "'",
                  "NameOwnerChanged of org.unitoomd1"},
        std::pair{std::string("type='signal',sender='") + kName + "',path='" + kPath +
                      "',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged'",
                  "the system instance's PropertiesChanged"}}) {
    auto match = addMatch(connection_.get(), rule, onSignal, what);
    if (!match) return failed(match.error().message);
    matches_.push_back(std::move(*match));
  }
  loop_ = std::make_unique<BusLoop>(
      event_, connection_.get(),
      [this](const std::string&) {
        disconnect();
        set(false);
        reconnect_.schedule();
      },
      BusLoop::Priority::Normal, "system-instance-watch-bus");
  reconnect_.succeeded();
  check();
}

// NameHasOwner first: a Get would start a system instance that is
// installed but not running (D-Bus activation). Replies come on the
// connection, which is ours: they find this watch alive.
void SystemInstanceWatch::check() {
  if (!connection_) return;
  sd_bus* bus = connection_.get();
  auto unsent = callAsync(
      bus, {"org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner"},
      [](sd_bus_message* m) { return sd_bus_message_append(m, "s", kName); },
      [this, bus](sd_bus_message* reply, const BusError* e) {
        int owned = 0;
        if (e || sd_bus_message_read(reply, "b", &owned) <= 0 || !owned) return set(false);
        auto unsentGet = callAsync(
            bus, {kName, kPath, "org.freedesktop.DBus.Properties", "Get"},
            [](sd_bus_message* m) { return sd_bus_message_append(m, "ss", kInterface, "FollowedUsers"); },
            [this](sd_bus_message* r, const BusError* err) {
              std::vector<uint32_t> uids;
              if (err || !readVariant(r, uids)) return set(false);  // too old to follow users
              set(std::find(uids.begin(), uids.end(), uid_) != uids.end());
            },
            kCallTimeoutUsec);
        if (unsentGet) set(false);
      },
      kCallTimeoutUsec);
  if (unsent) set(false);
}

void SystemInstanceWatch::set(bool follows) {
  if (follows == follows_) return;
  follows_ = follows;
  changed_(follows);
}

}  // namespace unitoomd
