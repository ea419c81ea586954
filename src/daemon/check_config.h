#pragma once

#include <string>
#include <vector>

#include "config/diagnostics.h"

namespace unitoomd {

// Validates INI (*.conf) and JSON (*.json; a file in a *.d directory is a
// drop-in) files the way the daemon would load them.
Diagnostics checkConfigFiles(const std::vector<std::string>& files);

}  // namespace unitoomd
