// The explicit table of plugins: one line per plugin, no static-initialiser
// registration tricks.
#pragma once

#include "engine/plugin_registry.h"

namespace unitoomd {

const PluginRegistry& builtinPlugins();

}  // namespace unitoomd
