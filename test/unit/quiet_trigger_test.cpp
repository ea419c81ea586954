#include "engine/quiet_trigger.h"

#include <gtest/gtest.h>

using namespace unitoomd;
using namespace std::chrono_literals;

namespace {

TimePoint at(double s) { return TimePoint(std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s))); }

// A privileged trigger, as the daemon arms one for a unit at 60 %: some
// stall, 5 % of 500 ms.
QuietTrigger privileged(double since) { return QuietTrigger{StallKind::Some, 5, 500ms, at(since)}; }

}  // namespace

// A 1 s window meets at most three of the kernel's 500 ms windows, each
// under 25 ms of stall: under 75 ms, 7.5 %.
TEST(StallCeiling, AQuietTriggerBoundsEveryWindowItCovers) {
  auto c = stallCeiling(privileged(0), StallKind::Full, 1s, at(30));
  ASSERT_TRUE(c);
  EXPECT_DOUBLE_EQ(*c, 7.5);
  auto some = stallCeiling(privileged(0), StallKind::Some, 1s, at(30));
  ASSERT_TRUE(some);
  EXPECT_DOUBLE_EQ(*some, 7.5) << "a some trigger bounds some stall as well as full";
}

// Unprivileged: a 1 s window lies within at most two 2 s windows of the
// kernel, each under 10 % of 2 s: under 400 ms, 40 % of the window.
TEST(StallCeiling, AWindowShorterThanTheTriggersMeetsTwoOfItsWindows) {
  QuietTrigger t{StallKind::Some, 10, 2s, at(0)};
  auto c = stallCeiling(t, StallKind::Full, 1s, at(30));
  ASSERT_TRUE(c);
  EXPECT_DOUBLE_EQ(*c, 40);
}

// Armed (or fired) too recently: the window reaches back before the
// trigger watched, or a firing held back for one window may still come.
TEST(StallCeiling, NothingIsBoundedBeforeTheTriggerCoversTheWindow) {
  EXPECT_FALSE(stallCeiling(privileged(29.5), StallKind::Full, 1s, at(30))) << "armed half a window ago";
  EXPECT_TRUE(stallCeiling(privileged(29), StallKind::Full, 1s, at(30)));
  QuietTrigger longWindow{StallKind::Some, 5, 2s, at(28.5)};
  EXPECT_FALSE(stallCeiling(longWindow, StallKind::Full, 1s, at(30))) << "a firing held back 2 s may still come";
  EXPECT_FALSE(stallCeiling(privileged(31), StallKind::Full, 1s, at(30))) << "fired after the sample's time";
}

TEST(StallCeiling, AFullTriggerSaysNothingOfSomeStall) {
  QuietTrigger full{StallKind::Full, 5, 500ms, at(0)};
  EXPECT_FALSE(stallCeiling(full, StallKind::Some, 1s, at(30)));
  EXPECT_TRUE(stallCeiling(full, StallKind::Full, 1s, at(30)));
}

TEST(QuietForAWindow, OneWholeWindowAfterArmingOrFiring) {
  EXPECT_FALSE(quietForAWindow(privileged(10), at(10.4)));
  EXPECT_TRUE(quietForAWindow(privileged(10), at(10.5)));
}
