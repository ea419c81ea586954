// Warns when systemd-oomd runs beside us on a bus: two OOM killers acting on
// the same cgroups. Looks when made (on every connect) and whenever someone
// takes org.freedesktop.oom1. Lives as long as the connection it watches.
#pragma once

#include <systemd/sd-bus.h>

#include <memory>
#include <string>

#include "bus/owned.h"

namespace unitoomd {

class SystemdOomdWatch {
 public:
  // Null if the bus refused the match (the warning is a courtesy: nothing
  // else depends on it).
  static std::unique_ptr<SystemdOomdWatch> start(sd_bus* bus);

 private:
  explicit SystemdOomdWatch(sd_bus* bus) : bus_(bus) {}
  void check();

  sd_bus* bus_;
  Slot ownerChanges_;
};

}  // namespace unitoomd
