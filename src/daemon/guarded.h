// Nothing thrown may unwind through sd-event's C frames: every callback the
// daemon's parts give the loop runs its work through guarded().
#pragma once

#include <exception>

#include "util/log.h"

namespace unitoomd {

template <typename F>
int guarded(const char* where, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    LOG_ERROR("%s: %s", where, e.what());
  }
  return 0;
}

}  // namespace unitoomd
