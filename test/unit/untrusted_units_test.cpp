// What the system instance keeps of a user's manager: claims inside the
// user's own subtree, in the shapes systemd itself sends. A user may serve a
// fake systemd on their own bus; everything here is what such a fake could
// claim to get a system service killed or protected.
#include <gtest/gtest.h>

#include "policy/unit_policy.h"
#include "policy/untrusted_units.h"
#include "util/rate_limit.h"

using namespace unitoomd;

namespace {

constexpr uid_t kUid = 1001;

UnitOomSettings userUnit(const std::string& name, const std::string& cgroup) {
  UnitOomSettings u;
  u.name = name;
  u.manager = "user@1001.service";
  u.claimedByUser = kUid;
  u.cgroup = cgroup;
  u.activeState = "active";
  u.managedOOMMemoryPressure = "kill";
  u.managedOOMMemoryPressureLimit = 42949;  // 0.01 %
  return u;
}

const std::string kHome = "/user.slice/user-1001.slice/user@1001.service";

}  // namespace

TEST(UntrustedUnits, AUnitInsideTheUsersSubtreeIsKept) {
  EXPECT_EQ(refusalOfUserUnit(kUid, userUnit("app-x.scope", kHome + "/app.slice/app-x.scope")), std::nullopt);
  EXPECT_EQ(refusalOfUserUnit(kUid, userUnit("app.slice", kHome + "/app.slice")), std::nullopt);
  EXPECT_EQ(refusalOfUserUnit(kUid, userUnit("dbus@x.service", kHome + "/app.slice/dbus@x.service")), std::nullopt);
}

TEST(UntrustedUnits, ClaimsOutsideTheSubtreeAreRefused) {
  for (const std::string& cgroup : {
           std::string("/system.slice/ssh.service"),
           std::string("/"),
           std::string("/user.slice"),
           std::string("/user.slice/user-1001.slice"),  // holds the user's sessions and the manager
           kHome,                                       // the manager itself is the system manager's unit
           std::string("/user.slice/user-1002.slice/user@1002.service/app.slice/x.scope"),  // another user
           std::string("/user.slice/user-1001.slice/user@1001.service2/x.scope"),           // a prefix, not a parent
           kHome + "/../../../system.slice/ssh.service",
           kHome + "/./app.slice",
           kHome + "//app.slice",
           kHome + "/app.slice/",
           std::string("user.slice/user-1001.slice/user@1001.service/app.slice"),  // relative
           kHome + "/app.slice/x\n.scope",
           kHome + "/" + std::string(5000, 'a'),
       })
    EXPECT_NE(refusalOfUserUnit(kUid, userUnit("x.scope", cgroup)), std::nullopt) << cgroup;
}

TEST(UntrustedUnits, NamesAreSystemdsOrRefused) {
  EXPECT_TRUE(isValidUnitName("app-org.gnome.Terminal.slice"));
  EXPECT_TRUE(isValidUnitName("user@1001.service"));
  EXPECT_TRUE(isValidUnitName("vte-spawn-0c2f\\x2dtab.scope"));
  for (const std::string& name : {std::string(""), std::string(".service"), std::string("x"), std::string("x.exe"),
                                  std::string("a\x1b[31m.service"), std::string("a b.service"), std::string("@x.service"),
                                  std::string("a@b@c.service"), std::string("../x.service"), std::string(300, 'a') + ".service"})
    EXPECT_FALSE(isValidUnitName(name)) << name;
  EXPECT_NE(refusalOfUserUnit(kUid, userUnit("a\nb.scope", kHome + "/a.scope")), std::nullopt);
  auto huge = refusalOfUserUnitName(std::string(100000, 'a') + ".scope");
  ASSERT_NE(huge, std::nullopt);
  EXPECT_NE(huge->find("100006 bytes"), std::string::npos) << *huge;
}

TEST(UntrustedUnits, SettingsSystemdNeverSendsAreRefused) {
  auto u = userUnit("x.scope", kHome + "/x.scope");
  u.managedOOMPreference = "omit\nforged log line";
  EXPECT_NE(refusalOfUserUnit(kUid, u), std::nullopt);
  u = userUnit("x.scope", kHome + "/x.scope");
  u.managedOOMSwap = std::string(10000, 'k');
  EXPECT_NE(refusalOfUserUnit(kUid, u), std::nullopt);
}

