// policy/cgroup_preference.h: the preference and protection rules as pure
// functions of what a sample observed.
#include <gtest/gtest.h>

#include <set>

#include "policy/cgroup_preference.h"

using namespace unitoomd;

namespace {
auto xattrs(std::set<std::string> names) {
  return [names](const std::string& n) { return names.count(n) > 0; };
}
}  // namespace

TEST(CgroupPreference, UserXattrsCountOnlyOnCgroupsOfRootOrTheDaemonsUser) {
  EXPECT_TRUE(userXattrsCount(0, 0));
  EXPECT_TRUE(userXattrsCount(990, 990));
  EXPECT_FALSE(userXattrsCount(1000, 0));
  EXPECT_EQ(xattrPreference(xattrs({"user.oomd_omit"}), false), Preference::None);
  EXPECT_EQ(xattrPreference(xattrs({"user.oomd_omit"}), true), Preference::Omit);
  EXPECT_EQ(xattrPreference(xattrs({"trusted.oomd_avoid"}), false), Preference::Avoid) << "trusted.* needs CAP_SYS_ADMIN to set";
}

TEST(CgroupPreference, OmitWinsOverPreferWhichWinsOverAvoid) {
  EXPECT_EQ(xattrPreference(xattrs({"trusted.oomd_avoid", "trusted.oomd_prefer", "trusted.oomd_omit"}), true), Preference::Omit);
  EXPECT_EQ(xattrPreference(xattrs({"trusted.oomd_avoid", "user.oomd_prefer"}), true), Preference::Prefer);
}

TEST(CgroupPreference, TheNearestSettingWinsAndTheParentIsAskedOnlyWithoutOne) {
  int asked = 0;
  auto parent = [&] { return ++asked, Preference::Avoid; };
  EXPECT_EQ(inheritedPreference(Preference::Prefer, Preference::Omit, std::nullopt, parent), Preference::Prefer);
  EXPECT_EQ(inheritedPreference(Preference::None, Preference::Omit, Preference::Prefer, parent), Preference::Omit);
  EXPECT_EQ(inheritedPreference(Preference::None, Preference::None, Preference::Prefer, parent), Preference::Prefer);
  EXPECT_EQ(asked, 0);
  EXPECT_EQ(inheritedPreference(Preference::None, std::nullopt, std::nullopt, parent), Preference::Avoid);
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(inheritedPreference(Preference::None, std::nullopt, std::nullopt, nullptr), Preference::None) << "the root";
}

TEST(CgroupPreference, ProtectionIsTheCgroupAnAncestorOrADescendantAFewLevelsDown) {
  std::vector<std::string> units{"dbus.service", "init.scope"};
  std::map<std::string, std::vector<std::string>> tree{
      {"/u", {"/u/app.slice", "/u/init.scope"}}, {"/s", {"/s/a"}}, {"/s/a", {"/s/a/b"}}, {"/s/a/b", {"/s/a/b/c"}},
      {"/s/a/b/c", {"/s/a/b/c/dbus.service"}},
  };
  auto children = [&](const std::string& p) { return tree.count(p) ? tree[p] : std::vector<std::string>{}; };
  EXPECT_EQ(protectionOf("/x/dbus.service/sub", &units, nullptr, children), "dbus.service");
  EXPECT_EQ(protectionOf("/u", &units, nullptr, children), "init.scope");
  EXPECT_EQ(protectionOf("/s", &units, nullptr, children), "") << "four levels down is past the walk";
  EXPECT_EQ(protectionOf("/s/a", &units, nullptr, children), "dbus.service");
  std::map<std::string, std::string> spared{{"/s", "kept by the user"}};
  EXPECT_EQ(protectionOf("/s", &units, &spared, children), "kept by the user");
  EXPECT_EQ(protectionOf("/u", nullptr, nullptr, children), "");
}
