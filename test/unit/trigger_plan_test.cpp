#include <gtest/gtest.h>

#include <map>

#include "daemon/trigger_plan.h"
#include "daemon/trigger_stall.h"
#include "fixture.h"

using namespace unitoomd;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// The cgroups that exist, by inode: a plain map stands for the filesystem.
struct Cgroups {
  std::map<std::string, uint64_t> inodes;
  InodeOf inodeOf() const {
    return [this](const std::string& cg) -> std::optional<uint64_t> {
      auto it = inodes.find(cg);
      return it == inodes.end() ? std::nullopt : std::optional(it->second);
    };
  }
};

const TriggerSpec kWork{"/work.slice", Resource::Memory, 3.0};
const TriggerSpec kBuild{"/build.slice", Resource::Memory, 5.0};
const TriggerSpec kSystemWake{"/", Resource::Memory, 1.0, true};

}  // namespace

TEST(PlanTriggers, OnePerCgroupAndResourceAtTheLowestWakeThreshold) {
  std::vector<WakeSource> ws = {{"/work.slice", Resource::Memory, 40},
                                {"/work.slice", Resource::Memory, 6},
                                {"/work.slice", Resource::Io, 80},
                                {"/system.slice", Resource::Memory, 1}};
  auto plan = planTriggers(ws, false);
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0], (TriggerSpec{"/system.slice", Resource::Memory, 1.0}));  // floor 1 %
  EXPECT_EQ(plan[1], (TriggerSpec{"/work.slice", Resource::Memory, 3.0}));    // half of 6 %
  EXPECT_EQ(plan[2], (TriggerSpec{"/work.slice", Resource::Io, 5.0}));        // capped at 5 %
}

TEST(PlanTriggers, GroupsWithoutStallDetectorsWakeOnSystemMemoryStall) {
  auto plan = planTriggers({}, true);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].cgroup, "/");
}

TEST(PlanTriggers, TheSystemWakeIsWakeOnlyUnlessAStallDetectorWatchesTheRootToo) {
  EXPECT_TRUE(planTriggers({}, true)[0].wakeOnly);
  auto plan = planTriggers({{"/", Resource::Memory, 40}}, true);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_FALSE(plan[0].wakeOnly);
  EXPECT_EQ(plan[0].wakePercent, 1.0);
}

// The kernel takes unprivileged windows in multiples of 2 s; a wake-only
// trigger is never shorter than that, whatever the privilege.
TEST(TriggerWindows, WakeOnlyTriggersWatchALongerWindowAndFireAtTheirPercentOfIt) {
  EXPECT_EQ(windowOf(kWork, milliseconds(500)), milliseconds(500));
  EXPECT_EQ(windowOf(kSystemWake, milliseconds(500)), seconds(2));
  EXPECT_EQ(windowOf(kSystemWake, seconds(4)), seconds(4));
  EXPECT_EQ(wakeStallOf(kWork, milliseconds(500)), milliseconds(15));        // 3 % of 500 ms
  EXPECT_EQ(wakeStallOf(kSystemWake, milliseconds(500)), milliseconds(20));  // 1 % of 2 s
}

TEST(ReconcileTriggers, ArmsEveryPlannedTriggerOnCgroupsThatExist) {
  Cgroups cg{{{"/work.slice", 7}}};
  auto changes = reconcileTriggers({}, {kBuild, kWork, kSystemWake}, cg.inodeOf());
  EXPECT_TRUE(changes.keep.empty());
  ASSERT_EQ(changes.arm.size(), 2u);
  EXPECT_EQ(changes.arm[0].spec, kWork);
  EXPECT_EQ(changes.arm[0].inode, 7u);
  EXPECT_EQ(changes.arm[1].spec, kSystemWake);  // /proc/pressure is always there
  EXPECT_EQ(changes.missing, std::vector<std::string>{"/build.slice"});
}

