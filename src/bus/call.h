// Method calls whose answer comes later, on the loop that runs the bus
// (BusLoop), and signal matches. The handler is owned by sd-bus's slot and
// freed with it; nothing it throws reaches sd-bus (logged, the loop goes on).
//
// A call's slot floats (the bus owns it): its handler runs once, with the
// reply or the error (the peer's, or sd-bus's own: a timeout, the
// connection gone), or never if the connection is closed first. So a
// handler may capture only what lives as long as the connection, or what it
// holds itself (a shared_ptr).
#pragma once

#include <systemd/sd-bus.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "bus/error.h"
#include "bus/owned.h"
#include "util/result.h"

namespace unitoomd {

struct BusMethod {
  const char* destination;
  const char* path;
  const char* interface;
  const char* member;
};

// reply: null when `error` is set.
using ReplyHandler = std::function<void(sd_bus_message* reply, const BusError* error)>;
// Appends the call's arguments (sd_bus_message_append); returns its result.
using ArgsWriter = std::function<int(sd_bus_message* call)>;

// Sends the call; the error when it could not be sent (then `handler` is
// never called), else nothing.
std::optional<BusError> callAsync(sd_bus* bus, const BusMethod& method, const ArgsWriter& args, ReplyHandler handler,
                                 uint64_t timeoutUsec);

using SignalHandler = std::function<void(sd_bus_message* signal)>;

// Installs the match asynchronously (the loop never waits on the bus for
// AddMatch); a refusal is logged, naming `what`. The match lasts as long as
// the slot returned.
Result<Slot, BusError> addMatch(sd_bus* bus, const std::string& rule, SignalHandler handler, const std::string& what);

}  // namespace unitoomd
