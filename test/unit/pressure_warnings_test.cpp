#include <gtest/gtest.h>

#include "daemon/pressure_warnings.h"

using namespace unitoomd;

namespace {

RulesetPressure calm(const std::string& name) { return {name, "a ruleset", false, false, std::nullopt}; }
RulesetPressure timing(const std::string& name, std::optional<double> secondsLeft = std::nullopt) {
  return {name, "a ruleset", true, false, secondsLeft};
}
RulesetPressure killing(const std::string& name) { return {name, "a ruleset", true, true, std::nullopt}; }

}  // namespace

// Applications hear of a kill coming once, not four times a second.
TEST(PressureWarnings, OncePerEpisodeOfTimingTowardsAKill) {
  PressureWarnings w;
  EXPECT_TRUE(w.update({calm("work")}).empty());
  auto first = w.update({timing("work")});
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].kind, Warning::Kind::Pressure);
  EXPECT_EQ(first[0].ruleset, "work");
  EXPECT_EQ(first[0].reason, "over its limits, timing towards a kill");
  EXPECT_EQ(first[0].lowMemoryLevel, 50);
  EXPECT_TRUE(w.update({timing("work")}).empty());
  EXPECT_TRUE(w.update({calm("work")}).empty());
  EXPECT_EQ(w.update({timing("work")}).size(), 1u);  // a new episode
}

TEST(PressureWarnings, AKillUnderwayIsTheLastCallOncePerKill) {
  PressureWarnings w;
  w.update({timing("work")});
  auto kill = w.update({killing("work")});
  ASSERT_EQ(kill.size(), 1u);
  EXPECT_EQ(kill[0].kind, Warning::Kind::KillUnderway);
  EXPECT_EQ(kill[0].lowMemoryLevel, 255);
  EXPECT_TRUE(w.update({killing("work")}).empty());
  // the kill done, still over the limits: warned again, and the next kill is a last call again
  EXPECT_EQ(w.update({timing("work")}).size(), 1u);
  EXPECT_EQ(w.update({killing("work")}).size(), 1u);
}

TEST(PressureWarnings, MemoryRunningOutOrSwapGoingIsCloserToTheEnd) {
  PressureWarnings w;
  auto out = w.update({timing("exhaust", 42.4), timing("-.slice/ManagedOOMSwap"), timing("work")});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].reason, "memory runs out in about 42 s at the present rate");
  EXPECT_EQ(out[0].secondsLeft, 42.4);
  EXPECT_EQ(out[0].lowMemoryLevel, 100);
  EXPECT_EQ(out[1].lowMemoryLevel, 100);
  EXPECT_EQ(out[2].lowMemoryLevel, 50);
}

// A ruleset that goes (its unit stopped) and comes back warns again.
TEST(PressureWarnings, ARulesetThatComesBackMayWarnAgain) {
  PressureWarnings w;
  w.update({timing("unit")});
  w.update({});
  EXPECT_EQ(w.update({timing("unit")}).size(), 1u);
}

// The daemon lists only the rulesets that are not calm (10,000 calm unit
// rulesets are not copied at every sample): one left out has calmed down,
// and its next episode and kill are announced again.
TEST(PressureWarnings, ACalmRulesetNeedNotBeListed) {
  PressureWarnings w;
  ASSERT_EQ(w.update({killing("unit")}).size(), 1u);
  EXPECT_TRUE(w.update({}).empty());
  auto again = w.update({killing("unit")});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].kind, Warning::Kind::KillUnderway);
}

TEST(UsersConcerned, UsersWhoseSessionIsInOrBelowAWatchedCgroup) {
  std::set<uid_t> followed{1000, 1001};
  EXPECT_EQ(usersConcerned({"/user.slice/user-1000.slice/user@1000.service/app.slice"}, followed), std::vector<uid_t>{1000});
  EXPECT_EQ(usersConcerned({"/"}, followed), (std::vector<uid_t>{1000, 1001}));
  EXPECT_EQ(usersConcerned({"/user.slice"}, followed), (std::vector<uid_t>{1000, 1001}));
  EXPECT_TRUE(usersConcerned({"/system.slice"}, followed).empty());
  EXPECT_TRUE(usersConcerned({"/"}, {}).empty());
}
