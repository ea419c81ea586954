// Heap bytes per followed unit with ManagedOOMMemoryPressure=kill, by part:
// the settings the tracker keeps, the synthesized rulesets (IR) and the
// compiled engine. Pure: no cgroups, no bus; glibc's own count of the bytes
// in use (mallinfo2), so allocator overhead per chunk is included.
//   bench-unit-memory [N] [--leave]     (default 1000)
//   bench-unit-memory N --take-in STEP [--no-carry]
// --leave: exits without freeing the engine, so that under heaptrack what
// a compiled unit ruleset holds is reported as leaked, by allocating stack
// (heaptrack bench-unit-memory 1000 --leave; heaptrack_print --print-leaks).
// --take-in: the units come STEP at a time, and each step recompiles them
// all and puts the new engine in the old one's place, as the daemon does
// while units start in bulk; then malloc_trim(0), and what the heap holds:
// glibc's bytes in use, its arena, and the [heap] mapping's resident size
// (pages a live chunk keeps among freed ones: fragmentation).
// Unchanged rulesets are given by name and fingerprint and taken over, as
// the daemon does (Daemon::recompileUnits). --no-carry: every ruleset
// synthesized whole and compiled again at each step, and the unchanged ones
// swapped back in afterwards (Engine::adoptStateFrom), as main did.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <cstdlib>
#include <cstring>
#include <string>

#include "config/ruleset_loader.h"
#include "policy/unit_policy.h"

using namespace unitoomd;

namespace {

size_t heapInUse() {
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;  // small chunks and mmapped ones
}

size_t heapResidentKib() {
  FILE* f = fopen("/proc/self/smaps", "r");
  if (!f) return 0;
  char line[512];
  bool inHeap = false;
  size_t rss = 0;
  while (fgets(line, sizeof line, f)) {
    const char* space = strchr(line, ' ');
    bool field = space && space > line && space[-1] == ':';  // "Rss:   12 kB"; a mapping's line starts "addr-addr "
    if (!field) inHeap = strstr(line, "[heap]") != nullptr;
    else if (inHeap && strncmp(line, "Rss:", 4) == 0) rss = strtoul(line + 4, nullptr, 10);
  }
  fclose(f);
  return rss;
}

int takeIn(const std::vector<UnitOomSettings>& all, size_t step, bool carry) {
  std::unique_ptr<Engine> running;
  for (size_t k = std::min(step, all.size()); k <= all.size(); k = k == all.size() ? k + 1 : std::min(k + step, all.size())) {
    std::vector<UnitOomSettings> units(all.begin(), all.begin() + static_cast<long>(k));
    // as Daemon::recompileUnits: what runs unchanged given by name and fingerprint
    RunningRulesets given(carry ? running.get() : nullptr);
    UnitPolicy policy = synthesizeUnitPolicy(units, UnitPolicyDefaults{}, [&](const ir::Ruleset& rs) { return given.unchanged(rs); });
    LoadedRules rules = compileRules(RulesSource{}, std::move(policy.rulesets.rulesets), carry ? running.get() : nullptr);
    if (!rules.compiled.engine) {
      fprintf(stderr, "the rulesets did not compile\n");
      return 1;
    }
    if (running) rules.compiled.engine->adoptStateFrom(*running);
    running = std::move(rules.compiled.engine);
  }
  malloc_trim(0);
  struct mallinfo2 m = mallinfo2();
  printf("{\"units\": %zu, \"step\": %zu, \"carry\": %s, \"in_use_kib\": %zu, \"arena_kib\": %zu, \"heap_resident_kib\": %zu}\n",
         all.size(), step, carry ? "true" : "false", (m.uordblks + m.hblkhd) / 1024, m.arena / 1024, heapResidentKib());
  return 0;
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
  if (argc > 3 && strcmp(argv[2], "--take-in") == 0)
    return takeIn(units, std::max<size_t>(1, std::strtoul(argv[3], nullptr, 10)), !(argc > 4 && strcmp(argv[4], "--no-carry") == 0));
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
  if (argc > 2 && strcmp(argv[2], "--leave") == 0) {
    fflush(stdout);
    _exit(0);
  }
  return 0;
}
