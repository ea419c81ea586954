// The unit tracker's read bookkeeping (systemd/unit_reads.h), no bus: the
// limit on reads in flight, reads asked for while one runs, when a resync is
// over, and how long a unit found dead is remembered.
#include <gtest/gtest.h>

#include "systemd/unit_reads.h"

using namespace unitoomd;

namespace {

TimePoint at(double seconds) { return TimePoint(fromSeconds(seconds)); }

std::vector<std::string> startAll(UnitReads& reads) {
  std::vector<std::string> started;
  while (auto r = reads.start()) started.push_back(r->name);
  return started;
}

}  // namespace

TEST(UnitReads, NoMoreThanTheLimitInFlightTheRestWaitTheirTurn) {
  UnitReads reads(2);
  for (const char* name : {"a.service", "b.service", "c.service"}) reads.request(std::string("/u/") + name, name);
  EXPECT_EQ(startAll(reads), (std::vector<std::string>{"a.service", "b.service"}));
  EXPECT_EQ(reads.pendingCount(), 3u);
  EXPECT_FALSE(reads.finish("/u/a.service"));
  EXPECT_EQ(startAll(reads), (std::vector<std::string>{"c.service"}));
  EXPECT_FALSE(reads.nothingInFlight());
}

TEST(UnitReads, AUnitAskedForTwiceWhileWaitingIsReadOnce) {
  UnitReads reads(4);
  reads.request("/u/a", "a.service");
  reads.request("/u/a", "a.service");
  EXPECT_EQ(startAll(reads).size(), 1u);
  EXPECT_FALSE(reads.finish("/u/a"));
  EXPECT_TRUE(startAll(reads).empty());
}

// What a read returns may predate the change that asked for it: it is read
// again once it ends, and not twice at once.
TEST(UnitReads, AUnitAskedForWhileBeingReadIsReadAgainAfter) {
  UnitReads reads(4);
  reads.request("/u/a", "a.service");
  ASSERT_EQ(startAll(reads).size(), 1u);
  reads.request("/u/a", "a.service");
  EXPECT_TRUE(startAll(reads).empty());
  EXPECT_TRUE(reads.finish("/u/a"));
  EXPECT_FALSE(reads.pending("/u/a"));  // the caller asks again, with its own checks
}

TEST(UnitReads, AResyncIsOverWhenTheListAndEveryReadHaveAnswered) {
  UnitReads reads(4);
  reads.resyncStarted(at(10));
  reads.listAsked();
  EXPECT_FALSE(reads.resyncOver(at(10.1)));  // the list has not answered
  reads.listAnswered(true);
  reads.request("/u/a", "a.service");
  EXPECT_FALSE(reads.resyncOver(at(10.2)));  // a read waits
  ASSERT_EQ(startAll(reads).size(), 1u);
  EXPECT_FALSE(reads.resyncOver(at(10.3)));  // a read runs
  reads.finish("/u/a");
  auto took = reads.resyncOver(at(10.5));
  ASSERT_TRUE(took);
  EXPECT_EQ(*took, fromSeconds(0.5));
  EXPECT_FALSE(reads.resyncOver(at(11)));  // said once
}

TEST(UnitReads, AResyncAskedForDuringOneKeepsItsStartAndAFailedListEndsIt) {
  UnitReads reads(4);
  reads.resyncStarted(at(1));
  reads.listAsked();
  reads.resyncStarted(at(2));
  reads.listAsked();
  reads.listAnswered(true);
  EXPECT_FALSE(reads.resyncOver(at(3)));  // the second list is outstanding
  reads.listAnswered(true);
  EXPECT_EQ(reads.resyncOver(at(3)), fromSeconds(2));

  reads.resyncStarted(at(5));
  reads.listAsked();
  reads.listAnswered(false);
  EXPECT_FALSE(reads.resyncing());
  EXPECT_FALSE(reads.resyncOver(at(6)));  // not over: never ready on a failed list
}

TEST(UnitReads, AUnitFoundDeadIsRememberedForThirtySeconds) {
  UnitReads reads(4);
  reads.rememberDead("/u/a", at(100));
  EXPECT_TRUE(reads.foundDeadLately("/u/a", at(129)));
  EXPECT_FALSE(reads.foundDeadLately("/u/b", at(101)));
  EXPECT_FALSE(reads.foundDeadLately("/u/a", at(131)));
  reads.rememberDead("/u/a", at(200));
  reads.forgetDead("/u/a");  // read again and alive
  EXPECT_FALSE(reads.foundDeadLately("/u/a", at(201)));
}

// Bounded: 10,000 units stopping at once do not grow the memory for ever;
// the old ones go first.
TEST(UnitReads, TheMemoryOfDeadUnitsIsBounded) {
  UnitReads reads(4);
  for (size_t i = 0; i < UnitReads::kMaxDeadRemembered; ++i) reads.rememberDead("/old/" + std::to_string(i), at(0));
  reads.rememberDead("/new", at(40));
  EXPECT_TRUE(reads.foundDeadLately("/new", at(41)));
  EXPECT_FALSE(reads.foundDeadLately("/old/0", at(1)));  // made room for the new
}

TEST(UnitReads, ClearForgetsEverything) {
  UnitReads reads(1);
  reads.request("/u/a", "a.service");
  reads.request("/u/b", "b.service");
  ASSERT_EQ(startAll(reads).size(), 1u);
  reads.resyncStarted(at(0));
  reads.listAsked();
  reads.rememberDead("/u/c", at(0));
  reads.clear();
  EXPECT_EQ(reads.pendingCount(), 0u);
  EXPECT_TRUE(reads.nothingInFlight());
  EXPECT_FALSE(reads.resyncing());
  EXPECT_FALSE(reads.foundDeadLately("/u/c", at(1)));
  reads.request("/u/a", "a.service");  // no longer in flight: queued
  EXPECT_EQ(startAll(reads).size(), 1u);
}
