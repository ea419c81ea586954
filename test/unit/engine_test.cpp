#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "engine/compiler.h"
#include "engine/engine.h"
#include "fixture.h"

using namespace unitoomd;
using unitoomd::test::at;
using unitoomd::test::FixtureTree;
using unitoomd::test::psi;

namespace {

// A detector whose answer the test sets, counting its runs.
struct Scripted : Plugin {
  PluginResult answer = PluginResult::Stop;
  int runs = 0;
  PluginResult run(SampleContext& ctx) override {
    ++runs;
    if (answer == PluginResult::Continue) ctx.addFinding("scripted fired");
    return answer;
  }
};

struct Recorder : Plugin {
  std::vector<PluginResult> script;  // answers in turn; last repeats
  int runs = 0;
  std::vector<std::string> seenFindings;
  PluginResult run(SampleContext& ctx) override {
    seenFindings = ctx.action().findings;
    PluginResult r = script.empty() ? PluginResult::Stop : script[std::min<size_t>(runs, script.size() - 1)];
    ++runs;
    return r;
  }
};

struct Harness {
  FixtureTree tree;
  CgroupFs fs{tree.cgroupRoot(), tree.procRoot()};
  History history;
  std::vector<StallProof> proofs;  // triggers that fired before the next sample
  void sample(Engine& e, double t) {
    SampleContext ctx(fs, history, at(t));
    ctx.stallProofs = &proofs;
    ctx.cpus = 2;  // the bounds the comments give (descendantStallBound)
    e.runOnce(ctx);
    proofs.clear();
  }
};

struct Built {
  std::unique_ptr<Engine> engine;
  std::vector<std::vector<Scripted*>> det;
  std::vector<Recorder*> actions;
};

// groups: number of detectors per group
Built build(std::vector<int> groups, int actions, Duration delay = std::chrono::seconds(15)) {
  Built b;
  auto rs = std::make_unique<Ruleset>();
  rs->name = "r";
  rs->description = "test ruleset";
  rs->postActionDelay = delay;
  for (size_t g = 0; g < groups.size(); ++g) {
    DetectorGroup group;
    group.name = "group" + std::to_string(g);
    b.det.emplace_back();
    for (int i = 0; i < groups[g]; ++i) {
      auto d = std::make_unique<Scripted>();
      b.det.back().push_back(d.get());
      group.detectors.push_back(std::move(d));
    }
    rs->groups.push_back(std::move(group));
  }
  for (int i = 0; i < actions; ++i) {
    auto a = std::make_unique<Recorder>();
    b.actions.push_back(a.get());
    rs->actions.push_back(std::move(a));
  }
  std::vector<std::unique_ptr<Ruleset>> v;
  v.push_back(std::move(rs));
  b.engine = std::make_unique<Engine>(std::move(v));
  return b;
}

}  // namespace

TEST(Engine, AGroupFiresOnlyWhenAllItsDetectorsDo) {
  Harness h;
  auto b = build({2}, 1);
  b.det[0][0]->answer = PluginResult::Continue;
  h.sample(*b.engine, 0);
  EXPECT_EQ(b.actions[0]->runs, 0);
  b.det[0][1]->answer = PluginResult::Continue;
  h.sample(*b.engine, 1);
  EXPECT_EQ(b.actions[0]->runs, 1);
}

TEST(Engine, AnyGroupFiresTheRuleset) {
  Harness h;
  auto b = build({1, 1}, 1);
  b.det[1][0]->answer = PluginResult::Continue;
  h.sample(*b.engine, 0);
  EXPECT_EQ(b.actions[0]->runs, 1);
  EXPECT_EQ(b.actions[0]->seenFindings, std::vector<std::string>{"scripted fired"});
}

TEST(Engine, EveryDetectorRunsOnEverySampleEvenAfterAFire) {
  Harness h;
  auto b = build({2, 2}, 1);
  b.det[0][0]->answer = PluginResult::Stop;  // first detector fails: the second still runs
  b.det[1][0]->answer = b.det[1][1]->answer = PluginResult::Continue;
  for (int i = 0; i < 3; ++i) h.sample(*b.engine, i);  // paused after the first fire: detectors go on
  for (auto& g : b.det)
    for (auto* d : g) EXPECT_EQ(d->runs, 3);
}

