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

// Active only for rules that follow levels (swap filling): as often as they
// say they could fire, between the short interval and a second.
TEST(SamplerPolicy, WatchingSamplesAsOftenAsTheRulesCouldFire) {
  using std::chrono::milliseconds;
  SamplerPolicy p(milliseconds(250), std::chrono::seconds(30), std::chrono::seconds(2));
  p.triggerFired(at(1));
  EXPECT_EQ(p.interval(at(1), std::nullopt), milliseconds(250));           // not only watching
  EXPECT_EQ(p.interval(at(1), Duration::max()), std::chrono::seconds(1));  // nothing filling
  EXPECT_EQ(p.interval(at(1), milliseconds(600)), milliseconds(600));
  EXPECT_EQ(p.interval(at(1), Duration{0}), milliseconds(250));                // at the limit
  EXPECT_EQ(p.interval(at(10), milliseconds(600)), std::chrono::seconds(30));  // idle
}

// The next sample: the interval after the last one, coalescable while idle.
TEST(SamplerPolicy, NextSampleIsAnIntervalAfterTheLastOnePreciseOnlyWhenActive) {
  using std::chrono::milliseconds;
  SamplerPolicy p(milliseconds(250), std::chrono::seconds(30), std::chrono::seconds(2));
  p.sampled(at(0), /*busy=*/false, /*watchingOnly=*/false);
  auto idle = p.next(at(0.1), std::nullopt, std::nullopt);
  EXPECT_EQ(idle.at, at(30));
  EXPECT_FALSE(idle.precise);
  p.triggerFired(at(1));
  p.sampled(at(1), /*busy=*/true, /*watchingOnly=*/false);
  auto active = p.next(at(1.1), std::nullopt, std::nullopt);
  EXPECT_EQ(active.at, at(1.25));
  EXPECT_TRUE(active.precise);
  EXPECT_EQ(p.next(at(2), std::nullopt, std::nullopt).at, at(2));  // overdue: now, not in the past
}

// memory_exhaustion predicts: it is looked at when it asks, even while idle,
// but never sooner than the short interval.
TEST(SamplerPolicy, APredictingDetectorBringsTheNextSampleForward) {
  using std::chrono::milliseconds;
  SamplerPolicy p(milliseconds(250), std::chrono::seconds(30), std::chrono::seconds(2));
  p.sampled(at(0), /*busy=*/false, /*watchingOnly=*/false);
  auto planned = p.next(at(0), std::nullopt, std::chrono::seconds(5));
  EXPECT_EQ(planned.at, at(5));
  EXPECT_TRUE(planned.precise);
  EXPECT_EQ(p.next(at(0), std::nullopt, milliseconds(10)).at, at(0.25));
  EXPECT_EQ(p.next(at(0), std::nullopt, std::chrono::seconds(60)).at, at(30));  // the idle tick comes first
}

// A stall where a stall detector is ends watching: the short interval again.
TEST(SamplerPolicy, StallWhereADetectorIsEndsWatching) {
  using std::chrono::milliseconds;
  SamplerPolicy p(milliseconds(250), std::chrono::seconds(30), std::chrono::seconds(2));
  p.triggerFired(at(1));
  p.sampled(at(1), /*busy=*/true, /*watchingOnly=*/true);
  EXPECT_EQ(p.next(at(1), milliseconds(800), std::nullopt).at, at(1.8));
  EXPECT_TRUE(p.stopWatching());
  EXPECT_FALSE(p.stopWatching());  // nothing to change the second time
  EXPECT_FALSE(p.watchingOnly());
}

// A detector timing "above for 2 s" is looked at when its 2 s are up, not
// at the next interval after; a time already past changes nothing.
TEST(SamplerPolicy, ADurationEndingBeforeTheNextIntervalIsSampledWhenItEnds) {
  using std::chrono::milliseconds;
  SamplerPolicy p(milliseconds(250), std::chrono::seconds(30), std::chrono::seconds(2));
  p.triggerFired(at(1));
  p.sampled(at(1), /*busy=*/true, /*watchingOnly=*/false);
  auto due = p.next(at(1), std::nullopt, std::nullopt, at(1.1));
  EXPECT_EQ(due.at, at(1.1));
  EXPECT_TRUE(due.precise);
  EXPECT_EQ(p.next(at(1), std::nullopt, std::nullopt, at(3)).at, at(1.25));  // the interval comes first
  EXPECT_EQ(p.next(at(1), std::nullopt, std::nullopt, at(0.9)).at, at(1.25));  // held already at the last sample
}

TEST(SamplerPolicy, FreedHeapIsTrimmedAtTheFirstIdleSampleAfterActivityOnly) {
  SamplerPolicy p(std::chrono::milliseconds(250), std::chrono::seconds(30), std::chrono::seconds(10));
  EXPECT_TRUE(p.firstIdleSample(at(0))) << "after start";
  EXPECT_FALSE(p.firstIdleSample(at(30)));
  p.triggerFired(at(40));
  EXPECT_FALSE(p.firstIdleSample(at(41))) << "active";
  EXPECT_TRUE(p.firstIdleSample(at(60))) << "idle again";
  EXPECT_FALSE(p.firstIdleSample(at(90)));
}
