// sd-bus reports failure two ways: a negative errno from the call, and an
// error reply (a D-Bus error name and message) from the peer. Both are
// values here (README, "Errors: one rule"): a BusError, the name empty when
// only an errno is known.
#pragma once

#include <systemd/sd-bus.h>

#include <string>

namespace unitoomd {

struct BusError {
  std::string name;  // "org.freedesktop.DBus.Error.UnknownObject"; empty for a local failure
  std::string message;
  bool is(const char* errorName) const { return name == errorName; }
};

// `what` failed with -errno `r`: "what: strerror".
BusError busErrnoError(const std::string& what, int r);
// An error reply (sd_bus_message_get_error's), or what `r` says when it has
// no message.
BusError busErrorOf(const sd_bus_error* e, int r);

}  // namespace unitoomd