TEST(Engine, StopPausesActionsForThePostActionDelay) {
  Harness h;
  auto b = build({1}, 1, std::chrono::seconds(15));
  b.det[0][0]->answer = PluginResult::Continue;
  h.sample(*b.engine, 0);
  h.sample(*b.engine, 10);
  EXPECT_EQ(b.actions[0]->runs, 1);
  EXPECT_EQ(b.engine->rulesets()[0]->state(at(10)), RulesetState::Paused);
  h.sample(*b.engine, 15.5);
  EXPECT_EQ(b.actions[0]->runs, 2);
}

TEST(Engine, ContinueRunsTheNextActionAndStopEndsTheChain) {
  Harness h;
  auto b = build({1}, 3);
  b.det[0][0]->answer = PluginResult::Continue;
  b.actions[0]->script = {PluginResult::Continue};
  b.actions[1]->script = {PluginResult::Stop};
  h.sample(*b.engine, 0);
  EXPECT_EQ(b.actions[0]->runs, 1);
  EXPECT_EQ(b.actions[1]->runs, 1);
  EXPECT_EQ(b.actions[2]->runs, 0);
}

TEST(Engine, AChainThatEndsInContinueIsNotPaused) {
  Harness h;
  auto b = build({1}, 1);
  b.det[0][0]->answer = PluginResult::Continue;
  b.actions[0]->script = {PluginResult::Continue};
  h.sample(*b.engine, 0);
  h.sample(*b.engine, 1);
  EXPECT_EQ(b.actions[0]->runs, 2);
}

TEST(Engine, AsyncPausedResumesAtTheSameActionEvenIfDetectorsCalmDown) {
  Harness h;
  auto b = build({1}, 2);
  b.det[0][0]->answer = PluginResult::Continue;
  b.actions[0]->script = {PluginResult::Continue};
  b.actions[1]->script = {PluginResult::AsyncPaused, PluginResult::Stop};
  h.sample(*b.engine, 0);
  EXPECT_EQ(b.engine->rulesets()[0]->state(at(0)), RulesetState::ActionPending);
  EXPECT_TRUE(b.engine->timing());
  EXPECT_TRUE(b.engine->actionPending());  // the daemon polls it closely
  b.det[0][0]->answer = PluginResult::Stop;
  h.sample(*b.engine, 0.25);
  EXPECT_EQ(b.actions[0]->runs, 1);  // not re-run
  EXPECT_EQ(b.actions[1]->runs, 2);  // resumed
  EXPECT_FALSE(b.engine->actionPending());
  EXPECT_EQ(b.actions[1]->seenFindings, std::vector<std::string>{"scripted fired"});  // the original reason
}

TEST(Engine, AKillPluginsOwnDelayOverridesTheRulesets) {
  struct ShortDelay : Plugin {
    int runs = 0;
    PluginResult run(SampleContext& ctx) override {
      ++runs;
      ctx.action().postActionDelayOverride = std::chrono::seconds(2);
      return PluginResult::Stop;
    }
  };
  Harness h;
  auto b = build({1}, 0);
  auto* a = new ShortDelay;
  const_cast<Ruleset&>(*b.engine->rulesets()[0]).actions.emplace_back(a);
  b.det[0][0]->answer = PluginResult::Continue;
  h.sample(*b.engine, 0);
  h.sample(*b.engine, 2.5);
  EXPECT_EQ(a->runs, 2);
}

TEST(Engine, ReloadKeepsThePauseOfASurvivingRuleset) {
  Harness h;
  auto b = build({1}, 1);
  b.det[0][0]->answer = PluginResult::Continue;
  h.sample(*b.engine, 0);
  auto b2 = build({1}, 1);
  b2.det[0][0]->answer = PluginResult::Continue;
  b2.engine->adoptStateFrom(*b.engine);
  h.sample(*b2.engine, 5);
  EXPECT_EQ(b2.actions[0]->runs, 0);  // still in the post-action delay
}

