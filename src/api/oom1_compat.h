// org.freedesktop.oom1's DumpByFileDescriptor, for people used to
// `oomctl dump` (Debian's systemd-oomd package): while systemd-oomd is not
// running, unitoomd owns its bus name and answers with its own dump. The name
// is held with ALLOW_REPLACEMENT, and systemd-oomd, when it starts, queues
// for it: unitoomd's Conflicts=systemd-oomd.service stops unitoomd first, and
// the name passes on.
#pragma once

#include <systemd/sd-bus.h>

#include <functional>
#include <memory>
#include <string>

#include "bus/owned.h"

namespace unitoomd {

struct Oom1Dump {
  std::function<std::string()> dumpText;  // what each call answers
  Slot slot;                              // the object on the bus
};

// The object, served while it lives; null when the name has an owner
// already (systemd-oomd runs) or cannot be had; the reason is logged.
// Asks the bus synchronously (once, when the connection is made).
std::unique_ptr<Oom1Dump> offerOom1Dump(sd_bus* bus, std::function<std::string()> dumpText);

}  // namespace unitoomd
