#include <gtest/gtest.h>

#include "daemon/sampler_policy.h"
#include "fixture.h"

using namespace unitoomd;
using unitoomd::test::at;

TEST(SamplerPolicy, SleepsUntilATriggerThenSamplesFastUntilCalm) {
  SamplerPolicy p(std::chrono::milliseconds(250), std::chrono::seconds(30), std::chrono::seconds(4));
  EXPECT_FALSE(p.active(at(0)));
  EXPECT_EQ(p.interval(at(0)), std::chrono::seconds(30));
  p.triggerFired(at(1));
  EXPECT_EQ(p.interval(at(1)), std::chrono::milliseconds(250));
  p.sampled(at(3), /*busy=*/true);   // stall persists
  p.sampled(at(6), /*busy=*/false);  // calm since
  EXPECT_TRUE(p.active(at(6.9)));
  EXPECT_FALSE(p.active(at(7.1)));
  EXPECT_EQ(p.interval(at(7.1)), std::chrono::seconds(30));
}

TEST(PlanTriggers, OnePerCgroupAndResourceAtTheLowestWakeThreshold) {
  std::vector<WakeSource> ws = {{"/work.slice", Resource::Memory, 40}, {"/work.slice", Resource::Memory, 6},
                                {"/work.slice", Resource::Io, 80}, {"/system.slice", Resource::Memory, 1}};
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

// Active only for rules that follow levels (swap filling): as often as they
// say they could fire, between the short interval and a second.
TEST(SamplerPolicy, WatchingSamplesAsOftenAsTheRulesCouldFire) {
  using std::chrono::milliseconds;
  SamplerPolicy p(milliseconds(250), std::chrono::seconds(30), std::chrono::seconds(2));
  p.triggerFired(at(1));
  EXPECT_EQ(p.interval(at(1), std::nullopt), milliseconds(250));        // not only watching
  EXPECT_EQ(p.interval(at(1), Duration::max()), std::chrono::seconds(1));  // nothing filling
  EXPECT_EQ(p.interval(at(1), milliseconds(600)), milliseconds(600));
  EXPECT_EQ(p.interval(at(1), Duration{0}), milliseconds(250));         // at the limit
  EXPECT_EQ(p.interval(at(10), milliseconds(600)), std::chrono::seconds(30));  // idle
}

TEST(PlanTriggers, TheSystemWakeIsWakeOnlyUnlessAStallDetectorWatchesTheRootToo) {
  EXPECT_TRUE(planTriggers({}, true)[0].wakeOnly);
  auto plan = planTriggers({{"/", Resource::Memory, 40}}, true);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_FALSE(plan[0].wakeOnly);
  EXPECT_EQ(plan[0].wakePercent, 1.0);
}
