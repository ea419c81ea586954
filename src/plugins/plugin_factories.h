// Factories of the core plugins, one per file below, listed in registry.cpp.
#pragma once

#include <memory>

#include "engine/plugin.h"
#include "engine/plugin_args.h"

namespace unitoomd {

std::unique_ptr<Plugin> makePressureAbove(PluginArgs& args);
std::unique_ptr<Plugin> makePressureRisingBeyond(PluginArgs& args);
std::unique_ptr<Plugin> makeMemoryAbove(PluginArgs& args);
std::unique_ptr<Plugin> makeMemoryReclaim(PluginArgs& args);
std::unique_ptr<Plugin> makeMemoryThrashing(PluginArgs& args);
std::unique_ptr<Plugin> makeSwapFree(PluginArgs& args);
std::unique_ptr<Plugin> makeMemoryExhaustion(PluginArgs& args);
std::unique_ptr<Plugin> makeExists(PluginArgs& args);
std::unique_ptr<Plugin> makeNrDyingDescendants(PluginArgs& args);
std::unique_ptr<Plugin> makeDumpCgroupOverview(PluginArgs& args);
std::unique_ptr<Plugin> makeContinue(PluginArgs& args);
std::unique_ptr<Plugin> makeStop(PluginArgs& args);
std::unique_ptr<Plugin> makeKillByMemorySizeOrGrowth(PluginArgs& args);
std::unique_ptr<Plugin> makeKillBySwapUsage(PluginArgs& args);
std::unique_ptr<Plugin> makeKillByPressure(PluginArgs& args);
std::unique_ptr<Plugin> makeKillByPgScan(PluginArgs& args);
std::unique_ptr<Plugin> makeKillByPressureCause(PluginArgs& args);

}  // namespace unitoomd
