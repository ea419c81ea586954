// Puts the Manager object on the bus under the name org.unitoomd1 (the system
// bus for the system instance, the session bus with --user), inside our
// sd-event loop, and puts it back after the bus went away (with back-off).
#pragma once

#include <systemd/sd-event.h>

#include <memory>
#include <string>

#include "api/manager_object.h"
#include "api/oom1_compat.h"
#include "bus/owned.h"
#include "systemd/bus_loop.h"
#include "systemd/reconnect.h"

namespace unitoomd {

class ApiService {
 public:
  static constexpr const char* kBusName = "org.unitoomd1";
  ApiService(sd_event* event, BusKind bus, ApiModel& model);
  ~ApiService();
  ApiService(const ApiService&) = delete;
  ApiService& operator=(const ApiService&) = delete;

  void start() { connect(); }
  // Null while not on the bus.
  ManagerObject* object() { return object_.get(); }

  // org.freedesktop.LowMemoryMonitor beside our own name (system bus only):
  // Yes claims it unless another process owns it, Auto also leaves it to an
  // installed low-memory-monitor (an activatable name), No never offers it.
  enum class LowMemoryMonitorMode { Auto, Yes, No };
  void setLowMemoryMonitor(LowMemoryMonitorMode mode);
  bool offersLowMemoryMonitor() const { return lowMemoryMonitor_ != nullptr; }
  // LowMemoryWarning(level): 50 low, 100 medium, 255 critical (GLib's
  // G_MEMORY_MONITOR_WARNING_LEVEL_*); a no-op when not offered.
  void lowMemoryWarning(uint8_t level);

 private:
  void connect();
  void disconnect();
  void claimLowMemoryMonitor();

  sd_event* event_;
  BusKind bus_;
  ApiModel& model_;
  BusPtr connection_;
  std::unique_ptr<ManagerObject> object_;
  Slot logControl_;                  // org.freedesktop.LogControl1
  std::unique_ptr<Oom1Dump> oom1_;  // oomctl's dump, while systemd-oomd is not running
  Slot lowMemoryMonitor_;
  LowMemoryMonitorMode lowMemoryMonitorMode_ = LowMemoryMonitorMode::No;
  std::unique_ptr<BusLoop> loop_;
  Reconnect reconnect_;
  bool warned_ = false;
};

}  // namespace unitoomd
