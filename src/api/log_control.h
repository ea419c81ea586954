// org.freedesktop.LogControl1 at /org/freedesktop/LogControl1, as systemd's
// own daemons offer it: `systemctl service-log-level unitoomd debug` and
// `systemctl service-log-target unitoomd console` change the running
// daemon's logging (systemctl finds the object through the unit's BusName=).
// Anyone may read; only root may change (the bus policy, and the setter
// checks the caller's uid itself).
#pragma once

#include <systemd/sd-bus.h>

#include "bus/error.h"
#include "bus/owned.h"
#include "util/result.h"

namespace unitoomd {

// On the bus while the slot lives.
Result<Slot, BusError> serveLogControl(sd_bus* bus);

}  // namespace unitoomd