namespace unitoomd {
namespace {

// An episode can last hours while cgroups come and go: what was not seen
// for the unused time goes even though the daemon never went idle.
namespace {

// A detector behind a calm gate on /p (avg10): calm while the ceiling the
// engine hands it is below its limit; counts its runs and the samples it
// was ruled out by the gate instead.
struct Gated : Plugin {
  std::string ancestor = "/p";
  double limit = 5;
  bool timingNow = false;
  bool saysCalmBelow = false;  // Plugin::calmBelow: `limit`
  bool followsATrend = true;   // Plugin::prerunsWhileSkipped
  PluginResult answer = PluginResult::Stop;
  int runs = 0, calmSamples = 0, preruns = 0;
  std::optional<TimePoint> lastCalm;  // the last sample it was (or would have been) ruled out at
  std::optional<CalmGate> calmGate() const override { return CalmGate{ancestor, Resource::Memory, Duration{0}}; }
  // As pressure_above's: a trigger that fired on its cgroup (here: the
  // ancestor's child "u") overrules any ceiling.
  bool stoppedByCalm(SampleContext& ctx, std::optional<double> ceiling) override {
    if (ctx.stallProof(ancestor + "/u", Resource::Memory)) return false;
    if (!ceiling || *ceiling >= limit) return false;
    ++calmSamples;
    lastCalm = ctx.now();
    return true;
  }
  std::optional<double> calmBelow() const override { return saysCalmBelow ? std::optional(limit) : std::nullopt; }
  void ruledOutAt(TimePoint t) override { lastCalm = t; }
  bool prerunsWhileSkipped() const override { return followsATrend; }
  void prerun(SampleContext&) override { ++preruns; }
  PluginResult run(SampleContext&) override {
    ++runs;
    return answer;
  }
  bool timing() const override { return timingNow; }
  std::optional<Duration> wants;
  std::optional<Duration> sampleWithin() const override { return wants; }
};

struct GatedRulesets {
  std::unique_ptr<Engine> engine;
  std::vector<Gated*> gated;        // the first detector of each ruleset
  std::vector<Scripted*> ungated;   // a second group's detector, where asked
  std::vector<Recorder*> actions;
};

// `n` rulesets of one group {Gated} (and, where `secondGroup`, a second
// group {Scripted} with no gate), each with one Recorder action.
// `setup` readies each ruleset's Gated before the engine indexes them.
GatedRulesets gatedRulesets(int n, bool secondGroup = false, const std::function<void(int, Gated&)>& setup = {}) {
  GatedRulesets out;
  std::vector<std::unique_ptr<Ruleset>> v;
  for (int i = 0; i < n; ++i) {
    auto rs = std::make_unique<Ruleset>();
    rs->name = "r" + std::to_string(i);
    DetectorGroup g;
    auto d = std::make_unique<Gated>();
    if (setup) setup(i, *d);
    out.gated.push_back(d.get());
    g.detectors.push_back(std::move(d));
    rs->groups.push_back(std::move(g));
    if (secondGroup) {
      DetectorGroup g2;
      auto s = std::make_unique<Scripted>();
      out.ungated.push_back(s.get());
      g2.detectors.push_back(std::move(s));
      rs->groups.push_back(std::move(g2));
    }
    auto a = std::make_unique<Recorder>();
    out.actions.push_back(a.get());
    rs->actions.push_back(std::move(a));
    v.push_back(std::move(rs));
  }
  out.engine = std::make_unique<Engine>(std::move(v));
  return out;
}

}  // namespace

// 10,000 unit rulesets under a hundred slices: a calm slice rules out all
// of its rulesets with one read, and none of them runs.
TEST(CalmGate, RulesetsUnderACalmAncestorAreNotRun) {
  Harness h;
  h.tree.cgroup("/p", {{"memory.pressure", psi(0, 0, 0)}});
  auto g = gatedRulesets(3);
  h.sample(*g.engine, 0);
  for (Gated* d : g.gated) {
    EXPECT_EQ(d->runs, 0);
    EXPECT_EQ(d->calmSamples, 1);
  }
}

TEST(CalmGate, RulesetsUnderAStalledAncestorRun) {
  Harness h;
  h.tree.cgroup("/p", {{"memory.pressure", psi(50, 0, 0)}});  // any child could be at 10 %
  auto g = gatedRulesets(2);
  h.sample(*g.engine, 0);
  for (Gated* d : g.gated) EXPECT_EQ(d->runs, 1);
}

TEST(CalmGate, AnAncestorThatCannotBeReadRulesOutNothing) {
  Harness h;
  auto g = gatedRulesets(1);
  h.sample(*g.engine, 0);
  EXPECT_EQ(g.gated[0]->runs, 1);
}

// Its duration must see every sample, calm or not.
TEST(CalmGate, ARulesetTimingADurationRunsUnderACalmAncestor) {
  Harness h;
  h.tree.cgroup("/p", {{"memory.pressure", psi(0, 0, 0)}});
  auto g = gatedRulesets(2);
  g.gated[1]->timingNow = true;
  h.sample(*g.engine, 0);
  EXPECT_EQ(g.gated[0]->runs, 0);
  EXPECT_EQ(g.gated[1]->runs, 1);
}

// A group without a gated detector may fire whatever the ancestor shows.
TEST(CalmGate, ARulesetWithAGroupOutsideTheGateRuns) {
  Harness h;
  h.tree.cgroup("/p", {{"memory.pressure", psi(0, 0, 0)}});
  auto g = gatedRulesets(1, true);
  g.ungated[0]->answer = PluginResult::Continue;
  h.sample(*g.engine, 0);
  EXPECT_EQ(g.ungated[0]->runs, 1);
  EXPECT_EQ(g.actions[0]->runs, 1);
}

// A kill in flight goes on when the stall that started it is gone.
TEST(CalmGate, AnActionUnderWayGoesOnUnderACalmAncestor) {
  Harness h;
  h.tree.cgroup("/p", {{"memory.pressure", psi(50, 0, 0)}});
  auto g = gatedRulesets(1);
  g.gated[0]->answer = PluginResult::Continue;
  g.actions[0]->script = {PluginResult::AsyncPaused, PluginResult::Stop};
  h.sample(*g.engine, 0);
  ASSERT_EQ(g.actions[0]->runs, 1);
  h.tree.cgroup("/p", {{"memory.pressure", psi(0, 0, 0)}});
  h.sample(*g.engine, 1);
  EXPECT_EQ(g.actions[0]->runs, 2);
}

// The sampler's questions skip what the gate ruled out: 10,000 calm
// rulesets are not asked at every sample; one that runs again is.
TEST(CalmGate, ARulesetRuledOutAsksNothingOfTheSampler) {
  Harness h;
  h.tree.cgroup("/p", {{"memory.pressure", psi(0, 0, 0)}});
  auto g = gatedRulesets(1);
  g.gated[0]->wants = std::chrono::seconds(1);
  h.sample(*g.engine, 0);
  EXPECT_EQ(g.engine->sampleWithin(), std::nullopt);
  h.tree.cgroup("/p", {{"memory.pressure", psi(50, 0, 0)}});
  h.sample(*g.engine, 1);
  EXPECT_EQ(g.engine->sampleWithin(), std::optional<Duration>(std::chrono::seconds(1)));
}

// Rulesets carried over a reload are other objects than those indexed.
TEST(CalmGate, RulesetsCarriedOverAReloadAreStillRuledOut) {
  Harness h;
  h.tree.cgroup("/p", {{"memory.pressure", psi(0, 0, 0)}});
  auto before = gatedRulesets(1);
  auto after = gatedRulesets(1);
  after.engine->rulesets()[0]->fingerprint = before.engine->rulesets()[0]->fingerprint = 42;
  after.engine->adoptStateFrom(*before.engine);
  h.sample(*after.engine, 0);
  EXPECT_EQ(before.gated[0]->calmSamples, 1) << "the ruleset carried over is the one ruled out";
  EXPECT_EQ(before.gated[0]->runs, 0);
}

namespace {

// gatedRulesets whose detectors say below what ceiling they are surely
// calm (Plugin::calmBelow), so that the engine may leave them asleep.
GatedRulesets sleepyRulesets(int n, const std::function<void(int, Gated&)>& setup = {}) {
  return gatedRulesets(n, false, [&](int i, Gated& d) {
    d.saysCalmBelow = true;
    d.followsATrend = false;
    if (setup) setup(i, d);
  });
}

int calmSamplesOf(const GatedRulesets& g) {
  int n = 0;
  for (Gated* d : g.gated) n += d->calmSamples;
  return n;
}

}  // namespace

// Once ruled out, 10,000 rulesets under a calm slice are not asked again
// while it stays calm: an idle sample costs the slice's read alone.
TEST(CalmGate, RulesetsAsleepUnderACalmAncestorAreNotAskedAgain) {
  Harness h;
  h.tree.cgroup("/p", {{"memory.pressure", psi(0, 0, 0)}});
  auto g = sleepyRulesets(3);
  h.sample(*g.engine, 0);
  ASSERT_EQ(calmSamplesOf(g), 3);
  h.sample(*g.engine, 10);
  h.sample(*g.engine, 20);
  EXPECT_EQ(calmSamplesOf(g), 3) << "asleep: not asked";
  for (Gated* d : g.gated) {
    EXPECT_EQ(d->runs, 0);
    EXPECT_EQ(d->preruns, 0) << "nothing of theirs follows a trend";
  }
}

// Each limit counts: the ancestor's stall may be under one ruleset's limit
// and over another's.
TEST(CalmGate, TheLowestLimitUnderAGateWakesItsSleepers) {
  Harness h;
  h.tree.cgroup("/p", {{"memory.pressure", psi(0, 0, 0)}});
  auto g = sleepyRulesets(2, [](int i, Gated& d) { d.limit = i == 0 ? 50 : 5; });
  h.sample(*g.engine, 0);
  h.tree.cgroup("/p", {{"memory.pressure", psi(2, 0, 0)}});  // any child could be at 20 % (2 CPUs)
  h.sample(*g.engine, 10);
  EXPECT_EQ(g.gated[0]->calmSamples, 2) << "asked again, and still calm under 50 %";
  EXPECT_EQ(g.gated[0]->runs, 0);
  EXPECT_EQ(g.gated[1]->runs, 1);
}

// What a trigger that fired on a sleeper's cgroup proves is its own
// reading, above its limit: the ancestor's calm does not keep it asleep.
TEST(CalmGate, ATriggerThatFiredBeneathACalmGateWakesItsSleepers) {
  Harness h;
  h.tree.cgroup("/p", {{"memory.pressure", psi(0, 0, 0)}});
  auto g = sleepyRulesets(1);
  h.sample(*g.engine, 0);
  h.proofs.push_back(StallProof{"/p/u", Resource::Memory, StallKind::Full, 6, std::chrono::seconds(2), at(10)});
  h.sample(*g.engine, 10);
  EXPECT_EQ(g.gated[0]->runs, 1);
}

// A sleeper was not asked at the samples that left it asleep; before it is
// asked again it learns the last of them (for pressure_above: the last
// sample that saw it calm, before which no stall it later proves began).
TEST(CalmGate, ASleeperLearnsTheLastSampleThatLeftItAsleep) {
  Harness h;
  h.tree.cgroup("/p", {{"memory.pressure", psi(0, 0, 0)}});
  auto g = sleepyRulesets(1);
  h.sample(*g.engine, 0);
  h.sample(*g.engine, 10);
  h.sample(*g.engine, 20);
  EXPECT_EQ(g.gated[0]->lastCalm, at(0)) << "not told at each sample";
  h.tree.cgroup("/p", {{"memory.pressure", psi(50, 0, 0)}});
  h.sample(*g.engine, 30);
  EXPECT_EQ(g.gated[0]->lastCalm, at(20)) << "told before it was asked at 30";
  EXPECT_EQ(g.gated[0]->runs, 1);
}

// Slices under one parent (b.slice over b-0.slice ... b-99.slice): while
// every ruleset under them sleeps and the parent is calm, the slices are
// not read; here they show stall the parent does not (a fixture the
// kernel would not give), and still nothing wakes.
TEST(CalmGate, GatesUnderOneCalmParentAreNotReadWhileAllSleep) {
  Harness h;
  h.tree.cgroup("/b", {{"memory.pressure", psi(0, 0, 0)}});
  h.tree.cgroup("/b/s1", {{"memory.pressure", psi(0, 0, 0)}});
  h.tree.cgroup("/b/s2", {{"memory.pressure", psi(0, 0, 0)}});
  auto g = sleepyRulesets(4, [](int i, Gated& d) { d.ancestor = i < 2 ? "/b/s1" : "/b/s2"; });
  h.sample(*g.engine, 0);
  ASSERT_EQ(calmSamplesOf(g), 4);
  h.tree.cgroup("/b/s1", {{"memory.pressure", psi(50, 0, 0)}});
  h.tree.cgroup("/b/s2", {{"memory.pressure", psi(50, 0, 0)}});
  h.sample(*g.engine, 10);
  EXPECT_EQ(calmSamplesOf(g), 4);
  for (Gated* d : g.gated) EXPECT_EQ(d->runs, 0);
  h.tree.cgroup("/b", {{"memory.pressure", psi(50, 0, 0)}});  // now the parent stalls: each slice is read
  h.sample(*g.engine, 20);
  for (Gated* d : g.gated) EXPECT_EQ(d->runs, 1);
}

// A detector that follows a trend beside the gated one is prerun at every
// sample, asleep or not.
TEST(CalmGate, ASleeperThatFollowsATrendIsPrerunAtEverySample) {
  Harness h;
  h.tree.cgroup("/p", {{"memory.pressure", psi(0, 0, 0)}});
  auto g = sleepyRulesets(2, [](int i, Gated& d) { d.followsATrend = i == 1; });
  for (int t = 0; t < 3; ++t) h.sample(*g.engine, t * 10);
  EXPECT_EQ(g.gated[0]->preruns, 0) << "ruled out at each sample, and nothing of it follows a trend";
  EXPECT_EQ(g.gated[1]->preruns, 3);
}

// How soon the daemon samples when only watching: a ruleset ruled out
// cannot fire before its gate's stall rises (its trigger says so), so it
// asks for no sample of its own.
TEST(CalmGate, ARulesetRuledOutDoesNotShortenTheEnginesQuiet) {
  Harness h;
  h.tree.cgroup("/p", {{"memory.pressure", psi(0, 0, 0)}});
  auto g = gatedRulesets(1);
  EXPECT_EQ(g.engine->quietFor(), Duration{0});
  h.sample(*g.engine, 0);
  EXPECT_EQ(g.engine->quietFor(), Duration::max());
}

// A ruleset carried over a reload while asleep sleeps on: 10,000 of them
// are not all asked at the first sample after a unit starts.
TEST(CalmGate, ARulesetAsleepBeforeAReloadSleepsOn) {
  Harness h;
  h.tree.cgroup("/p", {{"memory.pressure", psi(0, 0, 0)}});
  auto before = sleepyRulesets(1);
  h.sample(*before.engine, 0);
  h.sample(*before.engine, 10);
  auto after = sleepyRulesets(1);
  after.engine->rulesets()[0]->fingerprint = before.engine->rulesets()[0]->fingerprint = 42;
  after.engine->adoptStateFrom(*before.engine);
  h.sample(*after.engine, 20);
  EXPECT_EQ(before.gated[0]->calmSamples, 1) << "not asked after the reload";
  EXPECT_EQ(before.gated[0]->lastCalm, at(10)) << "told what the samples before the reload saw";
  EXPECT_EQ(before.gated[0]->runs, 0);
}

TEST(History, ACgroupNotSeenForTheUnusedTimeIsDroppedDuringAnEpisode) {
  History h;
  TimePoint t0{};
  Duration unused = std::chrono::minutes(5);
  h.at(1, t0);
  h.pruneIfDue(t0, unused);
  // one sample a second; /b is seen at every one, /a never again: gone
  // within twice the unused time
  for (int i = 1; i <= 600; ++i) {
    TimePoint t = t0 + std::chrono::seconds(i);
    h.at(2, t);
    h.pruneIfDue(t, unused);
  }
  EXPECT_EQ(h.find(1), nullptr);
  EXPECT_NE(h.find(2), nullptr);
  EXPECT_EQ(h.size(), 1u);
}

TEST(History, PruningDuringAnEpisodeIsAtMostOncePerUnusedTime) {
  History h;
  TimePoint t0{};
  Duration unused = std::chrono::minutes(5);
  h.pruneIfDue(t0 + unused, unused);  // prunes, and remembers when
  h.at(1, t0);                        // last seen long ago
  h.pruneIfDue(t0 + unused + std::chrono::seconds(10), unused);
  EXPECT_NE(h.find(1), nullptr);  // not due yet
  h.pruneIfDue(t0 + 2 * unused, unused);
  EXPECT_EQ(h.find(1), nullptr);
}

}  // namespace
}  // namespace unitoomd

