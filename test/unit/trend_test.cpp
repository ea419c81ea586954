// The slope behind memory_exhaustion and growth-rate ranking: plain points,
// a clock stepped by hand.
#include <gtest/gtest.h>

#include "engine/trend.h"
#include "fixture.h"

using namespace unitoomd;
using unitoomd::test::at;

namespace {
constexpr double MiB = 1024.0 * 1024.0;
}

TEST(Trend, ASteadyDeclineGivesItsRate) {
  Trend t(std::chrono::seconds(2));
  for (int i = 0; i <= 8; ++i) t.add(at(i * 0.25), 1000 * MiB - i * 0.25 * 300 * MiB);  // -300 MiB/s
  ASSERT_TRUE(t.fit());
  EXPECT_NEAR(t.fit()->slopePerSecond / MiB, -300, 0.01);
  EXPECT_DOUBLE_EQ(t.fit()->agreement, 1.0);
  EXPECT_LT(t.fit()->mannKendallZ, -3);
}

TEST(Trend, OneWildSampleDoesNotMoveTheSlope) {
  // the kernel dropped a burst of page cache between two samples: MemAvailable
  // jumps by 400 MiB once, late in the window (where it pulls a least-squares line most), then the decline goes on
  Trend t(std::chrono::seconds(2));
  for (int i = 0; i <= 8; ++i) t.add(at(i * 0.25), 1000 * MiB - i * 0.25 * 100 * MiB + (i == 7 ? 400 * MiB : 0));
  ASSERT_TRUE(t.fit());
  EXPECT_NEAR(t.fit()->slopePerSecond / MiB, -100, 1);
  EXPECT_LE(t.fit()->mannKendallZ, -1.645) << "still a significant fall";
}

TEST(Trend, NoiseAroundAFlatLineIsNoDecline) {
  Trend t(std::chrono::seconds(2));
  const double noise[] = {30, -25, 10, -40, 35, -5, 20, -30, 0};
  for (int i = 0; i <= 8; ++i) t.add(at(i * 0.25), 800 * MiB + noise[i] * MiB);
  ASSERT_TRUE(t.fit());
  EXPECT_GT(t.fit()->mannKendallZ, -1.645) << "slope " << t.fit()->slopePerSecond / MiB << " MiB/s";
  Trend four(std::chrono::seconds(2));
  for (int i = 0; i < 4; ++i) four.add(at(i * 0.25), noise[i] * MiB);  // 30, -25, 10, -40: 5 of 6 pairs fall
  ASSERT_TRUE(four.fit());
  EXPECT_GT(four.fit()->agreement, 0.8);
  EXPECT_GT(four.fit()->mannKendallZ, -1.645) << "four points of noise are no significant fall";
}

TEST(Trend, TooFewPointsOrTooShortASpanIsNoSlope) {
  Trend t(std::chrono::seconds(2));
  t.add(at(0), 100);
  t.add(at(0.25), 50);
  EXPECT_FALSE(t.slopePerSecond()) << "two points are not a trend";
  t.add(at(0.5), 0);
  EXPECT_FALSE(t.slopePerSecond()) << "0.5 s is under a third of the 2 s window";
  t.add(at(0.75), -50);
  EXPECT_TRUE(t.slopePerSecond());
  Trend quick(std::chrono::seconds(2), 2);
  quick.add(at(0), 100);
  quick.add(at(0.25), 50);
  ASSERT_TRUE(quick.slopePerSecond());
  EXPECT_DOUBLE_EQ(*quick.slopePerSecond(), -200);
}

TEST(Trend, OldPointsLeaveTheWindowAndAClockGoingBackStartsOver) {
  Trend t(std::chrono::seconds(2));
  for (int i = 0; i <= 20; ++i) t.add(at(i * 0.25), i < 10 ? 0 : -(i - 10) * 100.0);  // flat, then falling
  ASSERT_TRUE(t.slopePerSecond());
  EXPECT_NEAR(*t.slopePerSecond(), -400, 1e-6) << "the flat part is older than the window";
  t.add(at(1), 5);
  EXPECT_EQ(t.points().size(), 1u);
}

TEST(Trend, SecondsLeftAtTheRateRoomShrinks) {
  EXPECT_DOUBLE_EQ(*secondsUntilExhausted(600 * MiB, -300 * MiB, 4 * MiB), 2.0);
  EXPECT_FALSE(secondsUntilExhausted(600 * MiB, -2 * MiB, 4 * MiB)) << "slower than min_rate: noise";
  EXPECT_FALSE(secondsUntilExhausted(600 * MiB, 50 * MiB, 4 * MiB)) << "growing room";
  EXPECT_DOUBLE_EQ(*secondsUntilExhausted(-10 * MiB, -300 * MiB, 4 * MiB), 0.0) << "already below the reserve";
}
