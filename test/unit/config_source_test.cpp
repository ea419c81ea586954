#include <gtest/gtest.h>

#include "daemon/config_source.h"
#include "fixture.h"

using namespace unitoomd;
using unitoomd::test::FixtureTree;

namespace {

std::string ruleset(const std::string& name, const std::string& plugin = "continue") {
  return R"({"rulesets": [{"name": ")" + name + R"(", "description": "A ruleset.",
  "detectors": [["g", {"name": ")" +
         plugin + R"("}]], "actions": [{"name": "continue"}]}]})";
}

struct ConfigSourceTest : ::testing::Test {
  FixtureTree tree;
  std::string dir = tree.procRoot() + "/..";  // a scratch directory the fixture removes
  ConfigOverrides overrides;
  std::vector<DaemonConfig> seenByUnits;

  void SetUp() override {
    FixtureTree::write(dir + "/rules.json", ruleset("good"));
    FixtureTree::write(dir + "/unitoomd.conf", "[Daemon]\nRulesets=" + dir + "/rules.json\nDryRun=no\n");
    overrides.configPaths = explicitConfigPaths(dir + "/unitoomd.conf");
    overrides.configMayBeMissing = false;
    overrides.cgroupRoot = tree.cgroupRoot();
  }
  ConfigSource::UnitRulesets units(std::vector<ir::Ruleset> rulesets = {}) {
    return [this, rulesets](const DaemonConfig& c) {
      seenByUnits.push_back(c);
      return rulesets;
    };
  }
  static std::vector<std::string> names(const Engine& e) {
    std::vector<std::string> out;
    for (const auto& r : e.rulesets()) out.push_back(r->name);
    return out;
  }
};

}  // namespace

TEST_F(ConfigSourceTest, TheCommandLineWinsOverTheConfigFile) {
  FixtureTree::write(dir + "/other.json", ruleset("other"));
  overrides.dryRun = true;
  overrides.rulesetFile = dir + "/other.json";
  ConfigSource source(overrides);
  auto loaded = source.load(true, units());
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(loaded->config.dryRun);
  EXPECT_EQ(loaded->cgroupRoot, tree.cgroupRoot());
  EXPECT_EQ(names(*loaded->engine), std::vector<std::string>{"other"});
  // unit rulesets are made under the configuration being loaded
  ASSERT_EQ(seenByUnits.size(), 1u);
  EXPECT_TRUE(seenByUnits[0].dryRun);
}

// A reload that fails says why (file and line, for the API's Reload) and
// keeps the last good files for the next unit change.
TEST_F(ConfigSourceTest, ABrokenRulesetFileKeepsTheLastGoodRules) {
  ConfigSource source(overrides);
  ASSERT_TRUE(source.load(true, units()));
  FixtureTree::write(dir + "/rules.json", ruleset("broken", "no_such_plugin"));
  EXPECT_FALSE(source.load(false, units()));
  EXPECT_NE(source.lastError().find("rules.json:2: unknown plugin 'no_such_plugin'"), std::string::npos) << source.lastError();
  LoadedRules rules = source.recompile({});
  ASSERT_TRUE(rules.compiled.engine);
  EXPECT_EQ(names(*rules.compiled.engine), std::vector<std::string>{"good"});
  FixtureTree::write(dir + "/rules.json", ruleset("better"));
  ASSERT_TRUE(source.load(false, units()));
  EXPECT_EQ(source.lastError(), "");
}

TEST_F(ConfigSourceTest, ABrokenConfigFileIsRefusedWithTheReason) {
  FixtureTree::write(dir + "/unitoomd.conf", "[Daemon]\nSampleIntervalSec=soon\n");
  ConfigSource source(overrides);
  EXPECT_FALSE(source.load(true, units()));
  EXPECT_NE(source.lastError().find("unitoomd.conf:2"), std::string::npos) << source.lastError();
  EXPECT_TRUE(seenByUnits.empty());  // nothing compiled
}
