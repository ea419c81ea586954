// What a desktop must keep: the user manager, the bus, the compositor and
// shell, audio. Names are shell globs (fnmatch) over cgroup names (the unit
// names systemd gives them) or process command names. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace unitoomd {

bool matchesAny(std::string_view name, const std::vector<std::string>& globs);

// The first component of `cgroupPath` (the cgroup itself or an ancestor)
// whose name matches; empty when none does.
std::string protectedComponent(std::string_view cgroupPath, const std::vector<std::string>& globs);

// The last component of a cgroup path ("/a/b.scope" -> "b.scope"; "/" -> "").
std::string_view cgroupName(std::string_view cgroupPath);

}  // namespace unitoomd