namespace {

// A registry of the test's own: the compiler builds only what it is handed.
int ownPluginRuns = 0;
struct OwnPlugin : Plugin {
  PluginResult run(SampleContext&) override {
    ++ownPluginRuns;
    return PluginResult::Stop;
  }
};
std::unique_ptr<Plugin> makeOwnPlugin(PluginArgs&) { return std::make_unique<OwnPlugin>(); }

ir::Ruleset rulesetCalling(const std::string& plugin) {
  ir::Ruleset rs;
  rs.name = "r";
  rs.where = {"t.json", 3};
  ir::PluginCall call{plugin, {}, {}, {"t.json", 4}};
  rs.detectors = {ir::DetectorGroup{"g", {call}, rs.where}};
  rs.actions = {call};
  return rs;
}

}  // namespace

TEST(Compiler, BuildsThePluginsOfTheRegistryItIsHanded) {
  PluginRegistry own({{"own", makeOwnPlugin, "the test's plugin"}});
  auto out = compile(ir::Root{{rulesetCalling("own")}}, {}, own);
  ASSERT_TRUE(out.errors.empty()) << out.errors[0].str();
  ASSERT_TRUE(out.engine);
  Harness h;
  ownPluginRuns = 0;
  h.sample(*out.engine, 0);
  EXPECT_EQ(ownPluginRuns, 1);  // the detector ran; it said stop, so the action did not

  // A built-in name means nothing to a registry that does not list it.
  Diagnostics diags;
  EXPECT_FALSE(compileRuleset(rulesetCalling("continue"), own, diags));
  ASSERT_EQ(diags.size(), 2u);
  EXPECT_EQ(diags[0].str(), "t.json:4: unknown plugin 'continue'");
}

