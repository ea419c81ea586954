#include <gtest/gtest.h>

#include "daemon/recompile_pacer.h"
#include "fixture.h"

using namespace unitoomd;
using unitoomd::test::at;

TEST(RecompilePacer, TheFirstChangeCompilesAtOnce) {
  RecompilePacer p;
  EXPECT_EQ(p.holdUntil(at(100)), std::nullopt);
}

// A recompile that took 1 s leaves 4 s without one: units starting in bulk
// cost a fifth of the time, not all of it.
TEST(RecompilePacer, ChangesRightAfterACostlyRecompileWaitFourTimesItsCost) {
  RecompilePacer p;
  p.compiled(at(10), at(11));
  EXPECT_EQ(p.holdUntil(at(11.5)), at(15));
  EXPECT_EQ(p.holdUntil(at(14.9)), at(15));
  EXPECT_EQ(p.holdUntil(at(15)), std::nullopt);
}

TEST(RecompilePacer, ACheapRecompileHoldsNothingBackForLong) {
  RecompilePacer p;
  using std::chrono::milliseconds;
  p.compiled(at(10), at(10) + milliseconds(10));
  EXPECT_EQ(p.holdUntil(at(10) + milliseconds(20)), at(10) + milliseconds(50));
  EXPECT_EQ(p.holdUntil(at(10) + milliseconds(60)), std::nullopt);
}
