// The explicit table of plugins: one line per plugin, no static-initialiser
// registration tricks.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "engine/plugin.h"
#include "engine/plugin_args.h"

namespace unitoomd {

using PluginFactory = std::unique_ptr<Plugin> (*)(PluginArgs& args);

struct PluginInfo {
  const char* name;
  PluginFactory make;
  const char* summary;
};

const std::vector<PluginInfo>& pluginTable();
const PluginInfo* findPlugin(std::string_view name);

}  // namespace unitoomd
