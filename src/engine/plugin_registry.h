// What the compiler may build: plugin names to factories. The compiler is
// handed one, so the engine does not depend on the plugin set: the daemon
// hands it the built-in table (plugins/registry.h), tests may hand their own.
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

class PluginRegistry {
 public:
  explicit PluginRegistry(std::vector<PluginInfo> plugins) : plugins_(std::move(plugins)) {}

  const PluginInfo* find(std::string_view name) const {
    for (const auto& p : plugins_)
      if (name == p.name) return &p;
    return nullptr;
  }
  const std::vector<PluginInfo>& plugins() const { return plugins_; }

 private:
  std::vector<PluginInfo> plugins_;
};

}  // namespace unitoomd
