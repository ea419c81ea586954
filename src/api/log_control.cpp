#include "api/log_control.h"

#include <string>

#include "bus/served.h"
#include "util/log.h"

namespace unitoomd {
namespace {

constexpr const char* kPath = "/org/freedesktop/LogControl1";
constexpr const char* kInterface = "org.freedesktop.LogControl1";

int getLogLevel(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply, void*, sd_bus_error* error) {
  return served(error, "LogLevel", [&] { return sd_bus_message_append(reply, "s", logLevelName(logLevel()).c_str()); });
}

int getLogTarget(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply, void*, sd_bus_error* error) {
  return served(error, "LogTarget", [&] { return sd_bus_message_append(reply, "s", logTargetName(logTarget()).c_str()); });
}

int getSyslogIdentifier(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply, void*, sd_bus_error*) {
  return sd_bus_message_append(reply, "s", "unitoomd");
}

int setLogLevelProperty(sd_bus*, const char*, const char*, const char*, sd_bus_message* value, void*, sd_bus_error* error) {
  return served(error, "LogLevel", [&] {
    const char* text = nullptr;
    int r = sd_bus_message_read(value, "s", &text);
    if (r < 0) return r;
    if (!callerIsRoot(value, error, "setting LogLevel", "")) return -EACCES;
    auto level = parseLogLevelName(text);
    if (!level)
      return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                               "unknown log level '%s' (emerg, alert, crit, err, warning, notice, info, debug)", text);
    setLogLevel(*level);
    LOG_NOTICE("log level set to %s (LogControl1)", logLevelName(*level).c_str());
    return 0;
  });
}

int setLogTargetProperty(sd_bus*, const char*, const char*, const char*, sd_bus_message* value, void*, sd_bus_error* error) {
  return served(error, "LogTarget", [&] {
    const char* text = nullptr;
    int r = sd_bus_message_read(value, "s", &text);
    if (r < 0) return r;
    if (!callerIsRoot(value, error, "setting LogTarget", "")) return -EACCES;
    auto target = parseLogTargetName(text);
    if (!target)
      return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                               "unsupported log target '%s' (auto, journal, console, null)", text);
    setLogTarget(*target);
    LOG_NOTICE("log target set to %s (LogControl1)", logTargetName(*target).c_str());
    return 0;
  });
}

// Writable by any caller as far as sd-bus goes: the setters check for root.
constexpr uint64_t kOpen = SD_BUS_VTABLE_UNPRIVILEGED;

const sd_bus_vtable kVtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_WRITABLE_PROPERTY("LogLevel", "s", getLogLevel, setLogLevelProperty, 0, kOpen | SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_WRITABLE_PROPERTY("LogTarget", "s", getLogTarget, setLogTargetProperty, 0,
                             kOpen | SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("SyslogIdentifier", "s", getSyslogIdentifier, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_VTABLE_END,
};

}  // namespace

Result<Slot, BusError> serveLogControl(sd_bus* bus) {
  sd_bus_slot* slot = nullptr;
  int r = sd_bus_add_object_vtable(bus, &slot, kPath, kInterface, kVtable, nullptr);
  if (r < 0) return busErrnoError(std::string("serving ") + kPath, r);
  return Slot(slot);
}

}  // namespace unitoomd