namespace {

ir::Ruleset namedCalling(const std::string& name, const std::string& plugin, const std::string& description = "") {
  ir::Ruleset rs = rulesetCalling(plugin);
  rs.name = name;
  rs.description = description;
  return rs;
}

}  // namespace

TEST(Compiler, AnUnchangedRulesetIsTakenOverFromTheRunningEngineNotCompiledAgain) {
  PluginRegistry own({{"own", makeOwnPlugin, "the test's plugin"}});
  ir::Root first{{namedCalling("a", "own"), namedCalling("b", "own"), namedCalling("c", "own")}};
  auto before = compile(first, {}, own);
  ASSERT_TRUE(before.engine);
  const Ruleset* a = before.engine->rulesets()[0].get();
  const Ruleset* c = before.engine->rulesets()[2].get();

  ir::Root second{{namedCalling("a", "own"), namedCalling("b", "own", "changed"), namedCalling("c", "own"),
                   namedCalling("d", "own")}};
  auto after = compile(second, {}, own, before.engine.get());
  ASSERT_TRUE(after.engine);
  const auto& now = after.engine->rulesets();
  ASSERT_EQ(now.size(), 4u);
  EXPECT_EQ(now[0].get(), a);  // the very object, with its detectors' state
  EXPECT_EQ(now[2].get(), c);
  EXPECT_EQ(now[1]->description, "changed");
  std::vector<const Ruleset*> carried{a, c};
  std::sort(carried.begin(), carried.end());
  EXPECT_EQ(after.carried, carried);
  // what was taken over left its slot empty; the changed one is still there
  EXPECT_FALSE(before.engine->rulesets()[0]);
  EXPECT_TRUE(before.engine->rulesets()[1]);
  EXPECT_FALSE(before.engine->rulesets()[2]);
}