// A unit change re-plans every trigger: those that did not change stay.
TEST(ReconcileTriggers, KeepsUnchangedTriggersAndReplacesChangedOnes) {
  Cgroups cg{{{"/work.slice", 7}, {"/build.slice", 8}}};
  TriggerSpec lower = kWork;
  lower.wakePercent = 1.0;
  std::vector<ArmedTrigger> armed = {{kWork, 7}, {kBuild, 8}, {kSystemWake, 0}};
  auto changes = reconcileTriggers(armed, {kBuild, lower}, cg.inodeOf());
  EXPECT_EQ(changes.keep, std::vector<size_t>{1});  // the build slice's; the system wake is no longer planned
  ASSERT_EQ(changes.arm.size(), 1u);
  EXPECT_EQ(changes.arm[0].spec, lower);
}

TEST(ReconcileTriggers, ACgroupMadeAgainGetsANewTrigger) {
  Cgroups cg{{{"/work.slice", 7}}};
  std::vector<ArmedTrigger> armed = {{kWork, 7}};
  cg.inodes["/work.slice"] = 9;  // the unit restarted
  // its old trigger saw EPOLLERR at the removal and was dropped
  EXPECT_TRUE(triggersStale({}, {kWork}, cg.inodeOf()));
  auto changes = reconcileTriggers(armed, {kWork}, cg.inodeOf());
  EXPECT_TRUE(changes.keep.empty());
  ASSERT_EQ(changes.arm.size(), 1u);
  EXPECT_EQ(changes.arm[0].inode, 9u);
}

// The idle sample re-arms only when that would arm something: a planned
// cgroup that is still missing is no reason.
TEST(TriggersStale, WhenAMissingCgroupAppears) {
  Cgroups cg{{{"/work.slice", 7}}};
  std::vector<ArmedTrigger> armed = {{kWork, 7}};
  EXPECT_FALSE(triggersStale(armed, {kWork, kBuild}, cg.inodeOf()));
  cg.inodes["/build.slice"] = 8;
  EXPECT_TRUE(triggersStale(armed, {kWork, kBuild}, cg.inodeOf()));
  EXPECT_TRUE(triggersStale({}, {kSystemWake}, cg.inodeOf()));  // dropped after an error, say
}

// The idle sample's check costs what is missing, not what is armed: with
// 10,000 unit triggers a stat of each armed cgroup was a fifth of an idle
// sample. The kernel says when an armed cgroup goes (EPOLLERR on its
// trigger, which is then dropped): armed triggers are not looked at.
TEST(TriggersStale, LooksOnlyAtPlannedTriggersThatAreNotArmed) {
  Cgroups cg{{{"/work.slice", 7}, {"/build.slice", 8}}};
  std::vector<std::string> looked;
  InodeOf counting = [&](const std::string& c) {
    looked.push_back(c);
    return cg.inodeOf()(c);
  };
  std::vector<ArmedTrigger> armed = {{kWork, 7}, {kBuild, 8}};
  EXPECT_FALSE(triggersStale(armed, {kWork, kBuild}, counting));
  EXPECT_TRUE(looked.empty());
  const TriggerSpec missing{"/gone.slice", Resource::Memory, 3.0};
  EXPECT_FALSE(triggersStale(armed, {kWork, kBuild, missing}, counting));
  EXPECT_EQ(looked, std::vector<std::string>{"/gone.slice"});
}

// Without CAP_SYS_RESOURCE the kernel checks a 2 s trigger every 2 s: a
// detector on one cgroup gets a trigger at its own limit and kind, whose
// firing proves what the detector measures; a glob's ancestor still wakes
// early (its stall proves nothing about any one match).
TEST(PlanTriggers, UnprivilegedDetectorsOnOneCgroupGetTriggersThatProveTheirLimit) {
  std::vector<WakeSource> ws = {{"/work.slice", Resource::Memory, 6, StallKind::Full, true},
                                {"/user.slice", Resource::Memory, 40, StallKind::Full, false}};
  auto plan = planTriggers(ws, false, /*proofs=*/true);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0], (TriggerSpec{"/user.slice", Resource::Memory, 5.0, false, StallKind::Some}));
  EXPECT_EQ(plan[1], (TriggerSpec{"/work.slice", Resource::Memory, 6.0, false, StallKind::Full}));
  auto privileged = planTriggers(ws, false, /*proofs=*/false);
  EXPECT_EQ(privileged[1], (TriggerSpec{"/work.slice", Resource::Memory, 3.0, false, StallKind::Some}));
}

