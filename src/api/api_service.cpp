#include "api/api_service.h"

#include <cstring>

#include "api/log_control.h"
#include "bus/error.h"
#include "util/log.h"

namespace unitoomd {
namespace {

constexpr const char* kLmmName = "org.freedesktop.LowMemoryMonitor";
constexpr const char* kLmmPath = "/org/freedesktop/LowMemoryMonitor";

// low-memory-monitor's one signal; nothing to call.
const sd_bus_vtable kLmmVtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_SIGNAL_WITH_NAMES("LowMemoryWarning", "y", SD_BUS_PARAM(level), 0),
    SD_BUS_VTABLE_END,
};

// A call to the bus itself, made while connecting (the loop waits for it).
int askBus(sd_bus* bus, const char* member, sd_bus_error* error, sd_bus_message** reply, const char* types, const char* name) {
  return sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", member, error, reply,
                            types, name);
}

// The error's text, freed.
std::string taken(sd_bus_error& error, int r) {
  std::string text = busErrorOf(&error, r).message;
  sd_bus_error_free(&error);
  return text;
}

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
  auto failed = [&](const std::string& why) {
    if (!warned_) LOG_WARN("cannot offer %s on the %s (%s); retrying", kBusName, which, why.c_str());
    warned_ = true;
    disconnect();
    reconnect_.schedule();
  };
  auto opened = openBus(bus_);
  if (!opened) return failed(opened.error().message);
  connection_ = std::move(*opened);
  auto object = ManagerObject::serve(connection_.get(), model_);
  if (!object) return failed(object.error().message);
  object_ = std::move(*object);
  auto logControl = serveLogControl(connection_.get());
  if (!logControl) return failed(logControl.error().message);
  logControl_ = std::move(*logControl);
  // Synchronous, as sd_bus_request_name is: the name is ours before the
  // loop runs, or the connection fails.
  if (int r = sd_bus_request_name(connection_.get(), kBusName, 0); r < 0)
    return failed(std::string("RequestName: ") + strerror(-r));
  loop_ = std::make_unique<BusLoop>(
      event_, connection_.get(),
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
    oom1_ = offerOom1Dump(connection_.get(), [this] {
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
    sd_bus_release_name(connection_.get(), kLmmName);
    LOG_INFO("no longer offering %s", kLmmName);
  }
  claimLowMemoryMonitor();
}

// Checked when the connection is made: a low-memory-monitor started later
// finds the name taken and says so in its own log.
void ApiService::claimLowMemoryMonitor() {
  if (!connection_ || lowMemoryMonitor_ || lowMemoryMonitorMode_ == LowMemoryMonitorMode::No) return;
  sd_bus* bus = connection_.get();
  sd_bus_error error = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  int owned = 0;
  int r = askBus(bus, "NameHasOwner", &error, &reply, "s", kLmmName);
  if (r >= 0) r = sd_bus_message_read(reply, "b", &owned);
  reply = sd_bus_message_unref(reply);
  if (r < 0) return LOG_NOTICE("not offering %s: %s", kLmmName, taken(error, r).c_str());
  if (owned) {
    LOG_INFO("%s is provided by another process; not offering it", kLmmName);
    return;
  }
  if (lowMemoryMonitorMode_ == LowMemoryMonitorMode::Auto) {
    char** activatable = nullptr;
    r = askBus(bus, "ListActivatableNames", &error, &reply, "", nullptr);
    if (r >= 0) r = sd_bus_message_read_strv(reply, &activatable);
    reply = sd_bus_message_unref(reply);
    if (r < 0) return LOG_NOTICE("not offering %s: %s", kLmmName, taken(error, r).c_str());
    bool installed = false;
    for (char** n = activatable; n && *n; ++n) {
      installed = installed || std::string(*n) == kLmmName;
      free(*n);
    }
    free(activatable);
    if (installed) {
      LOG_INFO("%s is installed (activatable); not offering it (LowMemoryMonitor=yes would)", kLmmName);
      return;
    }
  }
  sd_bus_slot* slot = nullptr;
  if ((r = sd_bus_add_object_vtable(bus, &slot, kLmmPath, kLmmName, kLmmVtable, nullptr)) < 0 ||
      (r = sd_bus_request_name(bus, kLmmName, 0)) < 0) {
    sd_bus_slot_unref(slot);
    return LOG_NOTICE("not offering %s: %s", kLmmName, strerror(-r));
  }
  lowMemoryMonitor_.reset(slot);
  LOG_INFO("offering %s on the system bus: applications that listen (GLib's GMemoryMonitor) are warned before a kill",
           kLmmName);
}

void ApiService::lowMemoryWarning(uint8_t level) {
  if (!lowMemoryMonitor_) return;
  if (int r = sd_bus_emit_signal(connection_.get(), kLmmPath, kLmmName, "LowMemoryWarning", "y", level); r < 0)
    LOG_DEBUG("LowMemoryWarning not sent: %s", strerror(-r));
}

}  // namespace unitoomd
