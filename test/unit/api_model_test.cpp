#include <gtest/gtest.h>

#include "daemon/api_model.h"
#include "engine_harness.h"

using namespace unitoomd;
using unitoomd::test::at;
using unitoomd::test::Harness;
using unitoomd::test::kAlways;
using unitoomd::test::psi;

namespace {

const char* kWorkPressure =
    R"({"name": "pressure_above", "args": {"cgroup": "work.slice", "resource": "memory", "threshold": 50, "window": "avg10"}})";

struct ApiModelTest : ::testing::Test {
  Harness h;
  Ledger ledger;

  void SetUp() override {
    h.tree.cgroup("/work.slice", {{"memory.pressure", psi(12.5, 3000000, 1000000)}});
    h.tree.proc("pressure/memory", psi(2.0, 5000000, 2000000));
    h.rules(kWorkPressure, kAlways);
  }
  DaemonView view() {
    DaemonView v(*h.engine, h.fs, ledger);
    v.memoryCgroups = {"/", "/work.slice", "/gone.slice"};
    return v;
  }
  void kill(const std::string& unit, bool dryRun) {
    KillReport r;
    r.ruleset = "test";
    r.unit = unit;
    r.victim = "/work.slice/" + unit;
    r.method = "cgroup.kill";
    r.ok = true;
    r.dryRun = dryRun;
    ledger.killAttempted(r, 42);
  }
};

}  // namespace

TEST_F(ApiModelTest, DumpShowsRulesetsKillsAndThePressureOfWhatIsWatched) {
  kill("hog.service", false);
  kill("other.service", true);
  DaemonView v = view();
  v.dryRun = true;
  v.bus = BusKind::User;
  Snapshot s = snapshotOf(v, /*readPressure=*/true, at(1));
  EXPECT_TRUE(s.dryRun);
  EXPECT_EQ(s.bus, "user's session bus");
  EXPECT_EQ(s.killCount, 1u);  // the dry run's decision is listed, not counted
  ASSERT_EQ(s.kills.size(), 2u);
  EXPECT_EQ(s.kills[0].unit, "hog.service");
  ASSERT_EQ(s.rulesets.size(), 1u);
  EXPECT_EQ(s.rulesets[0].name, "test");
  EXPECT_EQ(s.rulesets[0].state, "armed");
  ASSERT_EQ(s.cgroups.size(), 3u);
  EXPECT_EQ(s.cgroups[0].path, "/");
  EXPECT_DOUBLE_EQ(s.cgroups[0].memorySome, 2.0);
  EXPECT_DOUBLE_EQ(s.cgroups[2].memorySome, 12.5);  // /work.slice, after /gone.slice
  EXPECT_DOUBLE_EQ(s.cgroups[1].memorySome, -1);    // unreadable: said so, not made up
}

TEST_F(ApiModelTest, DumpWithoutPressureReadsNoFile) {
  Snapshot s = snapshotOf(view(), /*readPressure=*/false, at(1));
  ASSERT_EQ(s.cgroups.size(), 3u);
  for (const auto& c : s.cgroups) EXPECT_DOUBLE_EQ(c.memorySome, -1) << c.path;
  EXPECT_EQ(s.bus, "");  // standalone
}

TEST_F(ApiModelTest, MetricsCountKillsAndReadStallTotals) {
  kill("hog.service", false);
  DaemonView v = view();
  v.triggersArmed = 3;
  v.kernelOomKills = 2;
  Metrics m = metricsOf(v);
  EXPECT_EQ(m.rulesets, 1u);
  EXPECT_EQ(m.triggersArmed, 3u);
  EXPECT_EQ(m.kernelOomKills, 2u);
  EXPECT_EQ(m.unitsFollowed, -1);
  EXPECT_EQ((m.kills.at({"test", "cgroup.kill", "killed"})), 1u);
  ASSERT_EQ(m.cgroups.size(), 3u);
  EXPECT_DOUBLE_EQ(m.cgroups[0].someStallSeconds, 5.0);
  EXPECT_DOUBLE_EQ(m.cgroups[2].fullStallSeconds, 1.0);
  EXPECT_DOUBLE_EQ(m.cgroups[1].someAvg10, -1);
}

// The kernel's kills in a followed user's session are told to the user, so
// the session is shown and followed whether or not a ruleset watches it.
TEST_F(ApiModelTest, ShownCgroupsAreTheWatchedOnesAndFollowedSessions) {
  EXPECT_EQ(memoryCgroupsShown(*h.engine, {}), std::set<std::string>{"/work.slice"});
  EXPECT_EQ(memoryCgroupsShown(*h.engine, {1000}),
            (std::set<std::string>{"/user.slice/user-1000.slice/user@1000.service", "/work.slice"}));
}
