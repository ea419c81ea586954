// What every method, property getter and setter we serve (sd_bus_vtable)
// goes through: a failure it reports is the error reply, and nothing it
// throws reaches sd-bus (a bug of ours: logged, answered with Failed).
#pragma once

#include <systemd/sd-bus.h>
#include <sys/types.h>

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

// Root, or false with an AccessDenied error ("<what> is for root only<why>")
// set and logged.
bool callerIsRoot(sd_bus_message* m, sd_bus_error* error, const char* what, const char* why);

}  // namespace unitoomd
