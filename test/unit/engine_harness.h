// An engine over a fixture tree, for plugin and fault tests: rules compiled
// from JSON snippets, samples at chosen times, kills recorded instead of
// sent (the recorder plays the kernel's part: a killed cgroup becomes
// unpopulated, unless it is one of the `survivors`).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "act/killer.h"
#include "config/ruleset_json.h"
#include "engine/compiler.h"
#include "plugins/registry.h"
#include "engine/report.h"
#include "fixture.h"

namespace unitoomd::test {

struct RecordedKill : KillOperation {
  using KillOperation::KillOperation;
  void refuse() { fail("refused"); }
  void sent(TimePoint at) { signalled(at, "recorded", 1); }
};

struct RecordingKiller : Killer {
  std::vector<std::string> killed;
  std::set<std::string> failing, survivors;
  std::vector<KillOptions> options;
  std::function<void(const KillTarget&)> onStart;  // runs before each kill (to change the tree meanwhile)
  std::unique_ptr<KillOperation> start(const CgroupFs& fs, const KillTarget& victim, const KillOptions& o,
                                       TimePoint now) override {
    if (onStart) onStart(victim);
    auto op = std::make_unique<RecordedKill>(victim, o, now);
    options.push_back(o);
    if (failing.count(victim.path)) {
      op->refuse();
      return op;
    }
    killed.push_back(victim.path);
    op->sent(now);
    if (!survivors.count(victim.path)) FixtureTree::write(fs.absolute(victim.path) + "/cgroup.events", "populated 0\nfrozen 0\n");
    return op;
  }
};

struct RecordingSink : ReportSink {
  std::vector<KillReport> reports;
  void killAttempted(const KillReport& r) override { reports.push_back(r); }
};

// The daemon's armed triggers, as a test states them.
struct FakeQuietTriggers : QuietTriggers {
  std::map<std::string, QuietTrigger> byCgroup;  // memory triggers
  std::optional<QuietTrigger> quiet(const std::string& cgroup, Resource r) const override {
    auto it = byCgroup.find(cgroup);
    if (r != Resource::Memory || it == byCgroup.end()) return std::nullopt;
    return it->second;
  }
};

struct Harness {
  FixtureTree tree;
  CgroupFs fs{tree.cgroupRoot(), tree.procRoot(), tree.sysRoot()};
  History history;
  RecordingKiller killer;
  RecordingSink sink;
  std::unique_ptr<Engine> engine;
  bool dryRun = false;
  std::map<std::string, Preference> unitPreferences;
  std::map<std::string, Preference> userPreferences;  // from users' own managers
  std::vector<std::string> protectedUnits;
  unsigned cpus = 2;
  std::vector<StallProof> proofs;  // triggers fired before the next sample
  FakeQuietTriggers quiet;         // triggers armed, and when last fired

  Harness() {
    tree.proc("meminfo", "MemTotal: 1048576 kB\nMemAvailable: 524288 kB\n");
    tree.proc("swaps", "Filename Type Size Used Priority\n");
    tree.proc("vmstat", "pgscan_kswapd 0\npswpout 0\n");
    tree.proc("pressure/memory", psi(0, 0, 0));
  }

  // Compiles the rules anew and carries state over, as a reload does.
  void reload(const std::string& detectors, const std::string& actions) {
    auto old = std::move(engine);
    rules(detectors, actions);
    engine->adoptStateFrom(*old);
  }

  void rules(const std::string& detectors, const std::string& actions) {
    std::string json =
        "{\"rulesets\": [{\"name\": \"test\", \"description\": \"A test ruleset.\", \"post_action_delay\": 60, "
        "\"detectors\": [[\"g\", " +
        detectors + "]], \"actions\": [" + actions + "]}]}";
    Diagnostics d;
    auto root = parseRulesetJson(json, "t.json", d);
    auto out = compile(root, {}, builtinPlugins());
    d.insert(d.end(), out.errors.begin(), out.errors.end());
    ASSERT_TRUE(d.empty()) << d[0].str();
    engine = std::move(out.engine);
  }

  void sample(double t) {
    SampleContext ctx(fs, history, at(t));
    ctx.killer = &killer;
    ctx.reports = &sink;
    ctx.dryRun = dryRun;
    ctx.unitPreferences = &unitPreferences;
    ctx.userPreferences = &userPreferences;
    ctx.protectedUnits = &protectedUnits;
    ctx.cpus = cpus;
    ctx.stallProofs = &proofs;
    ctx.quietTriggers = &quiet;
    engine->runOnce(ctx);
    proofs.clear();
  }
};

inline const std::string kAlways = R"({"name": "continue"})";

inline std::string killBySize(const std::string& extra = "") {
  return R"({"name": "kill_by_memory_size_or_growth", "args": {"cgroup": "work.slice/*")" + extra + "}}";
}

}  // namespace unitoomd::test
