// What every method, property getter and setter we serve (sd_bus_vtable)
// goes through: a failure it reports is the error reply, and nothing it
// throws reaches sd-bus (a bug of ours: logged, answered with Failed).
#pragma once

#include <systemd/sd-bus.h>
#include <sys/types.h>

#include <cstdint>
#include <exception>

#include "util/log.h"

namespace unitoomd {

template <typename F>
int served(sd_bus_error* error, const char* what, F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    LOG_ERROR("answering %s: %s", what, e.what());
    return sd_bus_error_set(error, SD_BUS_ERROR_FAILED, e.what());
  }
}

// The uid of the process that sent `m` (as the bus vouches for it);
// (uid_t)-1 when unknown.
uid_t senderUid(sd_bus_message* m);

// How long senderUid() waits for the bus daemon. A property setter cannot
// answer later, so the question is asked on the loop; a bus daemon frozen
// under the very pressure we fight must not hold a kill for sd-bus's default
// 25 s. Answering takes the bus daemon well under a millisecond.
inline constexpr uint64_t kSenderUidTimeoutUsec = 200'000;

// Asks the bus daemon behind `bus` which uid owns the connection `sender`
// (GetConnectionUnixUser), waiting at most `timeoutUsec`; (uid_t)-1 when it
// does not say in time.
uid_t busDaemonUidOf(sd_bus* bus, const char* sender, uint64_t timeoutUsec);

// Root, or false with an AccessDenied error ("<what> is for root only<why>")
// set and logged.
bool callerIsRoot(sd_bus_message* m, sd_bus_error* error, const char* what, const char* why);

}  // namespace unitoomd
