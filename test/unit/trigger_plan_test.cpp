#include <gtest/gtest.h>

#include <map>

#include "daemon/trigger_plan.h"

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
  EXPECT_FALSE(triggersStale(armed, {kWork}, cg.inodeOf()));
  cg.inodes["/work.slice"] = 9;  // the unit restarted
  EXPECT_TRUE(triggersStale(armed, {kWork}, cg.inodeOf()));
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
