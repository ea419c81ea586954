// Waiting for a path that does not exist yet (a bus socket, a control
// directory) means watching the nearest directory on it that does, for the
// next name on the path to appear there.
#pragma once

#include <string>

namespace unitoomd {

struct AwaitPoint {
  std::string directory;  // the nearest existing ancestor ("/" at worst)
  std::string name;       // the next name on the path inside it; empty when the path exists
};

// `path` must be absolute.
AwaitPoint awaitPointOf(const std::string& path);

}  // namespace unitoomd
