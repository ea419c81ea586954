// ReplyDeadline: a manager that has just let a kill's call go unanswered
// gets a quarter of the wait next time, for a minute or until it answers
// quickly again; never longer than configured, never under 20 ms. A kill
// for the whole machine running out of memory gets the quarter at once.
#include <gtest/gtest.h>

#include "act/reply_deadline.h"

using namespace unitoomd;
using namespace std::chrono_literals;

namespace {
TimePoint at(Duration d) { return TimePoint(d); }
}  // namespace

TEST(ReplyDeadline, AResponsiveManagerGetsTheConfiguredWait) {
  ReplyDeadline d(300ms);
  EXPECT_EQ(d.at(at(0s)), Duration(300ms));
  d.answered(at(1s), at(1s + 250ms));  // slowish, in time
  EXPECT_EQ(d.at(at(2s)), Duration(300ms));
}

TEST(ReplyDeadline, AfterAMissTheNextKillWaitsAQuarter) {
  ReplyDeadline d(300ms);
  d.missed(at(10s));
  EXPECT_EQ(d.at(at(11s)), Duration(75ms));
  EXPECT_EQ(d.at(at(69s)), Duration(75ms));
  EXPECT_EQ(d.at(at(70s)), Duration(300ms)) << "a minute after the miss, the manager is trusted again";
}

TEST(ReplyDeadline, OnlyAQuickAnswerEndsTheShorterWait) {
  ReplyDeadline d(300ms);
  d.missed(at(10s));
  d.answered(at(11s), at(11s + 200ms));  // a late answer: still slow
  EXPECT_EQ(d.at(at(12s)), Duration(75ms));
  d.answered(at(13s), at(13s + 40ms));
  EXPECT_EQ(d.at(at(14s)), Duration(300ms));
}

TEST(ReplyDeadline, AKillForTheMachineOutOfMemoryWaitsAQuarterFromTheFirstCall) {
  ReplyDeadline d(300ms);
  EXPECT_EQ(d.at(at(0s), true), Duration(75ms)) << "no miss needed: PID 1 is short of pages too";
  EXPECT_EQ(d.at(at(0s)), Duration(300ms)) << "another kill of the same manager is not shortened by it";
  ReplyDeadline tinier(10ms);
  EXPECT_EQ(tinier.at(at(0s), true), Duration(10ms)) << "never longer than configured";
}

TEST(ReplyDeadline, TheShorterWaitIsBounded) {
  ReplyDeadline tiny(40ms);
  tiny.missed(at(0s));
  EXPECT_EQ(tiny.at(at(1s)), Duration(20ms));
  ReplyDeadline tinier(10ms);  // SystemdKillTimeoutSec= allows 10 ms: never longer than configured
  tinier.missed(at(0s));
  EXPECT_EQ(tinier.at(at(1s)), Duration(10ms));
  ReplyDeadline d(300ms);
  d.missed(at(0s));
  d.setConfigured(2s);  // a reload
  EXPECT_EQ(d.at(at(1s)), Duration(500ms));
}
