#include "api/api_service.h"

#include "api/log_control.h"
#include "api/oom1_compat.h"
#include "util/log.h"

namespace unitoomd {
namespace {

constexpr const char* kLmmName = "org.freedesktop.LowMemoryMonitor";
constexpr const char* kLmmPath = "/org/freedesktop/LowMemoryMonitor";

}  // namespace

ApiService::ApiService(sd_event* event, BusKind bus, ApiModel& model)
    : event_(event),
      bus_(bus),
      model_(model),
      reconnect_(
          event, [this] { connect(); }, BusAddress(bus).socketPath()) {}

ApiService::~ApiService() { disconnect(); }

void ApiService::connect() {
  const char* which = bus_ == BusKind::System ? "system bus" : "session bus";
  try {
    connection_ = openBus(bus_);
    object_ = std::make_unique<ManagerObject>(*connection_, model_);
    logControl_ = makeLogControlObject(*connection_);
    connection_->requestName(kBusName);
  } catch (const sdbus::Error& e) {
    if (!warned_) LOG_WARN("cannot offer %s on the %s (%s); retrying", kBusName, which, e.getMessage().c_str());
    warned_ = true;
    disconnect();
    reconnect_.schedule();
    return;
  }
  loop_ = std::make_unique<BusLoop>(
      event_, *connection_,
      [this](const std::string& why) {
        LOG_WARN("lost the bus our API is on (%s); offering it again", why.c_str());
        disconnect();
        reconnect_.schedule();
      },
      BusLoop::Priority::Normal, "api-bus");
  reconnect_.succeeded();
  warned_ = false;
  LOG_INFO("offering %s on the %s", kBusName, which);
  claimLowMemoryMonitor();
  if (bus_ == BusKind::System) {
    oom1_ = offerOom1Dump(*connection_, [this] {
      return "unitoomd answers for systemd-oomd, which is not running (org.freedesktop.oom1)\n\n" +
             renderDump(model_.snapshot(true));
    });
  }
}

void ApiService::disconnect() {
  loop_.reset();
  lowMemoryMonitor_.reset();
  oom1_.reset();
  logControl_.reset();
  object_.reset();
  connection_.reset();
}

void ApiService::setLowMemoryMonitor(LowMemoryMonitorMode mode) {
  if (bus_ != BusKind::System) mode = LowMemoryMonitorMode::No;  // GLib listens on the system bus only
  if (mode == lowMemoryMonitorMode_) return;
  lowMemoryMonitorMode_ = mode;
  if (lowMemoryMonitor_ && connection_) {
    lowMemoryMonitor_.reset();
    try {
      connection_->releaseName(kLmmName);
    } catch (const sdbus::Error&) {
    }
    LOG_INFO("no longer offering %s", kLmmName);
  }
  claimLowMemoryMonitor();
}

// Checked when the connection is made: a low-memory-monitor started later
// finds the name taken and says so in its own log.
void ApiService::claimLowMemoryMonitor() {
  if (!connection_ || lowMemoryMonitor_ || lowMemoryMonitorMode_ == LowMemoryMonitorMode::No) return;
  try {
    auto bus = sdbus::createProxy(*connection_, "org.freedesktop.DBus", "/org/freedesktop/DBus");
    bool owned = false;
    bus->callMethod("NameHasOwner")
        .onInterface("org.freedesktop.DBus")
        .withArguments(std::string(kLmmName))
        .storeResultsTo(owned);
    if (owned) {
      LOG_INFO("%s is provided by another process; not offering it", kLmmName);
      return;
    }
    if (lowMemoryMonitorMode_ == LowMemoryMonitorMode::Auto) {
      std::vector<std::string> activatable;
      bus->callMethod("ListActivatableNames").onInterface("org.freedesktop.DBus").storeResultsTo(activatable);
      for (const auto& n : activatable)
        if (n == kLmmName) {
          LOG_INFO("%s is installed (activatable); not offering it (LowMemoryMonitor=yes would)", kLmmName);
          return;
        }
    }
    auto object = sdbus::createObject(*connection_, kLmmPath);
    object->registerSignal("LowMemoryWarning").onInterface(kLmmName).withParameters<uint8_t>("level");
    object->finishRegistration();
    connection_->requestName(kLmmName);
    lowMemoryMonitor_ = std::move(object);
    LOG_INFO("offering %s on the system bus: applications that listen (GLib's GMemoryMonitor) are warned before a kill",
             kLmmName);
  } catch (const sdbus::Error& e) {
    LOG_NOTICE("not offering %s: %s", kLmmName, e.getMessage().c_str());
  }
}

void ApiService::lowMemoryWarning(uint8_t level) {
  if (!lowMemoryMonitor_) return;
  try {
    lowMemoryMonitor_->emitSignal("LowMemoryWarning").onInterface(kLmmName).withArguments(level);
  } catch (const sdbus::Error& e) {
    LOG_DEBUG("LowMemoryWarning not sent: %s", e.getMessage().c_str());
  }
}

}  // namespace unitoomd
