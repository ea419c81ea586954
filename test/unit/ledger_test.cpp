#include <gtest/gtest.h>

#include "daemon/ledger.h"

using namespace unitoomd;

namespace {

KillReport report(const std::string& ruleset, bool ok, bool dryRun = false) {
  KillReport r;
  r.ruleset = ruleset;
  r.victim = "/work.slice/hog.service";
  r.unit = "hog.service";
  r.reasons = {"memory pressure 80 %", "for 20 s"};
  r.method = "KillUnit(all, SIGKILL)";
  r.ok = ok;
  r.dryRun = dryRun;
  r.timeToDeath = std::chrono::milliseconds(300);
  return r;
}

}  // namespace

TEST(Ledger, AKillCarriedOutIsCountedRememberedAndTold) {
  Ledger l;
  EXPECT_TRUE(l.killAttempted(report("work", true), 1234));
  EXPECT_EQ(l.kills(), 1u);
  ASSERT_EQ(l.recentKills().size(), 1u);
  const KillRecord& k = l.recentKills().front();
  EXPECT_EQ(k.realtimeUsec, 1234u);
  EXPECT_EQ(k.unit, "hog.service");
  EXPECT_EQ(k.reason, "memory pressure 80 %; for 20 s");
  EXPECT_FALSE(k.dryRun);
  EXPECT_EQ((l.counted().kills.at({"work", "KillUnit", "killed"})), 1u);
  EXPECT_EQ(l.counted().timeToDeathSeconds.count(), 1u);
  EXPECT_DOUBLE_EQ(l.counted().timeToDeathSeconds.sum(), 0.3);
}

// A dry run's decision is listed with the kills but is not one: no Killed
// signal, no notification, not in the count of kills or their time to death.
TEST(Ledger, ADryRunDecisionIsListedButNotAKill) {
  Ledger l;
  EXPECT_FALSE(l.killAttempted(report("work", true, true), 1));
  EXPECT_EQ(l.kills(), 0u);
  ASSERT_EQ(l.recentKills().size(), 1u);
  EXPECT_TRUE(l.recentKills().front().dryRun);
  EXPECT_EQ((l.counted().kills.at({"work", "KillUnit", "dry_run"})), 1u);
  EXPECT_EQ(l.counted().timeToDeathSeconds.count(), 0u);
}

TEST(Ledger, AFailedKillIsCountedOnly) {
  Ledger l;
  EXPECT_FALSE(l.killAttempted(report("work", false), 1));
  EXPECT_EQ(l.kills(), 0u);
  EXPECT_TRUE(l.recentKills().empty());
  EXPECT_EQ((l.counted().kills.at({"work", "KillUnit", "failed"})), 1u);
}

TEST(Ledger, RemembersTheLastHundredKills) {
  Ledger l;
  for (uint64_t i = 1; i <= 150; ++i) l.killAttempted(report("work", true), i);
  EXPECT_EQ(l.kills(), 150u);
  ASSERT_EQ(l.recentKills().size(), Ledger::kKillsRemembered);
  EXPECT_EQ(l.recentKills().front().realtimeUsec, 51u);
  EXPECT_EQ(l.recentKills().back().realtimeUsec, 150u);
}

TEST(Ledger, CountsSamplesAndTheirDuration) {
  Ledger l;
  l.sampled(0.002);
  l.sampled(0.004);
  EXPECT_EQ(l.samples(), 2u);
  EXPECT_EQ(l.counted().samples, 2u);
  EXPECT_DOUBLE_EQ(l.counted().sampleSeconds.sum(), 0.006);
}
