// Rulesets synthesized from unit properties: what an administrator's
// ManagedOOM*= lines become, and that they compile and run like any other.
#include <gtest/gtest.h>

#include "config/ruleset_loader.h"
#include "engine/compiler.h"
#include "plugins/registry.h"
#include "engine/report.h"
#include "fixture.h"
#include "policy/unit_policy.h"
#include "util/log.h"

using namespace unitoomd;
using unitoomd::test::at;
using unitoomd::test::FixtureTree;
using unitoomd::test::psi;

namespace {

UnitOomSettings slice(const std::string& name, const std::string& cgroup) {
  UnitOomSettings u;
  u.name = name;
  u.cgroup = cgroup;
  u.activeState = "active";
  return u;
}

const ir::PluginCall& detector(const ir::Ruleset& rs, const std::string& name) {
  for (const auto& c : rs.detectors.at(0).detectors)
    if (c.name == name) return c;
  throw std::runtime_error("no detector " + name);
}

}  // namespace

TEST(UnitPolicy, ScaledLimitsReadAsSystemdPrintsThem) {
  EXPECT_DOUBLE_EQ(scaledFractionToPercent(1717986918), 40.0);  // what busctl shows for 40%
  EXPECT_DOUBLE_EQ(scaledFractionToPercent(UINT32_MAX), 100.0);
  EXPECT_DOUBLE_EQ(scaledFractionToPercent(0), 0.0);
  EXPECT_DOUBLE_EQ(scaledFractionToPercent(214748364), 5.0);
}

TEST(UnitPolicy, PressureKillBecomesARulesetNamingTheUnitAndTheDirective) {
  auto u = slice("work.slice", "/work.slice");
  u.managedOOMMemoryPressure = "kill";
  u.managedOOMMemoryPressureLimit = 1717986918;
  auto policy = synthesizeUnitPolicy({u}, UnitPolicyDefaults{});
  ASSERT_EQ(policy.rulesets.rulesets.size(), 1u);
  const auto& rs = policy.rulesets.rulesets[0];
  EXPECT_EQ(rs.name, "work.slice/ManagedOOMMemoryPressure");
  EXPECT_EQ(rs.origin, "unit work.slice (ManagedOOMMemoryPressure=kill)");
  EXPECT_EQ(rs.description,
            "Memory pressure in work.slice above 40% for 30s while it reclaims: kill the candidate under it causing the "
            "pressure (ManagedOOMMemoryPressure=kill).");
  EXPECT_EQ(detector(rs, "pressure_above").args.at("threshold"), "40.00");
  EXPECT_EQ(detector(rs, "pressure_above").args.at("duration"), "30s");
  EXPECT_EQ(detector(rs, "memory_reclaim").args.at("cgroup"), "/work.slice");
  EXPECT_EQ(rs.actions.at(0).name, "kill_by_pressure_cause");
  EXPECT_EQ(rs.actions.at(0).args.count("machine_out_of_memory"), 0u) << "one unit's pressure: its manager may be fine";
  Diagnostics d;
  EXPECT_TRUE(compileRuleset(rs, builtinPlugins(), d));
  EXPECT_TRUE(d.empty()) << d[0].str();
}

TEST(UnitPolicy, LimitsAndDurationsDefaultFromTheConfigAsSystemdOomdDoes) {
  auto u = slice("user@1000.service", "/user.slice/user-1000.slice/user@1000.service");
  u.managedOOMMemoryPressure = "kill";  // limit 0: the default
  UnitPolicyDefaults defaults;
  defaults.memoryPressureLimitPercent = 50;
  defaults.memoryPressureDuration = std::chrono::seconds(20);
  auto rs = synthesizeUnitPolicy({u}, defaults).rulesets.rulesets.at(0);
  EXPECT_EQ(detector(rs, "pressure_above").args.at("threshold"), "50.00");
  EXPECT_EQ(detector(rs, "pressure_above").args.at("duration"), "20s");
  EXPECT_EQ(detector(rs, "pressure_above").args.at("window"), "1s");  // every second of the duration over the limit

  u.managedOOMMemoryPressureDurationUSec = UINT64_MAX;  // systemd 257+: "unset"
  EXPECT_EQ(detector(synthesizeUnitPolicy({u}, defaults).rulesets.rulesets.at(0), "pressure_above").args.at("duration"), "20s");
  u.managedOOMMemoryPressureDurationUSec = 2500000;
  auto short_ = synthesizeUnitPolicy({u}, defaults).rulesets.rulesets.at(0);
  EXPECT_EQ(detector(short_, "pressure_above").args.at("duration"), "2500ms");
  u.managedOOMMemoryPressureDurationUSec = 500000;  // below 1 s: refused, as systemd does
  auto p = synthesizeUnitPolicy({u}, defaults);
  EXPECT_EQ(detector(p.rulesets.rulesets.at(0), "pressure_above").args.at("duration"), "20s");
  ASSERT_EQ(p.warnings.size(), 1u);
}