TEST(Compiler, ACompileThatFailsTakesNothingFromTheRunningEngine) {
  PluginRegistry own({{"own", makeOwnPlugin, "the test's plugin"}});
  auto before = compile(ir::Root{{namedCalling("a", "own")}}, {}, own);
  ASSERT_TRUE(before.engine);
  auto after = compile(ir::Root{{namedCalling("a", "own"), namedCalling("b", "nonesuch")}}, {}, own, before.engine.get());
  EXPECT_FALSE(after.engine);
  EXPECT_TRUE(after.carried.empty());
  EXPECT_TRUE(before.engine->rulesets()[0]);  // still runs
}

TEST(PluginArgs, PluginsOfOneRulesetNamingTheSameCgroupsShareOneList) {
  Diagnostics diags;
  PatternPool pool;
  ir::PluginCall detector{"pressure_above", {{"cgroup", "/idle.slice/idle-1.slice"}}, {}, {"t.json", 4}};
  ir::PluginCall action{"kill_by_pressure_cause", {{"cgroup", "/idle.slice/idle-1.slice"}}, {}, {"t.json", 5}};
  ir::PluginCall other{"memory_above", {{"cgroup", "/"}}, {}, {"t.json", 6}};
  PluginArgs a(detector, diags, &pool), b(action, diags, &pool), c(other, diags, &pool);
  CgroupPatterns first = a.cgroups("cgroup"), second = b.cgroups("cgroup"), third = c.cgroups("cgroup");
  EXPECT_TRUE(first.sharedWith(second));
  EXPECT_EQ(second.list(), std::vector<std::string>{"/idle.slice/idle-1.slice"});
  EXPECT_FALSE(third.sharedWith(first));
  EXPECT_EQ(third.list(), std::vector<std::string>{"/"});
  EXPECT_TRUE(diags.empty());
}