TEST(PlanTriggers, ASharedTriggerProvesOnlyWhatBothDetectorsAsk) {
  std::vector<WakeSource> ws = {{"/work.slice", Resource::Memory, 6, StallKind::Full, true},
                                {"/work.slice", Resource::Memory, 10, StallKind::Some, true}};
  auto plan = planTriggers(ws, false, true);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0], (TriggerSpec{"/work.slice", Resource::Memory, 6.0, false, StallKind::Some}));
}

// While the daemon samples, it asks at each sample whether the stall where a
// trigger is armed still reaches the trigger's wake threshold. With a
// trigger on every unit that was a read of each unit's cgroup at every
// sample, idle ones too: a calm parent bounds its children (sqrt(cpus x its
// stall), pressure_window.h), and they are not read. The child claims 60 %
// throughout (which the kernel never shows under a calm parent): were it
// read, the stall would be seen; what the history holds says what was read.
TEST(StallAtTrigger, ACgroupUnderACalmParentIsNotRead) {
  using test::psi;
  test::FixtureTree tree;
  CgroupFs fs{tree.cgroupRoot(), tree.procRoot(), tree.sysRoot()};
  History history;
  const TriggerSpec unit{"/w/a", Resource::Memory, 40.0, false, StallKind::Full};
  unsigned long long parent = 0, child = 0;
  bool seen = false;
  auto sampleAt = [&](double seconds) {
    tree.cgroup("/w", {{"memory.pressure", psi(0, parent, parent)}});
    tree.cgroup("/w/a", {{"memory.pressure", psi(60, child, child)}});
    SampleContext ctx(fs, history, test::at(seconds));
    ctx.cpus = 2;
    seen = stallAtTrigger(unit, ctx, std::chrono::seconds(2));
  };
  for (int i = 0; i <= 12; ++i, parent += 2500, child += 150000) sampleAt(i * 0.25);  // the parent stalls 1 %
  EXPECT_FALSE(seen);
  EXPECT_EQ(history.size(), 1u) << "only the parent was read";
  for (int i = 13; i <= 24; ++i, parent += 75000, child += 150000) sampleAt(i * 0.25);  // the parent stalls 30 %
  EXPECT_TRUE(seen) << "a stalling parent no longer bounds its child: the child is read";
  EXPECT_EQ(history.size(), 2u);
}

// Woken from idle, the parent's last reading is long ago: all its stall
// since then may have been in the last window, so the child is read.
TEST(StallAtTrigger, AfterIdleThePaddedParentStallDecides) {
  using test::psi;
  test::FixtureTree tree;
  CgroupFs fs{tree.cgroupRoot(), tree.procRoot(), tree.sysRoot()};
  History history;
  const TriggerSpec unit{"/w/a", Resource::Memory, 40.0, false, StallKind::Full};
  // Both have stalled before (5 s since they were made): a first reading
  // says nothing of the last window.
  auto sampleAt = [&](double seconds, unsigned long long parent) {
    tree.cgroup("/w", {{"memory.pressure", psi(0, parent, parent)}});
    tree.cgroup("/w/a", {{"memory.pressure", psi(60, 5000000, 5000000)}});
    SampleContext ctx(fs, history, test::at(seconds));
    ctx.cpus = 2;
    return stallAtTrigger(unit, ctx, std::chrono::seconds(2));
  };
  EXPECT_TRUE(sampleAt(0, 5000000)) << "nothing known of the parent's last window: the child is read (its avg10 says 60 %)";
  EXPECT_FALSE(sampleAt(30, 5010000)) << "10 ms of parent stall in 30 s: at most 0.5 % of 2 s, no child above 10 %";
  EXPECT_TRUE(sampleAt(60, 5010000 + 1500000)) << "1.5 s of parent stall since: it may all have been in the last 2 s";
}
