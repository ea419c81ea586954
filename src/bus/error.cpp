#include "bus/error.h"

#include <cstring>

namespace unitoomd {

BusError busErrnoError(const std::string& what, int r) { return BusError{"", what + ": " + strerror(r < 0 ? -r : r)}; }

BusError busErrorOf(const sd_bus_error* e, int r) {
  if (e && sd_bus_error_is_set(e))
    return BusError{e->name, e->message ? std::string(e->message) : std::string(e->name)};
  return BusError{"", strerror(r < 0 ? -r : r)};
}

}  // namespace unitoomd