TEST(UnitPolicy, OnlyLiveUnitsWithKillAreMonitored) {
  auto a = slice("a.slice", "/a.slice");
  a.managedOOMMemoryPressure = "auto";
  auto b = slice("b.service", "/b.service");
  b.managedOOMMemoryPressure = "kill";
  b.activeState = "inactive";
  auto c = slice("c.scope", "");  // no cgroup
  c.managedOOMMemoryPressure = "kill";
  EXPECT_TRUE(synthesizeUnitPolicy({a, b, c}, UnitPolicyDefaults{}).rulesets.rulesets.empty());
}

TEST(UnitPolicy, SwapKillIsTheBothBelowRuleWithTheFivePercentFloor) {
  auto root = slice("-.slice", "/");
  root.managedOOMSwap = "kill";
  auto rs = synthesizeUnitPolicy({root}, UnitPolicyDefaults{}).rulesets.rulesets.at(0);
  EXPECT_EQ(rs.name, "-.slice/ManagedOOMSwap");
  EXPECT_EQ(detector(rs, "swap_free").args.at("threshold_pct"), "10.00");
  EXPECT_EQ(detector(rs, "memory_above").args.at("threshold"), "90%");
  EXPECT_EQ(rs.actions.at(0).args.at("threshold"), "5%");
  EXPECT_EQ(rs.actions.at(0).args.at("machine_out_of_memory"), "true");  // systemd's answer waited on the shorter time
  Diagnostics d;
  EXPECT_TRUE(compileRuleset(rs, builtinPlugins(), d));
  EXPECT_TRUE(d.empty()) << d[0].str();
}

TEST(UnitPolicy, PreferencesAreKeptByCgroupEvenForUnitsNotMonitored) {
  auto a = slice("keep.service", "/app.slice/keep.service");
  a.managedOOMPreference = "omit";
  auto b = slice("meh.slice", "/app.slice/meh.slice");
  b.managedOOMPreference = "avoid";
  b.activeState = "inactive";
  auto c = slice("odd.service", "/odd.service");
  c.managedOOMPreference = "sometimes";
  auto p = synthesizeUnitPolicy({a, b, c}, UnitPolicyDefaults{});
  EXPECT_EQ(p.preferences.at("/app.slice/keep.service"), Preference::Omit);
  EXPECT_EQ(p.preferences.at("/app.slice/meh.slice"), Preference::Avoid);
  EXPECT_EQ(p.preferences.count("/odd.service"), 0u);
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_NE(p.warnings[0].find("ManagedOOMPreference=sometimes"), std::string::npos);
}

TEST(UnitPolicy, ASynthesizedRulesetKillsTheStallingLeafAndReportsItsUnitOrigin) {
  FixtureTree tree;
  tree.proc("meminfo", "MemTotal: 1048576 kB\nMemAvailable: 524288 kB\n");
  tree.proc("vmstat", "pgscan_kswapd 0\n");
  tree.proc("pressure/memory", psi(0, 0, 0));
  tree.cgroup("/work.slice/bystander.scope", {{"memory.pressure", psi(0, 0, 0)}});
  tree.cgroup("/work.slice/hog.scope", {{"memory.pressure", psi(0, 0, 0)}});
  auto u = slice("work.slice", "/work.slice");
  u.managedOOMMemoryPressure = "kill";
  u.managedOOMMemoryPressureLimit = 1717986918;
  UnitPolicyDefaults defaults;
  defaults.memoryPressureDuration = std::chrono::seconds(2);
  auto out = compile(synthesizeUnitPolicy({u}, defaults).rulesets, {}, builtinPlugins());
  ASSERT_TRUE(out.engine);

  struct Sink : ReportSink {
    std::vector<KillReport> reports;
    void killAttempted(const KillReport& r) override { reports.push_back(r); }
  } sink;
  CgroupFs fs(tree.cgroupRoot(), tree.procRoot());
  History history;
  unsigned long long slice = 0, hog = 0;
  for (int i = 0; i <= 24 && sink.reports.empty(); ++i) {  // 60 % full stall in the slice, all from the hog
    tree.cgroup("/work.slice", {{"memory.pressure", psi(0, slice, slice)}});
    tree.proc("pressure/memory", psi(0, slice, slice));  // the machine stalls with it
    tree.cgroup("/work.slice/hog.scope", {{"memory.pressure", psi(50, hog, hog)}});
    SampleContext ctx(fs, history, at(i * 0.25));
    ctx.reports = &sink;
    ctx.dryRun = true;
    out.engine->runOnce(ctx);
    slice += 150000;
    hog += 150000;
  }
  ASSERT_EQ(sink.reports.size(), 1u);
  const KillReport& r = sink.reports[0];
  EXPECT_EQ(r.victim, "/work.slice/hog.scope");
  EXPECT_EQ(r.origin, "unit work.slice (ManagedOOMMemoryPressure=kill)");
  EXPECT_NE(r.summary().find("Memory pressure in work.slice above 40% for 2s"), std::string::npos) << r.summary();
  EXPECT_NE(r.summary().find("memory full pressure of /work.slice 60.0% > 40%"), std::string::npos) << r.summary();
  EXPECT_NE(r.summary().find("reclaim activity"), std::string::npos) << r.summary();
}

