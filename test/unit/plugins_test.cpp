#include <gtest/gtest.h>
#include <sys/xattr.h>

#include "engine_harness.h"
#include "util/log.h"

using namespace unitoomd;
using namespace unitoomd::test;
using unitoomd::test::at;
using unitoomd::test::FixtureTree;
using unitoomd::test::psi;

namespace {

// For tests that a detector stays quiet: the same action under a detector
// that always fires does kill in that fixture, so the quiet is the
// detector's and not an action with nothing it could kill.
void expectTheActionCouldKill(Harness& h, const std::string& action, double t) {
  ASSERT_TRUE(h.killer.killed.empty());
  h.rules(kAlways, action);
  h.sample(t);
  EXPECT_EQ(h.killer.killed.size(), 1u) << "the action had nothing to kill: the test proves nothing";
}

}  // namespace

TEST(PressureAbove, FiresFromTotalDeltasBeforeAvg10CatchesUp) {
  Harness h;
  h.tree.cgroup("/work.slice", {{"memory.pressure", psi(0, 0, 0)}});
  h.tree.cgroup("/work.slice/hog", {{"memory.pressure", psi(0, 0, 0)}});
  h.rules(R"({"name": "pressure_above", "args": {"cgroup": "work.slice", "resource": "memory", "threshold": 20, "duration": 1}})",
          R"({"name": "kill_by_memory_size_or_growth", "args": {"cgroup": "work.slice/*"}})");
  unsigned long long total = 0;
  std::optional<double> killedAt;
  for (int i = 0; i <= 8; ++i) {  // 40 % full stall, every 250 ms; avg10 stays at 1 %
    h.tree.cgroup("/work.slice", {{"memory.pressure", psi(1.0, total, total)}});
    h.tree.proc("pressure/memory", psi(1.0, total, total));  // the machine stalls with it
    h.sample(i * 0.25);
    if (!killedAt && !h.killer.killed.empty()) killedAt = i * 0.25;
    total += 100000;
  }
  ASSERT_EQ(h.killer.killed.size(), 1u);
  EXPECT_EQ(h.killer.killed[0], "/work.slice/hog");
  ASSERT_EQ(h.sink.reports.size(), 1u);
  EXPECT_NE(h.sink.reports[0].reasons[0].find("memory full pressure of /work.slice 40.0% > 20%"), std::string::npos)
      << h.sink.reports[0].reasons[0];
  EXPECT_EQ(h.sink.reports[0].description, "A test ruleset.");
  // its own clock: the sample that decided (above for 1 s, so not before 1 s), and the signal it sent then
  ASSERT_TRUE(killedAt);
  EXPECT_GE(*killedAt, 1.0);
  EXPECT_EQ(h.sink.reports[0].decidedAt, unitoomd::test::at(*killedAt));
  EXPECT_EQ(h.sink.reports[0].signalledAt, unitoomd::test::at(*killedAt));
}

TEST(Reload, AnUnchangedRulesetKeepsTimingItsDurationAChangedOneStartsOver) {
  Harness h;
  h.tree.cgroup("/w/x", {{"memory.pressure", psi(0, 0, 0)}});
  std::string det =
      R"({"name": "pressure_above", "args": {"cgroup": "w", "resource": "memory", "threshold": 20, "duration": 2}})";
  std::string act = R"({"name": "kill_by_pressure", "args": {"cgroup": "w/*", "resource": "memory"}})";
  h.rules(det, act);
  unsigned long long total = 0;
  for (int i = 0; i <= 16; ++i) {  // 40 % stall throughout; a reload every second
    h.tree.cgroup("/w", {{"memory.pressure", psi(0, total, total)}});
    h.tree.proc("pressure/memory", psi(0, total, total));  // the machine stalls with it
    if (i % 4 == 3) h.reload(det, act);
    h.sample(i * 0.25);
    total += 100000;
  }
  EXPECT_EQ(h.killer.killed.size(), 1u) << "unchanged rules must keep their 2 s duration running across reloads";

  Harness c;
  c.tree.cgroup("/w/x", {{"memory.pressure", psi(0, 0, 0)}});
  c.rules(det, act);
  total = 0;
  for (int i = 0; i <= 16; ++i) {
    c.tree.cgroup("/w", {{"memory.pressure", psi(0, total, total)}});
    c.tree.proc("pressure/memory", psi(0, total, total));
    if (i % 8 == 3) c.reload(det + R"(, {"name": "continue"})", act);  // changed each time
    if (i % 8 == 7) c.reload(det, act);
    c.sample(i * 0.25);
    total += 100000;
  }
  EXPECT_TRUE(c.killer.killed.empty());
}

TEST(PressureAbove, NeedsTheWholeDurationWithoutABreak) {
  Harness h;
  h.tree.cgroup("/w", {{"memory.pressure", psi(0, 0, 0)}});
  h.tree.cgroup("/w/x", {{"memory.pressure", psi(0, 0, 0)}});
  h.rules(R"({"name": "pressure_above", "args": {"cgroup": "w", "resource": "memory", "threshold": 20, "duration": 2}})",
          R"({"name": "kill_by_pressure", "args": {"cgroup": "w/*", "resource": "memory"}})");
  unsigned long long total = 0;
  for (int i = 0; i <= 20; ++i) {  // stalls 40 % except for one calm quarter-second every 1.5 s
    bool calm = i % 6 == 5;
    h.tree.cgroup("/w", {{"memory.pressure", psi(0, total, total)}});
    h.tree.proc("pressure/memory", psi(0, total, total));
    h.sample(i * 0.25);
    total += calm ? 0 : 100000;
  }
  // with windows of 1 s the calm step only lowers the window to 30 %: still above
  EXPECT_EQ(h.killer.killed.size(), 1u);
}

TEST(PressureAbove, CalmCgroupsAreLeftAlone) {
  Harness h;
  h.tree.cgroup("/w", {{"memory.pressure", psi(0, 0, 0)}});
  h.tree.cgroup("/work.slice/x", {{"memory.current", "100"}});
  h.rules(R"({"name": "pressure_above", "args": {"cgroup": "w", "resource": "memory", "threshold": 20}})", killBySize());
  unsigned long long total = 0;
  for (int i = 0; i <= 12; ++i) {
    h.tree.cgroup("/w", {{"memory.pressure", psi(0, total, total)}});
    h.sample(i * 0.25);
    total += 10000;  // 4 %
  }
  EXPECT_TRUE(h.killer.killed.empty());
  expectTheActionCouldKill(h, killBySize(), 4);
}

// The children of a calm cgroup cannot be over the threshold, so a glob over
// thousands of them costs one read. A child's file that claims otherwise
// (which the kernel never shows) proves it went unread.
TEST(PressureAbove, ChildrenOfACalmAncestorAreNotRead) {
  Harness h;
  h.tree.cgroup("/w", {{"memory.pressure", psi(0, 0, 0)}});
  h.tree.cgroup("/w/x", {{"memory.pressure", psi(0, 0, 0)}});
  h.rules(R"({"name": "pressure_above", "args": {"cgroup": "w/*", "resource": "memory", "threshold": 40, "duration": 1}})",
          R"({"name": "kill_by_pressure", "args": {"cgroup": "w/*", "resource": "memory"}})");
  unsigned long long parent = 0, child = 0;
  int i = 0;
  auto quarterSecond = [&](unsigned long long parentStall) {  // the child claims 60 % throughout
    h.tree.cgroup("/w", {{"memory.pressure", psi(0, parent, parent)}});
    h.tree.cgroup("/w/x", {{"memory.pressure", psi(0, child, child)}});
    h.sample(i * 0.25);
    parent += parentStall;
    child += 150000;
  };
  for (; i <= 16; ++i) quarterSecond(2500);  // the ancestor stalls 1 %: no child above 14 % on 2 CPUs
  EXPECT_TRUE(h.killer.killed.empty());
  EXPECT_EQ(h.history.size(), 1u) << "only the ancestor's pressure was read";
  for (; i <= 32 && h.killer.killed.empty(); ++i) quarterSecond(75000);  // the ancestor stalls 30 %: its children are read
  ASSERT_EQ(h.killer.killed.size(), 1u);
  EXPECT_LE(i, 17 + 8) << "within 2 s of the ancestor's stall rising: a sample to see it, a quarter-second to fill the child's "
                          "window, 1 s of duration";
  EXPECT_NE(h.sink.reports[0].reasons[0].find("of /w/x 60.0% > 40%"), std::string::npos) << h.sink.reports[0].reasons[0];
}

// The daemon samples every 30 s while idle: a calm ancestor still spares
// reading its thousands of children at each of those samples.
TEST(PressureAbove, ChildrenOfACalmAncestorAreNotReadAtIdleSamples) {
  Harness h;
  h.tree.cgroup("/w", {{"memory.pressure", psi(0, 5000, 5000)}});
  h.tree.cgroup("/w/x", {{"memory.pressure", psi(0, 0, 0)}});
  h.rules(R"({"name": "pressure_above", "args": {"cgroup": "w/*", "resource": "memory", "threshold": 40, "duration": 1}})",
          R"({"name": "kill_by_pressure", "args": {"cgroup": "w/*", "resource": "memory"}})");
  h.sample(0);            // nothing known yet: everything is read
  auto childSeen = [&]() -> std::optional<TimePoint> {  // when /w/x was last read; never: nullopt
    struct stat st;
    stat((h.tree.cgroupRoot() + "/w/x").c_str(), &st);
    const CgroupHistory* seen = h.history.find(st.st_ino);
    return seen ? std::optional<TimePoint>(seen->lastSeen) : std::nullopt;
  };
  ASSERT_EQ(childSeen(), at(0));
  h.tree.cgroup("/w", {{"memory.pressure", psi(0, 5000 + 10000, 5000)}});  // 10 ms of stall in 30 s
  h.sample(30);
  h.tree.cgroup("/w", {{"memory.pressure", psi(0, 5000 + 20000, 5000)}});
  h.sample(60);
  EXPECT_EQ(childSeen(), at(0)) << "at most 1 % stall in the last second: no child above 14 % on 2 CPUs";
  h.tree.cgroup("/w", {{"memory.pressure", psi(0, 5000 + 20000 + 800000, 5000)}});  // 0.8 s since
  h.sample(90);
  EXPECT_EQ(childSeen(), at(90)) << "the ancestor may have stalled 80 % of the last second: its children are read";
}

// Unit rulesets name their cgroup exactly, one ruleset a unit: the parent's
// stall bounds its children as a glob's prefix bounds its matches, and one
// read of the parent serves every sibling's rule in a sample. The children
// claim 60 % throughout (which the kernel never shows under a calm parent):
// were they read, they would be killed.
TEST(PressureAbove, ExactCgroupsUnderACalmParentAreNotRead) {
  Harness h;
  h.tree.cgroup("/w", {{"memory.pressure", psi(0, 0, 0)}});
  h.tree.cgroup("/w/a", {{"memory.pressure", psi(0, 0, 0)}});
  h.tree.cgroup("/w/b", {{"memory.pressure", psi(0, 0, 0)}});
  h.rules(R"({"name": "pressure_above", "args": {"cgroup": "w/a,w/b", "resource": "memory", "threshold": 40, "duration": 1}})",
          R"({"name": "kill_by_pressure", "args": {"cgroup": "w/*", "resource": "memory"}})");
  unsigned long long parent = 0, child = 0;
  int i = 0;
  auto quarterSecond = [&](unsigned long long parentStall) {
    h.tree.cgroup("/w", {{"memory.pressure", psi(0, parent, parent)}});
    h.tree.cgroup("/w/a", {{"memory.pressure", psi(0, child, child)}});
    h.tree.cgroup("/w/b", {{"memory.pressure", psi(0, child, child)}});
    h.sample(i * 0.25);
    parent += parentStall;
    child += 150000;
  };
  for (; i <= 16; ++i) quarterSecond(2500);  // the parent stalls 1 %: no child above 14 % on 2 CPUs
  EXPECT_TRUE(h.killer.killed.empty());
  EXPECT_EQ(h.history.size(), 1u) << "only the parent's pressure was read";
  for (; i <= 32 && h.killer.killed.empty(); ++i) quarterSecond(75000);  // the parent stalls 30 %: its children are read
  ASSERT_EQ(h.killer.killed.size(), 1u);
  EXPECT_EQ(h.history.size(), 3u);
  EXPECT_LE(i, 17 + 8) << "within 2 s of the parent's stall rising";
}

// What a trigger on the cgroup itself proves is placed from the cgroup's own
// readings: a trigger that fired is read whatever its parent shows.
TEST(PressureAbove, AnExactCgroupWhoseTriggerFiredIsReadUnderACalmParent) {
  Harness h;
  h.tree.cgroup("/w", {{"memory.pressure", psi(0, 0, 0)}});
  h.tree.cgroup("/w/a", {{"memory.pressure", psi(0, 0, 0)}});
  h.tree.cgroup("/w/b", {{"memory.pressure", psi(0, 0, 0)}});
  h.rules(R"({"name": "pressure_above", "args": {"cgroup": "w/a,w/b", "resource": "memory", "threshold": 6, "duration": 3}})",
          R"({"name": "kill_by_pressure", "args": {"cgroup": "w/*", "resource": "memory"}})");
  h.sample(0);
  h.sample(30);  // the parent calm for 30 s: its children are left alone
  h.history = History();
  h.proofs.push_back(StallProof{"/w/b", Resource::Memory, StallKind::Full, 6, std::chrono::seconds(2), at(60)});
  h.sample(60);
  struct stat st;
  ASSERT_EQ(stat((h.tree.cgroupRoot() + "/w/b").c_str(), &st), 0);
  EXPECT_NE(h.history.find(st.st_ino), nullptr) << "the cgroup whose trigger fired was read";
  ASSERT_EQ(stat((h.tree.cgroupRoot() + "/w/a").c_str(), &st), 0);
  EXPECT_EQ(h.history.find(st.st_ino), nullptr) << "its calm sibling was not";
}

// A detector timing its duration follows the cgroup that is above from its
// own readings, whatever a bound says meanwhile: the parent here turns calm
// (a fixture the kernel would not show) while the child stays at 60 %; the
// kill comes when the duration is up.
TEST(PressureAbove, WhileTimingTheCgroupsAreReadWhateverTheirParentShows) {
  Harness h;
  h.tree.cgroup("/w", {{"memory.pressure", psi(0, 0, 0)}});
  h.tree.cgroup("/w/a", {{"memory.pressure", psi(0, 0, 0)}});
  h.rules(R"({"name": "pressure_above", "args": {"cgroup": "w/a", "resource": "memory", "threshold": 40, "duration": 2}})",
          R"({"name": "kill_by_pressure", "args": {"cgroup": "w/*", "resource": "memory"}})");
  unsigned long long parent = 0, child = 0;
  for (int i = 0; i <= 20 && h.killer.killed.empty(); ++i) {
    h.tree.cgroup("/w", {{"memory.pressure", psi(0, parent, parent)}});
    h.tree.cgroup("/w/a", {{"memory.pressure", psi(0, child, child)}});
    h.sample(i * 0.25);
    parent += i < 6 ? 150000 : 0;  // the parent stalls 60 % for 1.5 s, then shows none
    child += 150000;
  }
  ASSERT_EQ(h.killer.killed.size(), 1u) << "timing went on from the child's own readings";
}

// The daemon samples every 30 s while idle, and the parent's history then
// has a gap: all the stall since its last reading may lie in the last
// second (as for a glob's prefix).
TEST(PressureAbove, ExactCgroupsAreReadAtAnIdleSampleAfterTheirParentStalled) {
  Harness h;
  h.tree.cgroup("/w", {{"memory.pressure", psi(0, 5000, 5000)}});
  h.tree.cgroup("/w/x", {{"memory.pressure", psi(0, 0, 0)}});
  h.rules(R"({"name": "pressure_above", "args": {"cgroup": "w/x", "resource": "memory", "threshold": 40, "duration": 1}})",
          R"({"name": "kill_by_pressure", "args": {"cgroup": "w/*", "resource": "memory"}})");
  h.sample(0);
  auto childSeen = [&]() -> std::optional<TimePoint> {  // when /w/x was last read
    struct stat st;
    stat((h.tree.cgroupRoot() + "/w/x").c_str(), &st);
    const CgroupHistory* c = h.history.find(st.st_ino);
    return c ? std::optional<TimePoint>(c->lastSeen) : std::nullopt;
  };
  ASSERT_EQ(childSeen(), at(0)) << "nothing known of the parent yet: its child is read";
  h.tree.cgroup("/w", {{"memory.pressure", psi(0, 5000 + 10000, 5000)}});
  h.sample(30);
  EXPECT_EQ(childSeen(), at(0)) << "10 ms of stall in 30 s: no child above 14 % on 2 CPUs";
  h.tree.cgroup("/w", {{"memory.pressure", psi(0, 5000 + 10000 + 800000, 5000)}});
  h.sample(60);
  EXPECT_EQ(childSeen(), at(60)) << "the parent may have stalled 80 % of the last second: its child is read";
}

// A unit's cgroup sits under "/", whose stall is the whole machine's: its
// own trigger, armed and quiet, bounds it instead. The idle sample 30 s
// after the last finds the root stalled (a bound no child can be kept
// under); the quiet trigger keeps the unit's cgroup unread. Once that
// trigger fires, the cgroup is read again until it has been quiet for the
// whole window.
TEST(PressureAbove, AnExactCgroupWhoseTriggerStaysQuietIsNotReadWhateverItsParentShows) {
  Harness h;
  h.tree.proc("pressure/memory", psi(0, 100000, 100000));  // nothing known of the root's last second
  h.tree.cgroup("/u.slice", {{"memory.pressure", psi(0, 0, 0)}});
  h.rules(R"({"name": "pressure_above", "args": {"cgroup": "u.slice", "resource": "memory", "threshold": 60, "duration": 20, "window": 1}})",
          R"({"name": "kill_by_pressure", "args": {"cgroup": "u.slice", "resource": "memory"}})");
  auto seenAt = [&]() -> std::optional<TimePoint> {
    struct stat st;
    stat((h.tree.cgroupRoot() + "/u.slice").c_str(), &st);
    const CgroupHistory* c = h.history.find(st.st_ino);
    return c ? std::optional<TimePoint>(c->lastSeen) : std::nullopt;
  };
  h.sample(0);
  ASSERT_EQ(seenAt(), at(0)) << "no trigger armed yet: the cgroup is read";
  h.quiet.byCgroup["/u.slice"] = QuietTrigger{StallKind::Some, 5, std::chrono::milliseconds(500), at(0.1)};
  h.tree.proc("pressure/memory", psi(0, 900000, 900000));  // the machine stalled 0.8 s in 30
  h.sample(30);
  EXPECT_EQ(seenAt(), at(0)) << "its quiet trigger bounds it under 7.5 %";
  h.quiet.byCgroup["/u.slice"].since = at(59.8);  // fired just before the next sample
  h.tree.proc("pressure/memory", psi(0, 1700000, 1700000));
  h.sample(60);
  EXPECT_EQ(seenAt(), at(60)) << "a trigger that fired within the window bounds nothing";
  h.tree.proc("pressure/memory", psi(0, 2100000, 2100000));  // the machine goes on stalling, 80 %
  h.sample(60.5);
  EXPECT_EQ(seenAt(), at(60.5)) << "quiet for 0.7 s: not yet the whole 1 s window";
  h.tree.proc("pressure/memory", psi(0, 2500000, 2500000));
  h.sample(61);
  EXPECT_EQ(seenAt(), at(60.5)) << "quiet for 1.2 s, the window and the trigger's: bounded again";
}

// A trigger whose ceiling is not below the limit (a low limit, an
// unprivileged 2 s window) leaves the cgroup to the other bounds.
TEST(PressureAbove, AQuietTriggerTooCoarseForTheLimitDoesNotStandIn) {
  Harness h;
  h.tree.cgroup("/u.slice", {{"memory.pressure", psi(0, 0, 0)}});
  h.rules(R"({"name": "pressure_above", "args": {"cgroup": "u.slice", "resource": "memory", "threshold": 10, "duration": 20, "window": 1}})",
          R"({"name": "kill_by_pressure", "args": {"cgroup": "u.slice", "resource": "memory"}})");
  h.sample(0);
  h.quiet.byCgroup["/u.slice"] = QuietTrigger{StallKind::Some, 5, std::chrono::seconds(2), at(0)};  // ceiling 20 %
  h.tree.proc("pressure/memory", psi(0, 800000, 800000));
  h.sample(30);
  struct stat st;
  ASSERT_EQ(stat((h.tree.cgroupRoot() + "/u.slice").c_str(), &st), 0);
  const CgroupHistory* c = h.history.find(st.st_ino);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->lastSeen, at(30)) << "20 % is no bound for a 10 % limit: the cgroup was read";
}

// A unit's ruleset as the unit policy makes it (pressure_above and
// memory_reclaim on the unit's cgroup), taken in while its parent is calm:
// neither detector reads the unit, memory_reclaim's first look included
// (10,000 of them read every unit once after the take-in). The unit is
// read again as soon as its parent stalls.
TEST(PressureAbove, AUnitsRulesetTakenInUnderACalmParentReadsNothingOfTheUnit) {
  Harness h;
  h.tree.cgroup("/p", {{"memory.pressure", psi(0, 1000, 0)}});  // stalled once, long ago
  h.tree.cgroup("/p/u", {{"memory.pressure", psi(0, 1000, 0)}});
  auto unitRules = [&] {
    h.rules(R"({"name": "pressure_above", "args": {"cgroup": "p/u", "resource": "memory", "threshold": 10, "duration": 20, "window": 1}},
               {"name": "memory_reclaim", "args": {"cgroup": "p/u", "duration": 30}})",
            R"({"name": "kill_by_pressure", "args": {"cgroup": "p/u", "resource": "memory"}})");
  };
  auto unitSeenAt = [&]() -> std::optional<TimePoint> {
    struct stat st;
    stat((h.tree.cgroupRoot() + "/p/u").c_str(), &st);
    const CgroupHistory* c = h.history.find(st.st_ino);
    return c ? std::optional<TimePoint>(c->lastSeen) : std::nullopt;
  };
  unitRules();
  h.sample(0);  // nothing known of the parent's last second: the unit is read
  h.sample(30);
  unitRules();  // taken in again: new detectors, the parent's history kept
  h.sample(60);
  EXPECT_EQ(unitSeenAt(), at(0)) << "its parent calm: the unit is not read";
  h.tree.cgroup("/p", {{"memory.pressure", psi(0, 15001000, 0)}});  // the parent stalled half of the last minute
  h.sample(90);
  EXPECT_EQ(unitSeenAt(), at(90)) << "its parent stalled: the unit is read";
}

TEST(PressureAbove, Avg10WindowBehavesLikeOomd) {
  Harness h;
  h.tree.cgroup("/w", {{"memory.pressure", psi(25, 0, 0)}});
  h.tree.cgroup("/w/x", {{"memory.pressure", psi(0, 0, 0)}});
  h.tree.proc("pressure/memory", psi(25, 0, 0));  // the machine's stall holds the cgroup's
  h.rules(R"({"name": "pressure_above", "args": {"cgroup": "w", "resource": "memory", "threshold": 20, "window": "avg10"}})",
          R"({"name": "kill_by_pressure", "args": {"cgroup": "w/*", "resource": "memory"}})");
  h.sample(0);
  EXPECT_EQ(h.killer.killed.size(), 1u);
  EXPECT_NE(h.sink.reports[0].reasons[0].find("(avg10)"), std::string::npos);
}

TEST(MemoryAbove, PercentOfMemTotalIsReadAtEachSample) {
  Harness h;
  h.tree.cgroup("/w", {{"memory.current", std::to_string(600ull << 20)}});
  h.tree.cgroup("/w/x", {{"memory.current", "1"}});
  h.tree.proc("meminfo", "MemTotal: 4194304 kB\nMemAvailable: 524288 kB\n");  // memory hot-added: 4 GiB
  h.rules(R"({"name": "memory_above", "args": {"cgroup": "w", "threshold": "50%"}})",
          R"({"name": "kill_by_memory_size_or_growth", "args": {"cgroup": "w/*"}})");
  h.sample(1);
  EXPECT_TRUE(h.killer.killed.empty());  // 600 MiB < 2 GiB: the new total counts
  h.tree.proc("meminfo", "MemTotal: 1048576 kB\nMemAvailable: 524288 kB\n");
  h.sample(2);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/w/x"});
}

TEST(SwapFree, ReadsProcSwapsNotMeminfo) {
  Harness h;
  h.tree.cgroup("/w", {{"memory.swap.current", "1000"}, {"memory.current", "10"}});
  // during swapoff meminfo shows SwapFree 0 of a slowly shrinking total
  h.tree.proc("meminfo", "MemTotal: 1048576 kB\nMemAvailable: 524288 kB\nSwapTotal: 1000 kB\nSwapFree: 0 kB\n");
  h.tree.proc("swaps", "Filename Type Size Used Priority\n/dev/vdb partition 1000000 100 -2\n");
  h.rules(R"({"name": "swap_free", "args": {"threshold_pct": 10}})",
          R"({"name": "kill_by_swap_usage", "args": {"cgroup": "w"}})");
  h.sample(0);
  EXPECT_TRUE(h.killer.killed.empty());
  h.tree.proc("swaps", "Filename Type Size Used Priority\n/dev/vdb partition 1000000 950000 -2\n");
  h.sample(1);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/w"});
}

TEST(SwapFree, NoSwapNeverFires) {
  Harness h;  // /proc/swaps lists no swap
  h.tree.cgroup("/work.slice/x", {{"memory.current", "100"}});
  h.rules(R"({"name": "swap_free", "args": {"threshold_pct": 50}})", killBySize());
  h.sample(0);
  EXPECT_TRUE(h.sink.reports.empty());
  expectTheActionCouldKill(h, killBySize(), 1);
}

TEST(MemoryReclaim, FallsBackToPsiWithoutMemoryStat) {
  Harness h;
  h.tree.cgroup("/w", {{"memory.pressure", psi(0, 100, 0)}});
  h.tree.cgroup("/w/x", {});
  h.rules(R"({"name": "memory_reclaim", "args": {"cgroup": "w", "duration": 5}})",
          R"({"name": "kill_by_memory_size_or_growth", "args": {"cgroup": "w/*"}})");
  h.sample(0);
  EXPECT_TRUE(h.killer.killed.empty());  // no change seen yet
  h.tree.cgroup("/w", {{"memory.pressure", psi(0, 5000, 0)}});
  h.sample(1);
  ASSERT_EQ(h.sink.reports.size(), 1u);
  EXPECT_NE(h.sink.reports[0].reasons[0].find("from PSI: memory.stat unavailable"), std::string::npos);
}

TEST(MemoryThrashing, TellsRefaultsFromHarmlessReclaim) {
  Harness h;
  auto stat = [](unsigned long long steal, unsigned long long refault) {
    return "anon 0\nfile 0\npgscan " + std::to_string(steal) + "\npgsteal " + std::to_string(steal) +
           "\nworkingset_refault_anon 0\nworkingset_refault_file " + std::to_string(refault) + "\n";
  };
  h.tree.cgroup("/cache", {{"memory.stat", stat(0, 0)}, {"memory.pressure", psi(0, 0, 0)}});
  h.tree.cgroup("/thrash", {{"memory.stat", stat(0, 0)}, {"memory.pressure", psi(0, 0, 0)}});
  h.rules(R"({"name": "memory_thrashing", "args": {"cgroup": "cache,thrash", "window": 1}})",
          R"({"name": "kill_by_pressure", "args": {"cgroup": "thrash", "resource": "memory", "dry": true}})");
  for (int i = 1; i <= 6; ++i) {
    // cache: 20000 pages/s dropped, nothing comes back; thrash: 5000 stolen, 4000 refaulted per second
    h.tree.cgroup("/cache", {{"memory.stat", stat(i * 5000ull, 0)}});
    h.tree.cgroup("/thrash", {{"memory.stat", stat(i * 1250ull, i * 1000ull)}});
    h.sample(i * 0.25);
  }
  ASSERT_EQ(h.sink.reports.size(), 1u);
  EXPECT_NE(h.sink.reports[0].reasons[0].find("/thrash thrashing: 4000 refaults/s, 80%"), std::string::npos)
      << h.sink.reports[0].reasons[0];
}

TEST(MemoryThrashing, HarmlessReclaimAloneNeverFires) {
  Harness h;
  h.tree.cgroup("/cache", {{"memory.stat", "pgscan 0\npgsteal 0\nworkingset_refault_file 0\n"}});
  h.tree.cgroup("/work.slice/x", {{"memory.current", "100"}});
  h.rules(R"({"name": "memory_thrashing", "args": {"cgroup": "cache", "window": 1}})", killBySize());
  for (int i = 1; i <= 8; ++i) {
    h.tree.cgroup("/cache", {{"memory.stat", "pgscan " + std::to_string(i * 9000) + "\npgsteal " + std::to_string(i * 9000) +
                                                 "\nworkingset_refault_file " + std::to_string(i * 10) + "\n"}});
    h.sample(i * 0.25);
  }
  EXPECT_TRUE(h.sink.reports.empty());
  expectTheActionCouldKill(h, killBySize(), 3);
}

TEST(KillBySize, LargestFirstAndPreferAvoidOmitRespected) {
  Harness h;
  h.tree.cgroup("/work.slice", {});
  h.tree.cgroup("/work.slice/big", {{"memory.current", "900"}});
  h.tree.cgroup("/work.slice/mid", {{"memory.current", "500"}});
  h.tree.cgroup("/work.slice/small", {{"memory.current", "100"}});
  std::string root = h.tree.cgroupRoot();
  if (setxattr((root + "/work.slice/big").c_str(), "user.oomd_omit", "1", 1, 0) != 0) GTEST_SKIP() << "no user xattrs on /tmp";
  setxattr((root + "/work.slice/mid").c_str(), "user.oomd_avoid", "1", 1, 0);
  setxattr((root + "/work.slice/small").c_str(), "user.oomd_prefer", "1", 1, 0);
  h.rules(kAlways, killBySize());
  h.sample(0);
  ASSERT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/small"});  // prefer beats size; omit never
  // small is gone; after the post-action delay, tiny (no preference) goes
  // before mid (avoid) though it is smaller, then mid; big (omit) never
  h.tree.cgroup("/work.slice/tiny", {{"memory.current", "50"}});
  h.sample(61);
  h.sample(122);
  h.sample(183);
  EXPECT_EQ(h.killer.killed, (std::vector<std::string>{"/work.slice/small", "/work.slice/tiny", "/work.slice/mid"}));
}

// A user owns the cgroups delegated to them and may set user.* xattrs
// there: those must not make the user's hog unkillable by the system's
// rulesets (trusted.* needs CAP_SYS_ADMIN; a user's units speak through
// ManagedOOMPreference= on their manager instead).
TEST(KillBySize, XattrsOnAUserOwnedCgroupDoNotCount) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (chown to another user)";
  Harness h;
  h.tree.cgroup("/work.slice/user-hog", {{"memory.current", "900"}});
  h.tree.cgroup("/work.slice/root-omitted", {{"memory.current", "950"}});
  h.tree.cgroup("/work.slice/small", {{"memory.current", "100"}});
  std::string root = h.tree.cgroupRoot();
  if (setxattr((root + "/work.slice/user-hog").c_str(), "user.oomd_omit", "1", 1, 0) != 0) GTEST_SKIP() << "no user xattrs here";
  setxattr((root + "/work.slice/root-omitted").c_str(), "user.oomd_omit", "1", 1, 0);
  ASSERT_EQ(chown((root + "/work.slice/user-hog").c_str(), 1001, 1001), 0);
  h.rules(kAlways, killBySize());
  h.sample(0);
  // root's omit holds; the user's own is ignored, so the user's hog goes first
  ASSERT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/user-hog"});
}

TEST(KillBySize, AFailedKillMovesOnToTheNextCandidate) {
  Harness h;
  h.tree.cgroup("/work.slice/big", {{"memory.current", "900"}});
  h.tree.cgroup("/work.slice/small", {{"memory.current", "100"}});
  h.killer.failing.insert("/work.slice/big");
  h.rules(kAlways, killBySize());
  h.sample(0);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/small"});
  ASSERT_EQ(h.sink.reports.size(), 2u);
  EXPECT_FALSE(h.sink.reports[0].ok);
  EXPECT_EQ(h.sink.reports[0].error, "refused");
  EXPECT_TRUE(h.sink.reports[1].ok);
}

TEST(KillBySize, FallsBackToOwnPressureAndSaysSo) {
  Harness h;  // no memory.current anywhere, as on a cgroup2 without the memory controller
  h.tree.cgroup("/work.slice/calm", {{"memory.pressure", psi(0, 0, 0)}});
  h.tree.cgroup("/work.slice/hog", {{"memory.pressure", psi(30, 900000, 800000)}});
  h.rules(kAlways, killBySize());
  h.sample(0);
  ASSERT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/hog"});
  EXPECT_EQ(h.sink.reports[0].ranking, "by own memory pressure (memory.current unavailable)");
}

TEST(KillBySize, GrowthRatioIsAFloat) {
  Harness h;
  h.tree.cgroup("/work.slice/steady", {{"memory.current", "1000"}});
  h.tree.cgroup("/work.slice/grower", {{"memory.current", "950"}});
  h.rules(R"({"name": "stop"})", killBySize(R"(, "size_threshold": 90, "min_growth_ratio": 1.1, "growing_size_percentile": 0)"));
  h.sample(0);
  h.tree.cgroup("/work.slice/grower", {{"memory.current", "1100"}});  // +16 %: below a ratio of 2, above 1.1
  h.rules(kAlways, killBySize(R"(, "size_threshold": 90, "min_growth_ratio": 1.1, "growing_size_percentile": 0)"));
  h.sample(1);
  ASSERT_EQ(h.killer.killed.size(), 1u);
  EXPECT_EQ(h.killer.killed[0], "/work.slice/grower");
}

// Growth is measured while the detectors hold their duration towards the
// kill: the cgroup growing then is chosen over a larger, steady one.
TEST(KillBySize, GrowthSeenWhileTheDurationRuns) {
  Harness h;
  h.tree.cgroup("/w", {{"memory.pressure", psi(0, 0, 0)}});
  h.tree.cgroup("/w/steady", {{"memory.current", "1000"}});
  h.tree.cgroup("/w/grower", {{"memory.current", "300"}});
  h.rules(
      R"({"name": "pressure_above", "args": {"cgroup": "w", "resource": "memory", "threshold": 20, "duration": 2}})",
      R"({"name": "kill_by_memory_size_or_growth", "args": {"cgroup": "w/*", "size_threshold": 90, "growing_size_percentile": 0}})");
  unsigned long long total = 0;
  for (int i = 0; i <= 16 && h.killer.killed.empty(); ++i) {  // 40 % stall; the grower gains 60 units a quarter-second
    h.tree.cgroup("/w", {{"memory.pressure", psi(0, total, total)}});
    h.tree.proc("pressure/memory", psi(0, total, total));  // the machine stalls with it
    h.tree.cgroup("/w/grower", {{"memory.current", std::to_string(300 + 60 * i)}});
    h.sample(i * 0.25);
    total += 100000;
  }
  ASSERT_EQ(h.killer.killed.size(), 1u);
  EXPECT_EQ(h.killer.killed[0], "/w/grower");
}

// Reclaim counters add up a subtree: while the glob's ancestor has not
// reclaimed, its children are not read. A child claiming otherwise (which
// the kernel never shows) proves it; once the ancestor moves, they are.
TEST(MemoryReclaim, ChildrenOfAnAncestorThatDidNotReclaimAreNotRead) {
  Harness h;
  auto stat = [](int pgscan) { return "pgscan " + std::to_string(pgscan) + "\npgsteal 0\n"; };
  h.tree.cgroup("/w", {{"memory.stat", stat(100)}});
  h.tree.cgroup("/w/x", {{"memory.stat", stat(100)}});
  h.rules(R"({"name": "memory_reclaim", "args": {"cgroup": "w/*", "duration": 5}})", killBySize());
  h.sample(0);  // first sight: everything is read once
  h.history = History();
  for (int i = 1; i <= 4; ++i) {
    h.tree.cgroup("/w/x", {{"memory.stat", stat(100 + i)}});
    h.sample(i);
  }
  EXPECT_EQ(h.history.size(), 1u) << "only the ancestor's memory.stat was read";
  h.tree.cgroup("/w", {{"memory.stat", stat(200)}});
  h.tree.cgroup("/w/x", {{"memory.stat", stat(200)}});
  h.sample(5);
  EXPECT_EQ(h.history.size(), 2u) << "the ancestor reclaimed: its children are read";
}

// A unit's reclaim gate names its cgroup exactly: the parent's counters add
// up its children's, so while they stand still the child is not read (its
// file claims a rise the kernel would not show under a still parent).
TEST(MemoryReclaim, AnExactCgroupUnderAParentThatDidNotReclaimIsNotRead) {
  Harness h;
  auto stat = [](int pgscan) { return "pgscan " + std::to_string(pgscan) + "\npgsteal 0\n"; };
  h.tree.cgroup("/w", {{"memory.stat", stat(100)}});
  h.tree.cgroup("/w/x", {{"memory.stat", stat(0)}});  // no scan yet: first sight is no reclaim
  h.tree.cgroup("/work.slice/big", {{"memory.current", "100"}});
  h.rules(R"({"name": "memory_reclaim", "args": {"cgroup": "w/x", "duration": 5}})", killBySize());
  h.sample(0);
  h.history = History();
  for (int i = 1; i <= 4; ++i) {
    h.tree.cgroup("/w/x", {{"memory.stat", stat(100 + i)}});
    h.sample(i);
  }
  EXPECT_EQ(h.history.size(), 1u) << "only the parent's memory.stat was read";
  EXPECT_TRUE(h.killer.killed.empty());
  h.tree.cgroup("/w", {{"memory.stat", stat(200)}});
  h.tree.cgroup("/w/x", {{"memory.stat", stat(200)}});
  h.sample(5);
  struct stat st;
  ASSERT_EQ(::stat((h.tree.cgroupRoot() + "/w/x").c_str(), &st), 0);
  EXPECT_NE(h.history.find(st.st_ino), nullptr) << "the parent reclaimed: its child is read";
  EXPECT_EQ(h.killer.killed.size(), 1u) << "and its rise since its last reading counts";
}

// Children without memory.stat measure reclaim by PSI; a parent that has
// reclaim counters (the root's come from /proc/vmstat) bounds them only if
// its memory stall stood still too.
TEST(MemoryReclaim, ChildrenMeasuredByPsiAreReadWhenTheirParentStallsThoughItDidNotScan) {
  Harness h;
  h.tree.cgroup("/x", {{"memory.pressure", psi(0, 100, 0)}});
  h.tree.cgroup("/work.slice/big", {{"memory.current", "100"}});
  h.rules(R"({"name": "memory_reclaim", "args": {"cgroup": "x", "duration": 5}})", killBySize());
  h.sample(0);
  h.sample(1);
  EXPECT_TRUE(h.killer.killed.empty());
  h.tree.proc("pressure/memory", psi(0, 5000, 0));  // /proc/vmstat's pgscan stays 0
  h.tree.cgroup("/x", {{"memory.pressure", psi(0, 5000, 0)}});
  h.sample(2);
  ASSERT_EQ(h.sink.reports.size(), 1u) << "the stall in /x counts as its reclaim";
}

TEST(KillBySize, AVanishedCgroupIsNotACrashNorACandidate) {
  Harness h;
  h.tree.cgroup("/work.slice/gone", {{"memory.current", "900"}});
  h.tree.cgroup("/work.slice/here", {{"memory.current", "100"}});
  struct Vanisher : Plugin {
    FixtureTree* tree;
    PluginResult run(SampleContext& ctx) override {
      ctx.resolve({"work.slice/*"});     // listed...
      tree->remove("/work.slice/gone");  // ...then removed before the kill plugin reads it
      return PluginResult::Continue;
    }
  };
  h.rules(kAlways, killBySize());
  auto v = std::make_unique<Vanisher>();
  v->tree = &h.tree;
  const_cast<Ruleset&>(*h.engine->rulesets()[0]).groups[0].detectors.push_back(std::move(v));
  h.sample(0);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/here"});
}

TEST(KillBySize, DryRunKillsNothingAndSaysWhatItWouldHave) {
  Harness h;
  h.dryRun = true;
  h.tree.cgroup("/work.slice/hog", {{"memory.current", "900"}});
  h.rules(kAlways, killBySize());
  h.sample(0);
  EXPECT_TRUE(h.killer.killed.empty());
  ASSERT_EQ(h.sink.reports.size(), 1u);
  EXPECT_TRUE(h.sink.reports[0].dryRun);
  EXPECT_EQ(h.sink.reports[0].summary().rfind("Would kill /work.slice/hog: ", 0), 0u);
}

TEST(KillBySize, RecursiveDescendsAndStopsAtOomGroup) {
  Harness h;
  h.tree.cgroup("/work.slice/a", {{"memory.current", "900"}});
  h.tree.cgroup("/work.slice/a/leaf1", {{"memory.current", "200"}});
  h.tree.cgroup("/work.slice/a/group", {{"memory.current", "700"}, {"memory.oom.group", "1"}});
  h.tree.cgroup("/work.slice/a/group/inner", {{"memory.current", "700"}});
  h.tree.cgroup("/work.slice/b", {{"memory.current", "100"}});
  h.rules(kAlways, killBySize(R"(, "recursive": true)"));
  h.sample(0);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/a/group"});
}

TEST(KillBySwap, MostSwapAboveTheThreshold) {
  Harness h;
  h.tree.proc("swaps", "Filename Type Size Used Priority\n/dev/vdb partition 1000 900 -2\n");
  h.tree.cgroup("/s/little", {{"memory.swap.current", std::to_string(10 * 1024)}});
  h.tree.cgroup("/s/lots", {{"memory.swap.current", std::to_string(800 * 1024)}});
  h.rules(kAlways, R"({"name": "kill_by_swap_usage", "args": {"cgroup": "s/*", "threshold": "5%"}})");
  h.sample(0);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/s/lots"});
}

TEST(KillByPgScan, CollectsOneSampleThenRanksByScanRate) {
  Harness h;
  h.tree.cgroup("/p/slow", {{"memory.stat", "pgscan 100\npgsteal 0\n"}});
  h.tree.cgroup("/p/fast", {{"memory.stat", "pgscan 100\npgsteal 0\n"}});
  h.rules(kAlways, R"({"name": "kill_by_pg_scan", "args": {"cgroup": "p/*"}})");
  h.sample(0);
  EXPECT_TRUE(h.killer.killed.empty());
  h.tree.cgroup("/p/slow", {{"memory.stat", "pgscan 200\npgsteal 0\n"}});
  h.tree.cgroup("/p/fast", {{"memory.stat", "pgscan 9000\npgsteal 0\n"}});
  h.sample(0.25);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/p/fast"});
}

TEST(Exists, NegateSwitchesARulesetOff) {
  Harness h;
  h.tree.cgroup("/maintenance.slice", {});
  h.tree.cgroup("/w/x", {{"memory.current", "5"}});
  h.rules(R"({"name": "exists", "args": {"cgroup": "maintenance.slice", "negate": true}})",
          R"({"name": "kill_by_memory_size_or_growth", "args": {"cgroup": "w/*"}})");
  h.sample(0);
  EXPECT_TRUE(h.killer.killed.empty());
  h.tree.remove("/maintenance.slice");
  h.sample(1);
  EXPECT_EQ(h.killer.killed.size(), 1u);
}

TEST(NrDyingDescendants, ComparesWithCount) {
  Harness h;
  h.tree.cgroup("/w", {{"cgroup.stat", "nr_descendants 3\nnr_dying_descendants 40\n"}});
  h.tree.cgroup("/w/x", {{"memory.current", "5"}});
  h.rules(R"({"name": "nr_dying_descendants", "args": {"cgroup": "w", "count": 30, "lte": false}})",
          R"({"name": "kill_by_memory_size_or_growth", "args": {"cgroup": "w/*"}})");
  h.sample(0);
  EXPECT_EQ(h.killer.killed.size(), 1u);
}

TEST(KillChain, AVictimThatSurvivesIsReportedAndTheNextCandidateIsKilled) {
  Harness h;
  h.tree.cgroup("/work.slice/big", {{"memory.current", "900"}, {"cgroup.events", "populated 1\n"}});
  h.tree.cgroup("/work.slice/small", {{"memory.current", "100"}, {"cgroup.events", "populated 1\n"}});
  h.killer.survivors.insert("/work.slice/big");
  h.rules(kAlways, killBySize(R"(, "confirm_timeout": 2)"));
  h.sample(0);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/big"});
  EXPECT_TRUE(h.sink.reports.empty());  // still waiting for it to die
  h.sample(1);
  EXPECT_TRUE(h.sink.reports.empty());
  h.sample(2.5);  // past the confirm timeout: reported, and the next one is tried
  EXPECT_EQ(h.killer.killed, (std::vector<std::string>{"/work.slice/big", "/work.slice/small"}));
  ASSERT_EQ(h.sink.reports.size(), 2u);
  EXPECT_FALSE(h.sink.reports[0].ok);
  EXPECT_NE(h.sink.reports[0].error.find("still has processes"), std::string::npos) << h.sink.reports[0].error;
  EXPECT_TRUE(h.sink.reports[1].ok);
  EXPECT_EQ(h.sink.reports[1].victim, "/work.slice/small");
}

TEST(KillChain, TheMethodArgumentReachesTheKiller) {
  Harness h;
  h.tree.cgroup("/work.slice/svc", {{"memory.current", "900"}});
  h.rules(kAlways, killBySize(R"(, "method": "stop", "stop_timeout": "3s")"));
  h.sample(0);
  ASSERT_EQ(h.killer.options.size(), 1u);
  EXPECT_EQ(h.killer.options[0].method, KillMethod::Stop);
  EXPECT_EQ(h.killer.options[0].stopTimeout, std::chrono::seconds(3));
}

TEST(KillLeaves, CandidatesAreLeavesAndOomGroupsAndAvoidOnASliceProtectsWhatIsUnder) {
  Harness h;
  h.tree.cgroup("/u.slice/app.slice/editor.scope", {{"memory.current", "100"}});
  h.tree.cgroup("/u.slice/app.slice/browser.scope", {{"memory.current", "900"}, {"memory.oom.group", "1"}});
  h.tree.cgroup("/u.slice/app.slice/browser.scope/tab", {{"memory.current", "800"}});
  h.tree.cgroup("/u.slice/session.slice/shell.service", {{"memory.current", "5000"}});
  h.unitPreferences["/u.slice/session.slice"] = Preference::Avoid;  // ManagedOOMPreference=avoid on the slice
  h.rules(kAlways, R"({"name": "kill_by_memory_size_or_growth", "args": {"cgroup": "u.slice", "leaves": true}})");
  h.sample(0);
  // the browser is killed whole (oom.group), not its tab; the big shell is avoided
  ASSERT_EQ(h.killer.killed, std::vector<std::string>{"/u.slice/app.slice/browser.scope"});
  h.sample(100);
  EXPECT_EQ(h.killer.killed.back(), "/u.slice/app.slice/editor.scope");
  h.sample(200);
  EXPECT_EQ(h.killer.killed.back(), "/u.slice/session.slice/shell.service");  // avoided, not omitted
  EXPECT_EQ(h.sink.reports.back().figures.back(), (std::pair<std::string, std::string>{"PREFERENCE", "avoid"}));
}

TEST(KillLeaves, OmitOnASliceMeansNothingUnderItIsEverKilled) {
  Harness h;
  h.tree.cgroup("/u.slice/keep.slice/a.service", {{"memory.current", "5000"}});
  h.tree.cgroup("/u.slice/keep.slice/b.service", {{"memory.current", "5000"}});
  h.unitPreferences["/u.slice/keep.slice"] = Preference::Omit;
  h.unitPreferences["/u.slice/keep.slice/b.service"] = Preference::Prefer;  // the closer setting wins
  h.rules(kAlways, R"({"name": "kill_by_memory_size_or_growth", "args": {"cgroup": "u.slice", "leaves": true}})");
  h.sample(0);
  h.sample(100);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/u.slice/keep.slice/b.service"});
}

TEST(KillByPressureCause, TheCgroupThatStallsGoesBeforeTheBiggerBystander) {
  Harness h;  // no memory.stat: the ranking must say it uses own stall only
  h.tree.cgroup("/w.slice/bystander.service", {{"memory.pressure", psi(0.5, 1000, 0)}});
  h.tree.cgroup("/w.slice/hog.service", {{"memory.pressure", psi(35, 9000000, 8000000)}});
  h.rules(kAlways, R"({"name": "kill_by_pressure_cause", "args": {"cgroup": "w.slice", "leaves": true}})");
  h.sample(0);
  ASSERT_EQ(h.killer.killed, std::vector<std::string>{"/w.slice/hog.service"});
  EXPECT_NE(h.sink.reports[0].ranking.find("memory.stat unavailable"), std::string::npos) << h.sink.reports[0].ranking;
}

TEST(KillByPressureCause, WithMemoryStatRefaultsRankBeforeScansAndSize) {
  Harness h;
  auto stat = [](int pgscan, int refaults) {
    return "pgscan " + std::to_string(pgscan) + "\npgsteal 0\nworkingset_refault_file " + std::to_string(refaults) + "\n";
  };
  auto tick = [&](int i) {
    h.tree.cgroup("/w/big", {{"memory.current", "9000"}, {"memory.pressure", psi(0, 0, 0)}, {"memory.stat", stat(i * 100, 0)}});
    h.tree.cgroup("/w/thrasher",
                  {{"memory.current", "1000"}, {"memory.pressure", psi(0, 0, 0)}, {"memory.stat", stat(0, i * 500)}});
    h.tree.cgroup("/w/idle", {{"memory.current", "20000"}, {"memory.pressure", psi(0, 0, 0)}, {"memory.stat", stat(0, 0)}});
  };
  h.rules(R"({"name": "stop"})", R"({"name": "kill_by_pressure_cause", "args": {"cgroup": "w/*"}})");
  tick(0);
  h.sample(0);
  h.rules(R"({"name": "dump_cgroup_overview", "args": {"cgroup": "w/*"}})",
          R"({"name": "kill_by_pressure_cause", "args": {"cgroup": "w/*"}})");
  for (int i = 1; i <= 8; ++i) {
    tick(i);
    SampleContext ctx(h.fs, h.history, at(i * 0.5));
    for (auto* cg : ctx.resolve({"/w/*"})) (void)cg->counters();  // what the sampling of earlier ticks leaves in the history
  }
  tick(9);
  h.rules(kAlways, R"({"name": "kill_by_pressure_cause", "args": {"cgroup": "w/*"}})");
  h.sample(4.5);
  ASSERT_EQ(h.killer.killed, std::vector<std::string>{"/w/thrasher"});
}

TEST(KillProtection, NeitherAProtectedCgroupNorOneHoldingItIsKilled) {
  Harness h;
  h.protectedUnits = {"init.scope", "session.slice"};
  // user@1000.service is the largest, but killing it whole would kill the
  // user manager (init.scope) and the session's services
  h.tree.cgroup("/work.slice/user@1000.service/init.scope", {{"memory.current", "10"}});
  h.tree.cgroup("/work.slice/user@1000.service/session.slice/pipewire.service", {{"memory.current", "10"}});
  h.tree.cgroup("/work.slice/user@1000.service", {{"memory.current", "5000"}});
  h.tree.cgroup("/work.slice/session.slice", {{"memory.current", "3000"}});
  h.tree.cgroup("/work.slice/app.scope", {{"memory.current", "100"}});
  h.rules(kAlways, killBySize());
  h.sample(0);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/app.scope"});
}

TEST(KillProtection, NothingButProtectedCandidatesIsReportedNotKilled) {
  Harness h;
  h.protectedUnits = {"init.scope"};
  h.tree.cgroup("/work.slice/init.scope", {{"memory.current", "5000"}});
  h.rules(kAlways, killBySize());
  std::string logged;
  setLogCapture(
      [](LogLevel, const std::string& m, const LogFields&, void* data) { *static_cast<std::string*>(data) += m + "\n"; },
      &logged);
  h.sample(0);
  setLogCapture(nullptr, nullptr);
  EXPECT_TRUE(h.killer.killed.empty());
  EXPECT_NE(logged.find("found nothing to kill under work.slice/*; protected, so never killed: init.scope"), std::string::npos)
      << logged;
}

// pressure_rising_beyond (unitoomd.conf(5)): avg60 above the threshold for
// the duration and avg10 above it too, unless avg10 is falling fast.
TEST(PressureRisingBeyond, HighAndNotFallingFiresAfterItsDuration) {
  Harness h;
  h.tree.cgroup("/work.slice/x", {{"memory.current", "100"}});
  const std::string rising =
      R"({"name": "pressure_rising_beyond", "args": {"cgroup": "w", "resource": "memory", "threshold": 20, "duration": 2}})";
  h.tree.cgroup("/w", {{"memory.pressure", psi(30, 0, 0, 25)}});
  h.rules(rising, killBySize());
  h.sample(0);
  h.sample(1);
  EXPECT_TRUE(h.killer.killed.empty());  // not yet held for 2 s
  h.sample(2.5);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/x"});
}

TEST(PressureRisingBeyond, ALowAvg10Holds) {
  Harness h;  // avg60 is the past minute; avg10 below the threshold says it is over
  h.tree.cgroup("/work.slice/x", {{"memory.current", "100"}});
  h.tree.cgroup("/w", {{"memory.pressure", psi(10, 0, 0, 40)}});
  h.rules(R"({"name": "pressure_rising_beyond", "args": {"cgroup": "w", "resource": "memory", "threshold": 20}})", killBySize());
  for (int i = 0; i < 5; ++i) h.sample(i);
  EXPECT_TRUE(h.killer.killed.empty());
  expectTheActionCouldKill(h, killBySize(), 5);
}

TEST(PressureRisingBeyond, AFastFallHoldsUntilItSteadies) {
  Harness h;
  h.tree.cgroup("/work.slice/x", {{"memory.current", "100"}});
  h.tree.cgroup("/w", {{"memory.pressure", psi(60, 0, 0, 40)}});
  h.rules(R"({"name": "pressure_rising_beyond", "args": {"cgroup": "w", "resource": "memory", "threshold": 20, "duration": 2}})",
          killBySize());
  h.sample(0);
  h.tree.cgroup("/w", {{"memory.pressure", psi(62, 0, 0, 40)}});
  h.sample(1);
  h.tree.cgroup("/w", {{"memory.pressure", psi(40, 0, 0, 40)}});  // 62 -> 40: below 0.85 of the last
  h.sample(2);
  EXPECT_TRUE(h.killer.killed.empty());
  h.tree.cgroup("/w", {{"memory.pressure", psi(41, 0, 0, 40)}});  // steady again, still above
  h.sample(2.5);
  ASSERT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/x"});
  EXPECT_NE(h.sink.reports[0].reasons[0].find("rising: avg60 40.0% > 20%"), std::string::npos) << h.sink.reports[0].reasons[0];
}

// What a user's own manager says (ManagedOOMPreference= of their units)
// counts for rulesets that watch inside that user's subtree only: the
// system's ruleset for user@1001.service honours the user's `omit`, a
// system-wide one (-.slice's swap, or any glob across users) does not.
TEST(KillLeaves, AUsersPreferencesCountOnlyWithinTheirSubtree) {
  const std::string apps = "/user.slice/user-1001.slice/user@1001.service/app.slice";
  auto setUp = [&](Harness& h) {
    h.tree.cgroup(apps + "/hog.scope", {{"memory.current", "900"}});
    h.tree.cgroup(apps + "/small.scope", {{"memory.current", "100"}});
    h.userPreferences[apps + "/hog.scope"] = Preference::Omit;
  };
  Harness inside;
  setUp(inside);
  inside.rules(
      kAlways,
      R"({"name": "kill_by_memory_size_or_growth", "args": {"cgroup": "user.slice/user-1001.slice/user@1001.service", "leaves": true}})");
  inside.sample(0);
  EXPECT_EQ(inside.killer.killed, std::vector<std::string>{apps + "/small.scope"});

  Harness systemWide;
  setUp(systemWide);
  systemWide.rules(kAlways, R"({"name": "kill_by_memory_size_or_growth", "args": {"cgroup": "/", "leaves": true}})");
  systemWide.sample(0);
  EXPECT_EQ(systemWide.killer.killed, std::vector<std::string>{apps + "/hog.scope"});

  Harness acrossUsers;
  setUp(acrossUsers);
  acrossUsers.rules(kAlways, R"({"name": "kill_by_memory_size_or_growth", "args": {"cgroup": "user.slice/*/*/app.slice/*"}})");
  acrossUsers.sample(0);
  EXPECT_EQ(acrossUsers.killer.killed, std::vector<std::string>{apps + "/hog.scope"});
}

namespace {
std::string swaps(unsigned long long usedKib) {
  return "Filename Type Size Used Priority\n/dev/vdb partition 1000000 " + std::to_string(usedKib) + " -2\n";
}
}  // namespace

// The swap rule's group cannot fire before swap has filled to its limit:
// at the pace seen, half the time that takes is quiet; the daemon samples
// then, not four times a second while memory is short.
TEST(SwapFree, SaysHowLongSwapTakesToFillToItsLimit) {
  Harness h;
  h.tree.cgroup("/w", {{"memory.swap.current", "1000"}, {"memory.current", "10"}});
  h.tree.proc("meminfo", "MemTotal: 1048576 kB\nMemAvailable: 1024 kB\n");
  h.rules(
      R"({"name": "swap_free", "args": {"threshold_pct": 10}}, {"name": "memory_above", "args": {"cgroup": "/", "threshold": "90%"}})",
      R"({"name": "kill_by_swap_usage", "args": {"cgroup": "w"}})");
  h.tree.proc("swaps", swaps(100000));
  h.sample(0);
  EXPECT_EQ(h.engine->quietFor(), Duration::max());  // no pace seen yet
  EXPECT_FALSE(h.engine->timing()) << "memory above 90 % with no duration times nothing";
  h.tree.proc("swaps", swaps(200000));  // 100000 KiB/s; 700000 KiB to go: 7 s
  h.sample(1);
  EXPECT_NEAR(toSeconds(h.engine->quietFor()), 3.5, 0.01);
  h.tree.proc("swaps", swaps(880000));  // 20000 KiB to go at the fastest pace: 680000 KiB/s
  h.sample(2);
  EXPECT_NEAR(toSeconds(h.engine->quietFor()), 20000.0 / 680000 / 2, 0.001);
  EXPECT_TRUE(h.killer.killed.empty());
  h.tree.proc("swaps", swaps(950000));
  h.sample(2.25);
  EXPECT_EQ(h.engine->quietFor(), Duration{0});
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/w"});
}

// While the swap hog dies (seconds in deep swap under TCG, waiting for a
// CPU most of the time), the kill is followed by the daemon's KillWatch,
// not by samples: the ruleset waiting on it holds nobody at the short
// interval, though swap is still over its limit.
TEST(SwapFree, AKillUnderWayDoesNotHoldTheDaemonAtTheShortInterval) {
  Harness h;
  h.tree.cgroup("/w", {{"memory.swap.current", "1000"}, {"memory.current", "10"}});
  h.tree.proc("meminfo", "MemTotal: 1048576 kB\nMemAvailable: 1024 kB\n");
  h.rules(
      R"({"name": "swap_free", "args": {"threshold_pct": 10}}, {"name": "memory_above", "args": {"cgroup": "/", "threshold": "90%"}})",
      R"({"name": "kill_by_swap_usage", "args": {"cgroup": "w"}})");
  h.killer.survivors.insert("/w");  // still dying
  h.tree.proc("swaps", swaps(950000));
  h.sample(0);
  ASSERT_EQ(h.killer.killed, std::vector<std::string>{"/w"});
  h.sample(0.25);
  ASSERT_EQ(h.engine->rulesets()[0]->state(at(0.25)), RulesetState::ActionPending);
  EXPECT_TRUE(h.engine->timing()) << "the kill is under way";
  EXPECT_FALSE(h.engine->detectorsTiming());
  EXPECT_EQ(h.engine->quietFor(), Duration::max());
}

// A detector timing a duration still wants its samples, kill or not.
TEST(SwapFree, ADetectorTimingADurationBesideAKillUnderWayKeepsItsSamples) {
  Harness h;
  h.tree.cgroup("/w", {{"memory.swap.current", "1000"}, {"memory.current", "10"}});
  h.tree.proc("meminfo", "MemTotal: 1048576 kB\nMemAvailable: 1024 kB\n");
  h.rules(
      R"({"name": "swap_free", "args": {"threshold_pct": 10}}, {"name": "memory_above", "args": {"cgroup": "/", "threshold": "90%", "duration": 1}})",
      R"({"name": "kill_by_swap_usage", "args": {"cgroup": "w"}})");
  h.killer.survivors.insert("/w");
  h.tree.proc("swaps", swaps(950000));
  h.sample(0);
  h.sample(1.1);
  ASSERT_EQ(h.killer.killed, std::vector<std::string>{"/w"});
  h.sample(1.3);
  EXPECT_TRUE(h.engine->detectorsTiming());
  EXPECT_EQ(h.engine->quietFor(), Duration{0});
}

TEST(MemoryAbove, TimesOnlyAGivenDuration) {
  Harness h;
  h.tree.cgroup("/w", {{"memory.current", std::to_string(900ull << 20)}});
  h.rules(
      R"({"name": "memory_above", "args": {"cgroup": "w", "threshold": "50%", "duration": 10}}, {"name": "swap_free", "args": {"threshold_pct": 10}})",
      R"({"name": "kill_by_memory_size_or_growth", "args": {"cgroup": "w"}})");
  h.sample(0);
  EXPECT_TRUE(h.engine->timing());
  h.rules(
      R"({"name": "memory_above", "args": {"cgroup": "w", "threshold": "50%"}}, {"name": "swap_free", "args": {"threshold_pct": 10}})",
      R"({"name": "kill_by_memory_size_or_growth", "args": {"cgroup": "w"}})");
  h.sample(1);
  EXPECT_FALSE(h.engine->timing());
}

// memory_exhaustion, with a fake clock: MemAvailable (and memory.current)
// written for each sample, a quarter second apart.
namespace {

constexpr uint64_t kMiB = 1024 * 1024;

void meminfo(Harness& h, uint64_t availMiB) {
  h.tree.proc("meminfo",
              "MemTotal: " + std::to_string(2048 * 1024) + " kB\nMemAvailable: " + std::to_string(availMiB * 1024) + " kB\n");
}

std::string current(uint64_t mib) { return std::to_string(mib * kMiB); }

const std::string kExhaustion =
    R"({"name": "memory_exhaustion", "args": {"cgroup": "/", "threshold": "10s", "without_swap": true}})";
const std::string kFastestGrower =
    R"({"name": "kill_by_memory_size_or_growth", "args": {"cgroup": "work.slice/*", "growth_rate": true}})";

// A grower taking 200 MiB/s beside a bystander larger than it that sits
// still; `grow` false: the grower stops too.
void growerAndBystander(Harness& h, int i, bool grow = true) {
  uint64_t grown = grow ? static_cast<uint64_t>(i) * 50 : 0;
  meminfo(h, 1200 - grown);
  h.tree.cgroup("/work.slice/grower", {{"memory.current", current(100 + grown)}});
  h.tree.cgroup("/work.slice/bystander", {{"memory.current", current(600)}});
}

}  // namespace

TEST(MemoryExhaustion, KillsTheFastestGrowerBeforeMemoryRunsOutNotTheLargest) {
  Harness h;
  h.rules(kExhaustion, kFastestGrower);
  int i = 0;
  for (; i <= 12 && h.killer.killed.empty(); ++i) {
    growerAndBystander(h, i);
    h.sample(i * 0.25);
  }
  ASSERT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/grower"});
  // 1200 MiB minus a 102 MiB reserve (5 %) at 200 MiB/s: under 10 s from the
  // first slope (a third of the 2 s window), not later
  EXPECT_LE(i, 4) << "fired at sample " << i - 1;
  ASSERT_EQ(h.sink.reports.size(), 1u);
  const auto& reasons = h.sink.reports[0].reasons;
  ASSERT_FALSE(reasons.empty());
  EXPECT_NE(reasons[0].find("memory of / runs out in 4.7 s"), std::string::npos) << reasons[0];
  EXPECT_NE(reasons[0].find("200.0 MiB/s"), std::string::npos) << reasons[0];
}

TEST(MemoryExhaustion, NoKillWhileMemoryHoldsStillThoughItIsLow) {
  Harness h;
  h.rules(kExhaustion, kFastestGrower);
  const int noise[] = {30, -25, 10, -40, 35, -5, 20, -30, 0, 15, -20, 5, -10};
  for (int i = 0; i <= 12; ++i) {
    growerAndBystander(h, i, false);
    meminfo(h, static_cast<uint64_t>(150 + noise[i]));  // low, but going nowhere
    h.sample(i * 0.25);
  }
  EXPECT_TRUE(h.killer.killed.empty());
  expectTheActionCouldKill(h, kFastestGrower, 3.5);
}

TEST(MemoryExhaustion, WithoutSwapItWatchesOnlyWhileNoSwapIsUsable) {
  Harness h;
  h.tree.proc("swaps", "Filename Type Size Used Priority\n/dev/vdb partition 1048576 0 -2\n");
  h.rules(kExhaustion, kFastestGrower);
  for (int i = 0; i <= 8; ++i) {
    growerAndBystander(h, i);
    h.sample(i * 0.25);
  }
  EXPECT_TRUE(h.killer.killed.empty()) << "1 GiB of swap free: the kernel swaps, PSI and the swap rules see it";
  // the swap goes (swapoff, or full): picked up at the next samples, no restart
  h.tree.proc("swaps", "Filename Type Size Used Priority\n/dev/vdb partition 1048576 1048000 -2\n");
  for (int i = 9; i <= 16 && h.killer.killed.empty(); ++i) {
    growerAndBystander(h, i);
    h.sample(i * 0.25);
  }
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/grower"});
}

// Swap nearly full (VM lab, swap scenario): the hog, held at memory.high,
// takes what is left by pushing into swap while its memory.current sits
// still; a small service swapping its pages back in grows in RAM alone. The
// hog is the one taking memory. (Measured: a udev worker was killed beside
// the hog when only memory.current counted.)
TEST(MemoryExhaustion, AGrowerPushingIntoSwapIsTheOneTakingMemory) {
  Harness h;
  h.tree.proc("swaps", "Filename Type Size Used Priority\n/dev/vdb partition 524288 440000 -2\n");
  h.rules(kExhaustion, kFastestGrower);
  for (int i = 0; i <= 12 && h.killer.killed.empty(); ++i) {
    uint64_t swapped = static_cast<uint64_t>(i) * 10;
    meminfo(h, 300 - swapped);
    h.tree.cgroup("/work.slice/hog", {{"memory.current", current(32)}, {"memory.swap.current", current(400 + swapped)}});
    h.tree.cgroup("/work.slice/swapping-in",
                  {{"memory.current", current(20 + static_cast<uint64_t>(i))}, {"memory.swap.current", current(8)}});
    h.sample(i * 0.25);
  }
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/hog"});
}

TEST(MemoryExhaustion, ACgroupsRoomUnderItsLimitCounts) {
  Harness h;
  meminfo(h, 1800);  // the machine has plenty
  h.rules(R"({"name": "memory_exhaustion", "args": {"cgroup": "work.slice", "threshold": "2s"}})", kFastestGrower);
  int i = 0;
  for (; i <= 20 && h.killer.killed.empty(); ++i) {
    uint64_t grown = static_cast<uint64_t>(i) * 25;  // 100 MiB/s towards a 512 MiB memory.max
    h.tree.cgroup("/work.slice", {{"memory.max", current(512)}, {"memory.current", current(200 + grown)}});
    h.tree.cgroup("/work.slice/grower", {{"memory.current", current(100 + grown)}});
    h.tree.cgroup("/work.slice/bystander", {{"memory.current", current(100)}});
    h.sample(i * 0.25);
  }
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/grower"});
  // room 512 - 2 % - use: under 2 s at 100 MiB/s once use passes about 300 MiB
  EXPECT_GE(i, 4);
  EXPECT_LE(i, 6);
}

TEST(MemoryExhaustion, PlansTheNextSampleByTheRoomLeftAndPredictsSecondsLeft) {
  Harness h;
  h.rules(kExhaustion, kFastestGrower);
  EXPECT_FALSE(h.engine->sampleWithin()) << "nothing known before the first sample";
  for (int i = 0; i <= 3; ++i) {
    growerAndBystander(h, i);
    h.sample(i * 0.25);
  }
  // room: 1200 - 150 MiB - a 102 MiB reserve, at 2 GiB/s at most
  ASSERT_TRUE(h.engine->sampleWithin());
  EXPECT_NEAR(toSeconds(*h.engine->sampleWithin()), (1050.0 - 102.4) / 2048, 0.01);
  ASSERT_TRUE(h.engine->rulesets()[0]->secondsLeft());
  EXPECT_NEAR(*h.engine->rulesets()[0]->secondsLeft(), (1050.0 - 102.4) / 200, 0.1);
}

TEST(MemoryExhaustion, BadArgumentsAreNamed) {
  for (const char* args : {R"("threshold": "0s")", R"("window": "100ms")", R"("min_rate": "5%")", R"("swap": true)"}) {
    std::string json = std::string(R"({"rulesets": [{"name": "r", "detectors": [["g", {"name": "memory_exhaustion", "args": {)") +
                       args + R"(}}]], "actions": [{"name": "continue"}]}]})";
    Diagnostics d;
    auto root = parseRulesetJson(json, "t.json", d);
    auto out = compile(root, {}, builtinPlugins());
    d.insert(d.end(), out.errors.begin(), out.errors.end());
    EXPECT_FALSE(d.empty()) << args;
  }
}

TEST(SwapFree, ZramCountsWhatItsMemoryLimitHoldsAndSwapOnAfterStartCounts) {
  Harness h;
  h.tree.cgroup("/w", {{"memory.swap.current", std::to_string(300u << 20)}, {"memory.current", "10"}});
  h.rules(R"({"name": "swap_free", "args": {"threshold_pct": 10}})",
          R"({"name": "kill_by_swap_usage", "args": {"cgroup": "w"}})");
  h.sample(0);  // no swap yet
  // zram made and swapped on after start: a 1 GiB device, 30 % used by its
  // size, but its 128 MiB memory limit is all but gone (3:1)
  h.tree.proc("swaps", "Filename Type Size Used Priority\n/dev/zram0 partition 1048576 307200 100\n");
  h.tree.sys("block/zram0/mm_stat", std::to_string(300u << 20) + " " + std::to_string(95u << 20) + " " +
                                        std::to_string(124u << 20) + " " + std::to_string(128u << 20) + " 0 0 0 0\n");
  h.sample(1);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/w"});
  ASSERT_EQ(h.sink.reports.size(), 1u);
  EXPECT_NE(h.sink.reports[0].reasons[0].find("swap free 3.1% (9.7 MiB of 309.7 MiB)"), std::string::npos)
      << h.sink.reports[0].reasons[0];
}

TEST(SwapFree, ZramWithRoomIsNoFullSwap) {
  Harness h;
  h.tree.cgroup("/w", {{"memory.swap.current", std::to_string(300u << 20)}, {"memory.current", "10"}});
  h.tree.proc("swaps", "Filename Type Size Used Priority\n/dev/zram0 partition 1048576 307200 100\n");
  h.tree.sys("block/zram0/mm_stat", std::to_string(300u << 20) + " " + std::to_string(95u << 20) + " " +
                                        std::to_string(40u << 20) + " " + std::to_string(128u << 20) + " 0 0 0 0\n");
  h.rules(R"({"name": "swap_free", "args": {"threshold_pct": 10}})",
          R"({"name": "kill_by_swap_usage", "args": {"cgroup": "w"}})");
  h.sample(0);
  EXPECT_TRUE(h.killer.killed.empty());
}

namespace {

// Asleep on its trigger until t = 30, then woken: a 2 s unprivileged
// trigger that fired at 30 with `proof`, after `stalledUs` of full stall;
// from then on 40 % full stall, read every 250 ms. When was the 3 s rule
// (6 %) met: the first sample that kills.
std::optional<double> killedAtAfterWake(std::optional<StallProof> proof, unsigned long long stalledUs = 800000) {
  Harness h;
  h.tree.cgroup("/w/x", {{"memory.pressure", psi(0, 0, 0)}});
  h.rules(R"({"name": "pressure_above", "args": {"cgroup": "w", "resource": "memory", "threshold": 6, "duration": 3}})",
          R"({"name": "kill_by_pressure", "args": {"cgroup": "w/*", "resource": "memory"}})");
  h.tree.cgroup("/w", {{"memory.pressure", psi(0, 0, 0)}});
  h.sample(0);  // the idle sample
  unsigned long long total = stalledUs;
  for (int i = 0; i <= 40; ++i) {
    double t = 30 + i * 0.25;
    if (i == 0 && proof) h.proofs.push_back(*proof);
    h.tree.cgroup("/w", {{"memory.pressure", psi(0, total, total)}});
    h.tree.proc("pressure/memory", psi(0, total, total));  // the root's stall holds its child's
    h.sample(t);
    if (!h.killer.killed.empty()) return t;
    total += 100000;
  }
  return std::nullopt;
}

}  // namespace

// Without CAP_SYS_RESOURCE the kernel checks a 2 s trigger only every 2 s:
// it fires up to 2 s after the limit was crossed. What it proves (stall
// over its window at the detector's limit and kind) counts. 0.8 s of stall
// at 40 % began at 28 and crossed 6 % at 28.15, but the detector's own 1 s
// window lies inside the trigger's no earlier than 29: 3 s from there is 32.
// 0.2 s of stall began at 29.5 and crossed at 29.65: killed at 32.65, the
// first sample after is 32.75.
TEST(PressureAbove, ATriggerThatProvesTheLimitCountsFromItsWindow) {
  StallProof proof{"/w", Resource::Memory, StallKind::Full, 6, std::chrono::seconds(2), at(30)};
  EXPECT_EQ(killedAtAfterWake(proof), std::optional<double>(32.0));
  EXPECT_EQ(killedAtAfterWake(proof, 200000), std::optional<double>(32.75));
  auto measuredOnly = killedAtAfterWake(std::nullopt);  // counts from its own first reading, at 30 or later
  ASSERT_TRUE(measuredOnly);
  EXPECT_GE(*measuredOnly, 33.0);
  // a proof of less than the rule asks proves nothing for it
  StallProof some = proof;
  some.kind = StallKind::Some;
  EXPECT_EQ(killedAtAfterWake(some), measuredOnly);
  StallProof lower = proof;
  lower.percent = 3;
  EXPECT_EQ(killedAtAfterWake(lower), measuredOnly);
  // a privileged trigger's window (500 ms) is within the detector's own
  StallProof shortWindow = proof;
  shortWindow.window = std::chrono::milliseconds(500);
  EXPECT_EQ(killedAtAfterWake(shortWindow), std::optional<double>(33.0));
}

// The daemon samples when "above for 2 s" would be complete (SamplerPolicy):
// the time is the first sample above the limit plus the duration, and there
// is none while it is not above.
TEST(PressureAbove, SaysWhenItsDurationWillBeOver) {
  Harness h;
  h.tree.cgroup("/w/x", {{"memory.pressure", psi(0, 0, 0)}});
  h.rules(R"({"name": "pressure_above", "args": {"cgroup": "w", "resource": "memory", "threshold": 20, "duration": 2}})",
          R"({"name": "kill_by_pressure", "args": {"cgroup": "w/*", "resource": "memory"}})");
  unsigned long long total = 0;
  for (int i = 0; i <= 4; ++i) {  // calm for a second, then 40 %
    h.tree.cgroup("/w", {{"memory.pressure", psi(0, total, total)}});
    h.tree.proc("pressure/memory", psi(0, total, total));  // the machine stalls with it
    h.sample(i * 0.25);
    EXPECT_FALSE(h.engine->decidesAt()) << "calm at " << i * 0.25 << " s";
  }
  for (int i = 5; i <= 8; ++i) {
    total += 100000;
    h.tree.cgroup("/w", {{"memory.pressure", psi(0, total, total)}});
    h.tree.proc("pressure/memory", psi(0, total, total));
    h.sample(i * 0.25);
  }
  // 40 % over the last second from 1.75 s on
  auto due = h.engine->decidesAt();
  ASSERT_TRUE(due);
  EXPECT_GT(*due, unitoomd::test::at(2));
  EXPECT_LE(*due, unitoomd::test::at(4));
}
