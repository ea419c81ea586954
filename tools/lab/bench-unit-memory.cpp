// Heap bytes per followed unit with ManagedOOMMemoryPressure=kill, by part:
// the settings the tracker keeps, the synthesized rulesets (IR) and the
// compiled engine. Pure: no cgroups, no bus; glibc's own count of the bytes
// in use (mallinfo2), so allocator overhead per chunk is included.
//   bench-unit-memory [N]     (default 1000)
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "config/ruleset_loader.h"
#include "policy/unit_policy.h"

using namespace unitoomd;

namespace {

size_t heapInUse() {
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;  // small chunks and mmapped ones
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000;
  size_t start = heapInUse();
  std::vector<UnitOomSettings> units;
  for (size_t i = 1; i <= n; ++i) {
    UnitOomSettings u;
    u.name = "idle-" + std::to_string(i) + ".slice";
    u.cgroup = "/idle.slice/" + u.name;
    u.activeState = "active";
    u.managedOOMMemoryPressure = "kill";
    units.push_back(std::move(u));
  }
  size_t settings = heapInUse() - start;
  UnitPolicy policy = synthesizeUnitPolicy(units, UnitPolicyDefaults{});
  size_t ir = heapInUse() - start - settings;
  LoadedRules rules = compileRules(RulesSource{}, policy.rulesets.rulesets);
  if (!rules.compiled.engine) {
    fprintf(stderr, "the rulesets did not compile\n");
    return 1;
  }
  policy = UnitPolicy{};
  size_t engine = heapInUse() - start - settings;
  printf(
      "{\"units\": %zu, \"rulesets\": %zu, \"settings_bytes_per_unit\": %zu, \"ir_bytes_per_unit\": %zu, "
      "\"engine_bytes_per_unit\": %zu}\n",
      n, rules.compiled.engine->rulesets().size(), settings / n, ir / n, engine / n);
  return 0;
}