TEST(PluginArgs, ABadCgroupListIsReportedForEachPluginThatNamesIt) {
  Diagnostics diags;
  PatternPool pool;
  ir::PluginCall one{"pressure_above", {{"cgroup", "/a,,/b"}}, {}, {"t.json", 4}};
  ir::PluginCall two{"memory_reclaim", {{"cgroup", "/a,,/b"}}, {}, {"t.json", 7}};
  PluginArgs a(one, diags, &pool), b(two, diags, &pool);
  a.cgroups("cgroup");
  b.cgroups("cgroup");
  ASSERT_EQ(diags.size(), 2u);
  EXPECT_EQ(diags[1].str(), "t.json:7: plugin 'memory_reclaim': empty cgroup pattern in '/a,,/b'");
}

TEST(Compiler, ARulesetGivenAsRunningIsTakenOverAndOneThatDoesNotRunIsAnError) {
  PluginRegistry own({{"own", makeOwnPlugin, "the test's plugin"}});
  auto before = compile(ir::Root{{namedCalling("a", "own"), namedCalling("b", "own")}}, {}, own);
  ASSERT_TRUE(before.engine);
  const Ruleset* a = before.engine->rulesets()[0].get();
  RunningRulesets running(before.engine.get());
  uint64_t fp = running.unchanged(namedCalling("a", "own"));
  EXPECT_NE(fp, 0u);
  EXPECT_EQ(running.unchanged(namedCalling("a", "own", "changed")), 0u);
  EXPECT_EQ(running.unchanged(namedCalling("c", "own")), 0u);

  ir::Ruleset given;
  given.name = "a";
  given.running = fp;
  auto after = compile(ir::Root{{given, namedCalling("b", "own")}}, {}, own, before.engine.get());
  ASSERT_TRUE(after.engine);
  EXPECT_EQ(after.engine->rulesets()[0].get(), a);

  ir::Ruleset gone;
  gone.name = "c";
  gone.running = fp;
  gone.where = {"units", 0};
  auto bad = compile(ir::Root{{gone, namedCalling("b", "own")}}, {}, own, after.engine.get());
  EXPECT_FALSE(bad.engine);
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].str(), "units: ruleset 'c' is given as running unchanged, and is not");
  EXPECT_TRUE(after.engine->rulesets()[1]);  // nothing taken
}
