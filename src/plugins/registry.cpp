#include "plugins/registry.h"

#include "plugins/plugin_factories.h"

namespace unitoomd {

const PluginRegistry& builtinPlugins() {
  static const PluginRegistry table({
      {"pressure_above", makePressureAbove, "stall above a threshold for a duration"},
      {"pressure_rising_beyond", makePressureRisingBeyond, "avg60 above a threshold and avg10 not falling"},
      {"memory_above", makeMemoryAbove, "memory use above a size or % of RAM for a duration"},
      {"memory_reclaim", makeMemoryReclaim, "reclaim happened within a duration"},
      {"memory_thrashing", makeMemoryThrashing, "refaults show harmful reclaim (thrashing)"},
      {"swap_free", makeSwapFree, "free swap below a percentage"},
      {"memory_exhaustion", makeMemoryExhaustion, "memory predicted to run out within a time, at the present rate"},
      {"exists", makeExists, "a cgroup exists (or not)"},
      {"nr_dying_descendants", makeNrDyingDescendants, "dying descendants at most (or above) a count"},
      {"dump_cgroup_overview", makeDumpCgroupOverview, "log an overview of cgroups under pressure"},
      {"continue", makeContinue, "always continue"},
      {"stop", makeStop, "always stop"},
      {"kill_by_memory_size_or_growth", makeKillByMemorySizeOrGrowth, "kill the largest or fastest-growing cgroup"},
      {"kill_by_swap_usage", makeKillBySwapUsage, "kill the cgroup using the most swap"},
      {"kill_by_pressure", makeKillByPressure, "kill the cgroup under the most pressure"},
      {"kill_by_pg_scan", makeKillByPgScan, "kill the cgroup scanning the most pages"},
      {"kill_by_pressure_cause", makeKillByPressureCause, "kill the cgroup causing memory pressure (own stall, refaults)"},
  });
  return table;
}

}  // namespace unitoomd
