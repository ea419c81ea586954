// org.freedesktop.oom1's DumpByFileDescriptor, for people used to
// `oomctl dump` (Debian's systemd-oomd package): while systemd-oomd is not
// running, unitoomd owns its bus name and answers with its own dump. The name
// is held with ALLOW_REPLACEMENT, and systemd-oomd, when it starts, queues
// for it: unitoomd's Conflicts=systemd-oomd.service stops unitoomd first, and
// the name passes on.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <sdbus-c++/sdbus-c++.h>

namespace unitoomd {

// Null when the name has an owner already (systemd-oomd runs) or cannot be
// had; the reason is logged.
std::unique_ptr<sdbus::IObject> offerOom1Dump(sdbus::IConnection& connection, std::function<std::string()> dumpText);

}  // namespace unitoomd