TEST(UnitPolicy, AUserManagersUnitsAreNamedWithTheirManager) {
  UnitOomSettings u = slice("app.slice", "/user.slice/user-1000.slice/user@1000.service/app.slice");
  u.manager = "user@1000.service";
  u.managedOOMMemoryPressure = "kill";
  UnitOomSettings sys = slice("app.slice", "/app.slice");
  sys.managedOOMMemoryPressure = "kill";
  UnitPolicy p = synthesizeUnitPolicy({u, sys}, UnitPolicyDefaults{});
  ASSERT_EQ(p.rulesets.rulesets.size(), 2u);
  EXPECT_EQ(p.rulesets.rulesets[0].name, "app.slice/ManagedOOMMemoryPressure");
  EXPECT_EQ(p.rulesets.rulesets[1].name, "user@1000.service:app.slice/ManagedOOMMemoryPressure");
  EXPECT_NE(p.rulesets.rulesets[1].description.find("in app.slice of user@1000.service above"), std::string::npos)
      << p.rulesets.rulesets[1].description;
}

TEST(UnitPolicy, WithoutUsableSwapTheRootSliceAndSwapKillUnitsKillTheFastestGrower) {
  auto root = slice("-.slice", "/");  // no ManagedOOMSwap= of its own: on by default
  auto work = slice("work.slice", "/work.slice");
  work.managedOOMSwap = "kill";
  auto plain = slice("plain.slice", "/plain.slice");
  auto rulesets = synthesizeUnitPolicy({root, work, plain}, UnitPolicyDefaults{}).rulesets.rulesets;
  std::vector<std::string> names;
  for (const auto& rs : rulesets) names.push_back(rs.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"-.slice/MemoryExhaustion", "work.slice/ManagedOOMSwap", "work.slice/MemoryExhaustion"}));
  const auto& rs = rulesets.at(0);
  EXPECT_EQ(detector(rs, "memory_exhaustion").args.at("without_swap"), "true");
  EXPECT_EQ(detector(rs, "memory_exhaustion").args.at("threshold"), "10s");
  EXPECT_EQ(rs.actions.at(0).name, "kill_by_memory_size_or_growth");
  EXPECT_EQ(rs.actions.at(0).args.at("growth_rate"), "true");
  EXPECT_EQ(rs.actions.at(0).args.at("cgroup"), "/");
  EXPECT_EQ(rs.actions.at(0).args.at("machine_out_of_memory"), "true");
  EXPECT_NE(rs.origin.find("-.slice by default"), std::string::npos) << rs.origin;
  for (const auto& r : rulesets) {
    Diagnostics d;
    EXPECT_TRUE(compileRuleset(r, builtinPlugins(), d)) << r.name;
    EXPECT_TRUE(d.empty()) << d[0].str();
  }
}

TEST(UnitPolicy, MemoryExhaustionSecZeroTurnsThePredictionOffAndAUsersRootSliceIsNotTheMachines) {
  auto root = slice("-.slice", "/");
  root.managedOOMSwap = "kill";
  UnitPolicyDefaults off;
  off.memoryExhaustion = Duration{0};
  auto p = synthesizeUnitPolicy({root}, off);
  ASSERT_EQ(p.rulesets.rulesets.size(), 1u);
  EXPECT_EQ(p.rulesets.rulesets[0].name, "-.slice/ManagedOOMSwap");

  auto users = slice("-.slice", "/user.slice/user-1000.slice/user@1000.service");
  users.manager = "user@1000.service";
  EXPECT_TRUE(synthesizeUnitPolicy({users}, UnitPolicyDefaults{}).rulesets.rulesets.empty());
}