// Whatever reaches the policy, a user's claim makes no ruleset and no
// preference outside their subtree: not a kill of a system service, not
// `omit` protecting one.
TEST(UntrustedUnits, UnitPolicyIgnoresAUsersClaimOnASystemCgroup) {
  UnitPolicyDefaults d;
  auto claim = userUnit("ssh.service", "/system.slice/ssh.service");
  auto protect = userUnit("cron.service", "/system.slice/cron.service");
  protect.managedOOMMemoryPressure = "auto";
  protect.managedOOMPreference = "omit";
  auto own = userUnit("app-x.scope", kHome + "/app.slice/app-x.scope");
  UnitPolicy p = synthesizeUnitPolicy({claim, protect, own}, d);
  ASSERT_EQ(p.rulesets.rulesets.size(), 1u);
  EXPECT_EQ(p.rulesets.rulesets[0].name, "user@1001.service:app-x.scope/ManagedOOMMemoryPressure");
  EXPECT_TRUE(p.preferences.empty());
  EXPECT_TRUE(p.userPreferences.empty());
  // inside their subtree, a user's preference is kept apart from root's
  auto ownOmit = userUnit("app-y.scope", kHome + "/app.slice/app-y.scope");
  ownOmit.managedOOMPreference = "omit";
  p = synthesizeUnitPolicy({ownOmit}, d);
  EXPECT_TRUE(p.preferences.empty());
  EXPECT_EQ(p.userPreferences.count(kHome + "/app.slice/app-y.scope"), 1u);
  // The same settings from the system manager (trusted) do count.
  claim.claimedByUser.reset();
  claim.manager.clear();
  protect.claimedByUser.reset();
  protect.manager.clear();
  p = synthesizeUnitPolicy({claim, protect}, d);
  EXPECT_EQ(p.rulesets.rulesets.size(), 1u);
  EXPECT_EQ(p.preferences.count("/system.slice/cron.service"), 1u);
}

TEST(RateLimit, SaysABurstThenCountsWhatItHeldBack) {
  RateLimit r(std::chrono::seconds(60), 2);
  TimePoint t0{};
  t0 += std::chrono::hours(1);
  size_t held = 99;
  EXPECT_TRUE(r.allow(t0, &held));
  EXPECT_EQ(held, 0u);
  EXPECT_TRUE(r.allow(t0 + std::chrono::seconds(1)));
  EXPECT_FALSE(r.allow(t0 + std::chrono::seconds(2)));
  EXPECT_FALSE(r.allow(t0 + std::chrono::seconds(59)));
  EXPECT_TRUE(r.allow(t0 + std::chrono::seconds(61), &held));
  EXPECT_EQ(held, 2u);
}

TEST(UntrustedUnits, AUsersPreferencesCountOnlyForRulesetsWithinTheirSubtree) {
  const std::string app = kHome + "/app.slice/app-hog.scope";
  EXPECT_EQ(userManagerSubtreeOf(app), kHome);
  EXPECT_EQ(userManagerSubtreeOf("/user.slice/user-1001.slice/session-2.scope"), std::nullopt);
  EXPECT_EQ(userManagerSubtreeOf("/system.slice/x.service"), std::nullopt);
  EXPECT_EQ(userManagerSubtreeOf("/user.slice/user-1001.slice/user@1002.service/x.scope"), std::nullopt);
  EXPECT_TRUE(userClaimsCountFor({kHome}, app));                    // the system's user@1001.service ruleset
  EXPECT_TRUE(userClaimsCountFor({kHome + "/app.slice"}, app));     // the user's own unit's ruleset
  EXPECT_FALSE(userClaimsCountFor({"/"}, app));                     // -.slice's swap ruleset
  EXPECT_FALSE(userClaimsCountFor({"/user.slice"}, app));           // every user's sessions
  EXPECT_FALSE(userClaimsCountFor({kHome, "/system.slice"}, app));  // not all within
  EXPECT_FALSE(userClaimsCountFor({"/user.slice/user-1002.slice/user@1002.service"}, app));
  EXPECT_FALSE(userClaimsCountFor({"/system.slice"}, "/system.slice/x.service"));
}
