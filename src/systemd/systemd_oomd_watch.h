// Warns when systemd-oomd runs beside us on a bus: two OOM killers acting on
// the same cgroups. Looks when made (on every connect) and whenever someone
// takes org.freedesktop.oom1. Lives as long as the connection it watches.
#pragma once

#include <memory>
#include <string>

#include <sdbus-c++/sdbus-c++.h>

namespace unitoomd {

class SystemdOomdWatch {
 public:
  // Null if the bus refused the match (the warning is a courtesy: nothing
  // else depends on it).
  static std::unique_ptr<SystemdOomdWatch> start(sdbus::IConnection& connection);

 private:
  explicit SystemdOomdWatch(sdbus::IConnection& connection);
  void check();
  void warnUnlessItIsUs(const std::string& owner);

  std::unique_ptr<sdbus::IProxy> dbus_;
  sdbus::Slot ownerChanges_;
};

}  // namespace unitoomd