// compileRules merges the synthesized rulesets into the config's by name.
TEST(UnitPolicy, AConfigRulesetShadowsTheUnitRulesetOfItsNameAndTheRestAllCompile) {
  std::vector<UnitOomSettings> units;
  for (int i = 0; i < 300; ++i) {
    UnitOomSettings u = slice("s-" + std::to_string(i) + ".slice", "/s.slice/s-" + std::to_string(i) + ".slice");
    u.managedOOMMemoryPressure = "kill";
    units.push_back(u);
  }
  UnitPolicy policy = synthesizeUnitPolicy(units, UnitPolicyDefaults{});
  RulesSource source;
  ir::Ruleset mine = policy.rulesets.rulesets.at(7);
  mine.origin = "config";
  source.base.rulesets.push_back(mine);
  LoadedRules rules = compileRules(source, policy.rulesets.rulesets);
  ASSERT_TRUE(rules.compiled.engine) << (rules.compiled.errors.empty() ? "" : rules.compiled.errors[0].message);
  EXPECT_EQ(rules.shadowed, std::vector<std::string>{mine.name});
  EXPECT_EQ(rules.compiled.engine->rulesets().size(), 300u);
}

TEST(UnitPolicy, OfTwoUnitRulesetsWithOneNameTheFirstIsKeptAndTheSecondShadowed) {
  UnitOomSettings a = slice("a.slice", "/a.slice"), b = slice("b.slice", "/b.slice");
  a.managedOOMMemoryPressure = b.managedOOMMemoryPressure = "kill";
  std::vector<ir::Ruleset> synthesized = synthesizeUnitPolicy({a, b}, UnitPolicyDefaults{}).rulesets.rulesets;
  ir::Ruleset again = synthesized.at(0);
  again.origin = "again";
  synthesized.push_back(again);
  LoadedRules rules = compileRules(RulesSource{}, synthesized);
  ASSERT_TRUE(rules.compiled.engine);
  EXPECT_EQ(rules.shadowed, std::vector<std::string>{again.name});
  EXPECT_EQ(rules.compiled.engine->rulesets().size(), 2u);
}

TEST(UnitPolicy, ARulesetThatRunsUnchangedIsGivenByNameAndFingerprintAlone) {
  UnitOomSettings a = slice("a.slice", "/a.slice"), b = slice("b.slice", "/b.slice");
  a.managedOOMMemoryPressure = b.managedOOMMemoryPressure = "kill";
  RunningFingerprint running = [](const ir::Ruleset& rs) -> uint64_t {
    return rs.name == "a.slice/ManagedOOMMemoryPressure" ? 42 : 0;
  };
  auto rulesets = synthesizeUnitPolicy({a, b}, UnitPolicyDefaults{}, running).rulesets.rulesets;
  ASSERT_EQ(rulesets.size(), 2u);
  EXPECT_EQ(rulesets[0].name, "a.slice/ManagedOOMMemoryPressure");
  EXPECT_EQ(rulesets[0].running, 42u);
  EXPECT_TRUE(rulesets[0].detectors.empty());
  EXPECT_TRUE(rulesets[0].description.empty());
  EXPECT_EQ(rulesets[1].running, 0u);  // whole
  EXPECT_EQ(detector(rulesets[1], "pressure_above").args.at("cgroup"), "/b.slice");
}

TEST(UnitPolicy, UnitRulesetsGivenAsRunningCompileToTheVeryRulesetsThatRun) {
  UnitOomSettings a = slice("a.slice", "/a.slice"), b = slice("b.slice", "/b.slice");
  a.managedOOMMemoryPressure = b.managedOOMMemoryPressure = "kill";
  auto before = compile(synthesizeUnitPolicy({a}, UnitPolicyDefaults{}).rulesets, {}, builtinPlugins());
  ASSERT_TRUE(before.engine);
  const Ruleset* ofA = before.engine->rulesets()[0].get();
  RunningRulesets running(before.engine.get());
  auto policy = synthesizeUnitPolicy({a, b}, UnitPolicyDefaults{}, [&](const ir::Ruleset& rs) { return running.unchanged(rs); });
  ASSERT_NE(policy.rulesets.rulesets[0].running, 0u);
  auto after = compile(policy.rulesets, {}, builtinPlugins(), before.engine.get());
  ASSERT_TRUE(after.engine) << after.errors[0].str();
  ASSERT_EQ(after.engine->rulesets().size(), 2u);
  EXPECT_EQ(after.engine->rulesets()[0].get(), ofA);
  EXPECT_EQ(after.engine->rulesets()[1]->name, "b.slice/ManagedOOMMemoryPressure");

  // a limit changed: given whole, compiled again
  a.managedOOMMemoryPressureLimit = 1717986918;
  RunningRulesets now(after.engine.get());
  auto changed = synthesizeUnitPolicy({a}, UnitPolicyDefaults{}, [&](const ir::Ruleset& rs) { return now.unchanged(rs); });
  EXPECT_EQ(changed.rulesets.rulesets[0].running, 0u);
}
