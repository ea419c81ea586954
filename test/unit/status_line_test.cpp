#include <gtest/gtest.h>

#include "daemon/status_line.h"

using namespace unitoomd;

// What `systemctl status unitoomd` says.
TEST(StatusLine, CountsRulesetsTriggersKillsAndUnits) {
  StatusFacts f{3, 2, 1, false, false, 120};
  EXPECT_EQ(statusLine(f), "3 ruleset(s), 2 PSI trigger(s), 1 kill(s), 120 unit(s) followed");
  f.unitsFollowed = -1;
  f.dryRun = true;
  EXPECT_EQ(statusLine(f), "3 ruleset(s), 2 PSI trigger(s), 1 kill(s), waiting for systemd (dry run)");
  f.unitsFollowed = -2;
  EXPECT_EQ(statusLine(f), "3 ruleset(s), 2 PSI trigger(s), 1 kill(s) (dry run)");
}

TEST(StatusLine, StandingByIsAllItSays) {
  StatusFacts f{3, 2, 1, false, true, 120};
  EXPECT_EQ(statusLine(f), "Standing by: the system instance protects this user's session");
}
