#include "desktop/system_instance_watch.h"

#include <algorithm>

#include "util/log.h"

namespace unitoomd {
namespace {

constexpr const char* kName = "org.unitoomd1";
constexpr const char* kPath = "/org/unitoomd1";
constexpr const char* kInterface = "org.unitoomd1.Manager";

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
  bus_.reset();
  manager_.reset();
  loop_.reset();
  connection_.reset();
}

void SystemInstanceWatch::connect() {
  try {
    connection_ = openBus(BusKind::System);
    manager_ = sdbus::createProxy(*connection_, kName, kPath);
    bus_ = sdbus::createProxy(*connection_, "org.freedesktop.DBus", "/org/freedesktop/DBus");
    auto onSignal = [this](sdbus::Message&) { check(); };
    matches_.push_back(connection_->addMatch(
        std::string("type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',arg0='") + kName + "'", onSignal));
    matches_.push_back(connection_->addMatch(std::string("type='signal',sender='") + kName + "',path='" + kPath +
                                                 "',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged'",
                                             onSignal));
  } catch (const sdbus::Error& e) {
    LOG_DEBUG("system bus: %s (no system instance to defer to)", e.getMessage().c_str());
    disconnect();
    set(false);
    reconnect_.schedule();
    return;
  }
  loop_ = std::make_unique<BusLoop>(
      event_, *connection_,
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
// installed but not running (D-Bus activation).
void SystemInstanceWatch::check() {
  if (!manager_) return;
  try {
    auto has = bus_->createMethodCall("org.freedesktop.DBus", "NameHasOwner");
    has << std::string(kName);
    bus_->callMethod(has, [this](sdbus::MethodReply& reply, const sdbus::Error* e) {
      bool owned = false;
      if (!e) reply >> owned;
      if (!owned) return set(false);
      auto get = manager_->createMethodCall("org.freedesktop.DBus.Properties", "Get");
      get << std::string(kInterface) << std::string("FollowedUsers");
      manager_->callMethod(get, [this](sdbus::MethodReply& r, const sdbus::Error* err) {
        if (err) return set(false);  // too old to follow users
        sdbus::Variant v;
        r >> v;
        auto uids = v.get<std::vector<uint32_t>>();
        set(std::find(uids.begin(), uids.end(), uid_) != uids.end());
      });
    });
  } catch (const sdbus::Error&) {
    set(false);
  }
}

void SystemInstanceWatch::set(bool follows) {
  if (follows == follows_) return;
  follows_ = follows;
  changed_(follows);
}

}  // namespace unitoomd
