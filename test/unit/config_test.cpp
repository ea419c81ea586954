#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "config/daemon_config.h"
#include "config/file_trust.h"
#include "config/json.h"
#include "config/ruleset_json.h"
#include "config/ruleset_loader.h"
#include "daemon/check_config.h"
#include "engine/compiler.h"
#include "plugins/registry.h"
#include "fixture.h"

using namespace unitoomd;
using unitoomd::test::FixtureTree;

namespace {

// Config files as an administrator leaves them, whatever the umask the tests
// run with: 0644 files in 0755 directories. unitoomd refuses a file that
// others may change (file_trust.h).
struct ConfigTree : FixtureTree {
  ConfigTree() { chmod(procRoot().c_str(), 0755); }
  static void write(const std::string& file, const std::string& text, mode_t mode = 0644) {
    FixtureTree::write(file, text);
    chmod(file.c_str(), mode);
  }
  static void mkdir(const std::string& dir, mode_t mode = 0755) {
    std::filesystem::create_directories(dir);
    chmod(dir.c_str(), mode);
  }
};

const char* kGood = R"({
  // comments are allowed, as in oomd
  "rulesets": [
    {
      "name": "protect the workload",
      "description": "System hogs die when the workload stalls.",
      "drop-in": {"detectors": true, "actions": true, "disable-on-drop-in": true},
      "post_action_delay": 20,
      "detectors": [
        ["workload stalls",
          {"name": "pressure_above", "args": {"cgroup": "workload.slice", "resource": "memory", "threshold": 10, "duration": "5"}},
          {"name": "memory_reclaim", "args": {"cgroup": "workload.slice", "duration": 10}}]
      ],
      "actions": [
        {"name": "kill_by_memory_size_or_growth", "args": {"cgroup": "system.slice/*", "min_growth_ratio": "1.25"}}
      ]
    }
  ]
})";

Diagnostics parseAndCompile(const std::string& text) {
  Diagnostics d;
  auto root = parseRulesetJson(text, "rules.json", d);
  if (!d.empty()) return d;
  return compile(root, {}, builtinPlugins()).errors;
}

}  // namespace

TEST(RulesetJson, AnOomdStyleConfigCompiles) {
  Diagnostics d;
  auto root = parseRulesetJson(kGood, "rules.json", d);
  ASSERT_TRUE(d.empty()) << d[0].str();
  ASSERT_EQ(root.rulesets.size(), 1u);
  EXPECT_EQ(root.rulesets[0].description, "System hogs die when the workload stalls.");
  EXPECT_EQ(root.rulesets[0].detectors[0].name, "workload stalls");
  EXPECT_EQ(root.rulesets[0].detectors[0].detectors[0].args.at("threshold"), "10");
  auto out = compile(root, {}, builtinPlugins());
  ASSERT_TRUE(out.engine);
  EXPECT_TRUE(out.errors.empty());
}

TEST(RulesetJson, UnknownPluginNamesItsLine) {
  auto d = parseAndCompile(
      "{\"rulesets\": [{\"name\": \"x\",\n\"detectors\": [[\"g\",\n {\"name\": \"pressure_abuv\", \"args\": {}}]],\n\"actions\": "
      "[{\"name\": \"stop\"}]}]}");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].str(), "rules.json:3: unknown plugin 'pressure_abuv'");
}

TEST(RulesetJson, UnknownArgumentNamesItsLine) {
  auto d = parseAndCompile(
      "{\"rulesets\": [{\"name\": \"x\", \"detectors\": [[\"g\", {\"name\": \"pressure_above\", \"args\": {\n"
      "\"cgroup\": \"a\", \"resource\": \"memory\", \"threshold\": 5,\n"
      "\"treshold\": 6}}]], \"actions\": [{\"name\": \"stop\"}]}]}");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].line, 3);
  EXPECT_NE(d[0].message.find("unknown argument 'treshold'"), std::string::npos);
}

TEST(RulesetJson, BadNumbersAndMissingArgumentsAreErrors) {
  auto d = parseAndCompile(
      "{\"rulesets\": [{\"name\": \"x\", \"detectors\": [[\"g\",\n{\"name\": \"pressure_above\", \"args\": {\"cgroup\": \"a\", "
      "\"resource\": \"memory\",\n\"threshold\": \"ten\"}},\n{\"name\": \"memory_above\", \"args\": {\"cgroup\": \"a\"}}]],"
      " \"actions\": [{\"name\": \"stop\"}]}]}");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].line, 3);
  EXPECT_NE(d[0].message.find("not a number: 'ten'"), std::string::npos);
  EXPECT_EQ(d[1].line, 4);
  EXPECT_NE(d[1].message.find("missing argument 'threshold'"), std::string::npos);
}

TEST(RulesetJson, MalformedJsonNamesItsLine) {
  Diagnostics d;
  parseRulesetJson("{\n  \"rulesets\": [\n    {\"name\": \"x\",,}\n  ]\n}", "r.json", d);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].str(), "r.json:3: expected a quoted key (column 18)");  // the second ','
  d.clear();
  parseRulesetJson("{\"rulesets\": [", "r.json", d);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NE(d[0].message.find("unexpected end"), std::string::npos);
}

TEST(RulesetJson, HostileJsonIsAnErrorNotACrash) {
  Diagnostics d;
  parseRulesetJson(std::string(100000, '['), "deep.json", d);
  ASSERT_FALSE(d.empty());
  EXPECT_NE(d[0].message.find("too deep"), std::string::npos);
  d.clear();
  parseRulesetJson("\"\\u12\"", "u.json", d);
  EXPECT_FALSE(d.empty());
}

TEST(DaemonConfig, OomdConfKeysWithSystemdDefaults) {
  DaemonConfig c;
  Diagnostics d;
  applyDaemonConfig("[OOM]\nSwapUsedLimit=85%\nDefaultMemoryPressureLimit=50%\nDefaultMemoryPressureDurationSec=20s\n",
                    "oomd.conf", c, d);
  EXPECT_TRUE(d.empty());
  EXPECT_DOUBLE_EQ(c.swapUsedLimitPercent, 85);
  EXPECT_DOUBLE_EQ(c.defaultMemoryPressureLimitPercent, 50);
  EXPECT_EQ(c.defaultMemoryPressureDuration, std::chrono::seconds(20));
  applyDaemonConfig("[OOM]\nDefaultMemoryPressureDurationSec=0\nSwapUsedLimit=\n", "oomd.conf", c, d);
  EXPECT_EQ(c.defaultMemoryPressureDuration, std::chrono::seconds(30));  // 0 means the default, as systemd-oomd
  EXPECT_DOUBLE_EQ(c.swapUsedLimitPercent, 90);
}

TEST(DaemonConfig, ErrorsNameFileLineAndProblem) {
  DaemonConfig c;
  Diagnostics d;
  applyDaemonConfig("[OOM]\nSwapUsedLimit=95%\nDefaultMemoryPresureLimit=50%\n[Daemon]\nSampleIntervalSec=fast\n[Bogus]\nX=1\n",
                    "u.conf", c, d);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].str(), "u.conf:3: unknown key 'DefaultMemoryPresureLimit' in section [OOM]");
  EXPECT_EQ(d[1].line, 5);
  EXPECT_EQ(d[2].line, 7);
  EXPECT_DOUBLE_EQ(c.swapUsedLimitPercent, 95);  // good lines still apply
}

TEST(DaemonConfig, DurationBelowOneSecondIsRefusedAsSystemdOomd) {
  DaemonConfig c;
  Diagnostics d;
  applyDaemonConfig("[OOM]\nDefaultMemoryPressureDurationSec=500ms\n", "u.conf", c, d);
  ASSERT_EQ(d.size(), 1u);
}

TEST(DaemonConfig, DropInsOverrideInNameOrderAndEtcMasksUsrLib) {
  ConfigTree t;
  std::string etc = t.procRoot() + "/etc.d", lib = t.procRoot() + "/lib.d";
  ConfigTree::mkdir(etc);
  ConfigTree::mkdir(lib);
  ConfigTree::write(t.procRoot() + "/main.conf", "[OOM]\nDefaultMemoryPressureLimit=40%\n");
  ConfigTree::write(lib + "/10-vendor.conf", "[OOM]\nDefaultMemoryPressureLimit=30%\nSwapUsedLimit=80%\n");
  ConfigTree::write(etc + "/10-vendor.conf", "[OOM]\nSwapUsedLimit=70%\n");  // masks the vendor file
  ConfigTree::write(lib + "/20-later.conf", "[OOM]\nDefaultMemoryPressureDurationSec=5s\n");
  Diagnostics d;
  auto c = loadDaemonConfig(ConfigPaths{t.procRoot() + "/main.conf", {etc, lib}}, false, d);
  EXPECT_TRUE(d.empty());
  EXPECT_DOUBLE_EQ(c.defaultMemoryPressureLimitPercent, 40);  // vendor 10-vendor.conf masked
  EXPECT_DOUBLE_EQ(c.swapUsedLimitPercent, 70);
  EXPECT_EQ(c.defaultMemoryPressureDuration, std::chrono::seconds(5));
}

TEST(CheckConfig, ReportsEveryBadFileAndPassesGoodOnes) {
  ConfigTree t;
  std::string good = t.procRoot() + "/good.json", bad = t.procRoot() + "/bad.json", conf = t.procRoot() + "/u.conf";
  ConfigTree::write(good, kGood);
  ConfigTree::write(bad,
                    "{\"rulesets\": [{\"name\": \"x\",\n\"detectors\": [[\"g\", {\"name\": \"nope\"}]],\n\"actions\": "
                    "[{\"name\": \"stop\"}]}]}");
  ConfigTree::write(conf, "[Daemon]\nDryRun=perhaps\n");
  EXPECT_TRUE(checkConfigFiles({good}).empty());
  auto d = checkConfigFiles({good, bad, conf});
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].str(), bad + ":2: unknown plugin 'nope'");
  EXPECT_EQ(d[1].str(), conf + ":2: DryRun=perhaps: not a boolean");
}

TEST(DropIns, ReplaceDetectorsNewestFirstAndDisableTheBase) {
  ConfigTree t;
  std::string base = t.procRoot() + "/rules.json", dir = t.procRoot() + "/rules.d";
  ConfigTree::mkdir(dir);
  ConfigTree::write(base, kGood);
  ConfigTree::write(dir + "/a.json", R"({"rulesets": [{"name": "protect the workload", "description": "first",
     "detectors": [["always", {"name": "continue"}]]}]})");
  ConfigTree::write(dir + "/b.json", R"({"rulesets": [{"name": "protect the workload", "description": "second",
     "actions": [{"name": "stop"}]}]})");
  // a.json is older than b.json
  std::filesystem::last_write_time(dir + "/a.json", std::filesystem::file_time_type::clock::now() - std::chrono::hours(1));
  auto loaded = loadRules(base, dir);
  ASSERT_TRUE(loaded.compiled.engine);
  EXPECT_TRUE(loaded.compiled.errors.empty());
  const auto& rs = loaded.compiled.engine->rulesets();
  ASSERT_EQ(rs.size(), 3u);
  EXPECT_EQ(rs[0]->description, "second");  // newest first
  EXPECT_EQ(rs[1]->description, "first");
  EXPECT_TRUE(rs[2]->disabled);  // disable-on-drop-in
  EXPECT_EQ(rs[1]->groups[0].name, "always");
  EXPECT_STREQ(rs[1]->actions[0]->name(), "kill_by_memory_size_or_growth");  // actions kept from base
}

TEST(DropIns, ABadDropInIsSkippedAndTheRestStillLoads) {
  ConfigTree t;
  std::string base = t.procRoot() + "/rules.json", dir = t.procRoot() + "/rules.d";
  ConfigTree::mkdir(dir);
  ConfigTree::write(base, kGood);
  ConfigTree::write(dir + "/broken.json", "{\"rulesets\": [{\"name\": \"nobody\", \"actions\": [{\"name\": \"stop\"}]}]}");
  auto loaded = loadRules(base, dir);
  ASSERT_TRUE(loaded.compiled.engine);
  ASSERT_EQ(loaded.compiled.errors.size(), 1u);
  EXPECT_NE(loaded.compiled.errors[0].message.find("targets no ruleset named 'nobody'"), std::string::npos);
  EXPECT_EQ(loaded.compiled.engine->rulesets().size(), 1u);
  EXPECT_FALSE(loaded.compiled.engine->rulesets()[0]->disabled);
}

TEST(DropIns, ABaseTakenOverFromTheRunningEngineRunsAgainWhenItsDropInGoes) {
  Diagnostics d;
  auto base = parseRulesetJson(
      R"({"rulesets": [{"name": "r", "drop-in": {"detectors": true, "disable-on-drop-in": true},
          "detectors": [["g", {"name": "continue"}]], "actions": [{"name": "stop"}]}]})",
      "base.json", d);
  auto dropIn = parseRulesetJson(R"({"rulesets": [{"name": "r", "detectors": [["h", {"name": "stop"}]]}]})", "d.json", d, true);
  ASSERT_TRUE(d.empty());
  auto with = compile(base, {DropInFile{"d.json", dropIn}}, builtinPlugins());
  ASSERT_TRUE(with.engine);
  ASSERT_EQ(with.engine->rulesets().size(), 2u);
  EXPECT_TRUE(with.engine->rulesets()[1]->disabled);
  auto without = compile(base, {}, builtinPlugins(), with.engine.get());
  ASSERT_TRUE(without.engine);
  ASSERT_EQ(without.carried.size(), 1u);
  EXPECT_FALSE(without.engine->rulesets()[0]->disabled);
}

TEST(DropIns, TheBaseMustAllowWhatTheDropInChanges) {
  Diagnostics d;
  auto base = parseRulesetJson(
      R"({"rulesets": [{"name": "r", "detectors": [["g", {"name": "continue"}]], "actions": [{"name": "stop"}]}]})", "base.json",
      d);
  auto dropIn = parseRulesetJson(R"({"rulesets": [{"name": "r", "detectors": [["h", {"name": "stop"}]]}]})", "d.json", d, true);
  ASSERT_TRUE(d.empty());
  auto out = compile(base, {DropInFile{"d.json", dropIn}}, builtinPlugins());
  ASSERT_TRUE(out.engine);
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_NE(out.errors[0].message.find("does not allow drop-in detectors"), std::string::npos);
}

TEST(DaemonConfig, KillMethodAndStopTimeoutForUnitRulesets) {
  DaemonConfig c;
  Diagnostics d;
  applyDaemonConfig("[OOM]\nKillMethod=stop\nStopTimeoutSec=3s\n", "a.conf", c, d);
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(c.unitKillMethod, "stop");
  EXPECT_EQ(c.stopTimeout, std::chrono::seconds(3));
  applyDaemonConfig("[OOM]\nKillMethod=nuke\n", "b.conf", c, d);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].str(), "b.conf:2: KillMethod=nuke: expected kill, stop or restart");
  EXPECT_EQ(c.unitKillMethod, "stop");  // the bad value changed nothing
}

TEST(DaemonConfig, SystemdKillTimeoutIsShortByDefaultAndBounded) {
  DaemonConfig c;
  EXPECT_EQ(c.systemdKillTimeout, std::chrono::milliseconds(300));
  Diagnostics d;
  applyDaemonConfig("[OOM]\nSystemdKillTimeoutSec=150ms\n", "a.conf", c, d);
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(c.systemdKillTimeout, std::chrono::milliseconds(150));
  applyDaemonConfig("[OOM]\nSystemdKillTimeoutSec=1min\n", "b.conf", c, d);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].file, "b.conf");
  EXPECT_EQ(d[0].line, 2);
  EXPECT_NE(d[0].message.find("at most 10s"), std::string::npos) << d[0].str();
  EXPECT_EQ(c.systemdKillTimeout, std::chrono::milliseconds(150));  // the bad value changed nothing
  applyDaemonConfig("[OOM]\nSystemdKillTimeoutSec=1ms\n", "c.conf", c, d);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_NE(d[1].message.find("at least 10ms"), std::string::npos) << d[1].str();
  applyDaemonConfig("[OOM]\nSystemdKillTimeoutSec=\n", "d.conf", c, d);
  EXPECT_EQ(c.systemdKillTimeout, std::chrono::milliseconds(300));  // empty: the default again
}

TEST(DaemonConfig, DesktopSectionListsAddAndAnEmptyValueResets) {
  DaemonConfig c;
  Diagnostics d;
  applyDaemonConfig(
      "[Desktop]\nProtectedUnits=my-compositor.service\nKillProcessesIn=\nKillProcessesIn=dev-*.scope\n"
      "FollowUserManagers=no\nLowMemoryMonitor=yes\nNotify=off\n",
      "d.conf", c, d);
  ASSERT_TRUE(d.empty()) << d[0].str();
  EXPECT_EQ(c.desktop.protectedUnits.back(), "my-compositor.service");
  EXPECT_GT(c.desktop.protectedUnits.size(), 1u);  // added to the defaults
  EXPECT_EQ(c.desktop.killProcessesIn, std::vector<std::string>{"dev-*.scope"});
  EXPECT_FALSE(c.desktop.followUserManagers);
  EXPECT_EQ(c.desktop.lowMemoryMonitor, DesktopConfig::Lmm::Yes);
  EXPECT_FALSE(c.desktop.notify);
}

TEST(DaemonConfig, PauseAndAskIsOptInWithItsTimes) {
  DaemonConfig c;
  EXPECT_FALSE(c.desktop.askBeforeKill);
  EXPECT_EQ(c.desktop.askTimeout, std::chrono::seconds(20));
  EXPECT_EQ(c.desktop.askCoolDown, std::chrono::minutes(5));
  Diagnostics d;
  applyDaemonConfig("[Desktop]\nAskBeforeKill=yes\nAskTimeoutSec=45s\nAskCoolDownSec=1h\n", "d.conf", c, d);
  ASSERT_TRUE(d.empty()) << d[0].str();
  EXPECT_TRUE(c.desktop.askBeforeKill);
  EXPECT_EQ(c.desktop.askTimeout, std::chrono::seconds(45));
  EXPECT_EQ(c.desktop.askCoolDown, std::chrono::hours(1));
  applyDaemonConfig("[Desktop]\nAskTimeoutSec=200ms\nAskBeforeKill=maybe\n", "e.conf", c, d);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].str(), "e.conf:2: AskTimeoutSec=200ms: must be at least 1s");
  EXPECT_EQ(d[1].str(), "e.conf:3: AskBeforeKill=maybe: not a boolean");
}

TEST(DaemonConfig, DesktopSectionErrorsNameFileAndLine) {
  DaemonConfig c;
  Diagnostics d;
  applyDaemonConfig("[Desktop]\nLowMemoryMonitor=sometimes\nShowBanner=yes\n", "/etc/unitoomd/unitoomd.conf", c, d);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].str(), "/etc/unitoomd/unitoomd.conf:2: LowMemoryMonitor=sometimes: expected auto or a boolean");
  EXPECT_EQ(d[1].str(), "/etc/unitoomd/unitoomd.conf:3: unknown key 'ShowBanner' in section [Desktop]");
}

// A config file that someone other than root (or the daemon's own user) may
// change is refused, wherever it is read: named, with the reason.
namespace {

const char* kDropIn = R"({"rulesets": [{"name": "protect the workload", "actions": [{"name": "stop"}]}]})";

std::string real(const std::string& path) { return std::filesystem::canonical(path).string(); }

bool chownOrSkip(const std::string& path, uid_t uid, gid_t gid) {
  if (geteuid() != 0) return false;
  return chown(path.c_str(), uid, gid) == 0;
}

}  // namespace

TEST(UntrustedFiles, AWorldWritableRulesetsFileIsRefused) {
  ConfigTree t;
  std::string base = t.procRoot() + "/rules.json";
  ConfigTree::write(base, kGood, 0666);
  auto loaded = loadRules(base, "");
  EXPECT_FALSE(loaded.compiled.engine);
  ASSERT_EQ(loaded.compiled.errors.size(), 1u);
  EXPECT_EQ(loaded.compiled.errors[0].str().rfind(base + ": refused: is writable by others (mode 0666); only root", 0), 0u)
      << loaded.compiled.errors[0].str();
  ConfigTree::write(base, kGood, 0644);
  EXPECT_TRUE(loadRules(base, "").compiled.engine);
}

TEST(UntrustedFiles, AGroupWritableUnitoomdConfOfAnotherGroupIsAnError) {
  ConfigTree t;
  std::string conf = t.procRoot() + "/unitoomd.conf";
  ConfigTree::write(conf, "[OOM]\nDefaultMemoryPressureLimit=5%\n", 0664);
  if (!chownOrSkip(conf, 0, 1001)) GTEST_SKIP() << "giving the file to group 1001 needs root";
  Diagnostics d;
  auto c = loadDaemonConfig(ConfigPaths{conf, {}}, true, d);  // even where the file may be missing
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].str(),
            conf + ": refused: is writable by group 1001 (mode 0664); only root may be able to change what unitoomd kills");
  EXPECT_DOUBLE_EQ(c.defaultMemoryPressureLimitPercent, 60);  // not applied
}

TEST(UntrustedFiles, FilesOwnedByUid1001AreRefused) {
  ConfigTree t;
  std::string base = t.procRoot() + "/rules.json", dir = t.procRoot() + "/rules.d", conf = t.procRoot() + "/u.conf";
  ConfigTree::mkdir(dir);
  ConfigTree::mkdir(conf + ".d");
  ConfigTree::write(base, kGood);
  ConfigTree::write(dir + "/theirs.json", kDropIn);
  ConfigTree::write(conf, "[OOM]\nSwapUsedLimit=50%\n");
  ConfigTree::write(conf + ".d/theirs.conf", "[OOM]\nSwapUsedLimit=99%\n");
  if (!chownOrSkip(dir + "/theirs.json", 1001, 1001) || !chownOrSkip(conf + ".d/theirs.conf", 1001, 1001))
    GTEST_SKIP() << "giving files to uid 1001 needs root";
  // a ruleset drop-in is skipped (as a broken one), the base still loads
  auto loaded = loadRules(base, dir);
  ASSERT_TRUE(loaded.compiled.engine);
  ASSERT_EQ(loaded.compiled.errors.size(), 1u);
  EXPECT_EQ(loaded.compiled.errors[0].str(),
            dir + "/theirs.json: refused: is owned by uid 1001; only root may be able to change what unitoomd kills");
  EXPECT_TRUE(loaded.dropInsApplied.empty());
  EXPECT_FALSE(loaded.compiled.engine->rulesets()[0]->disabled);  // disable-on-drop-in did not happen
  // an INI drop-in is an error (as a broken one), which refuses the configuration
  Diagnostics d;
  auto c = loadDaemonConfig(explicitConfigPaths(conf), false, d);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].str(),
            conf + ".d/theirs.conf: refused: is owned by uid 1001; only root may be able to change what unitoomd kills");
  EXPECT_DOUBLE_EQ(c.swapUsedLimitPercent, 50);
  // and the rulesets file itself
  ASSERT_TRUE(chownOrSkip(base, 1001, 0));
  loaded = loadRules(base, dir);
  EXPECT_FALSE(loaded.compiled.engine);
  ASSERT_FALSE(loaded.compiled.errors.empty());
  EXPECT_EQ(loaded.compiled.errors[0].str(),
            base + ": refused: is owned by uid 1001; only root may be able to change what unitoomd kills");
}

TEST(UntrustedFiles, ADropInInAWorldWritableDirectoryIsRefusedUnlessItIsSticky) {
  ConfigTree t;
  std::string base = t.procRoot() + "/rules.json", dir = t.procRoot() + "/rules.d", conf = t.procRoot() + "/u.conf";
  ConfigTree::write(base, kGood);
  ConfigTree::mkdir(dir, 0777);
  ConfigTree::write(dir + "/mine.json", kDropIn);
  ConfigTree::write(conf, "[OOM]\nSwapUsedLimit=50%\n");
  ConfigTree::mkdir(conf + ".d", 0777);
  ConfigTree::write(conf + ".d/mine.conf", "[OOM]\nSwapUsedLimit=99%\n");

  auto loaded = loadRules(base, dir);
  ASSERT_TRUE(loaded.compiled.engine);
  ASSERT_EQ(loaded.compiled.errors.size(), 1u);
  EXPECT_EQ(loaded.compiled.errors[0].str().rfind(
                dir + "/mine.json: refused: its directory " + real(dir) + " is writable by others (mode 0777)", 0),
            0u)
      << loaded.compiled.errors[0].str();
  EXPECT_TRUE(loaded.dropInsApplied.empty());
  Diagnostics d;
  auto c = loadDaemonConfig(explicitConfigPaths(conf), false, d);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].str().rfind(
                conf + ".d/mine.conf: refused: its directory " + real(conf + ".d") + " is writable by others (mode 0777)", 0),
            0u)
      << d[0].str();

  // sticky, like /tmp: others cannot replace a file they do not own
  chmod(dir.c_str(), 01777);
  chmod((conf + ".d").c_str(), 01777);
  loaded = loadRules(base, dir);
  EXPECT_TRUE(loaded.compiled.errors.empty()) << loaded.compiled.errors[0].str();
  EXPECT_EQ(loaded.dropInsApplied.size(), 1u);
  d.clear();
  c = loadDaemonConfig(explicitConfigPaths(conf), false, d);
  EXPECT_TRUE(d.empty()) << d[0].str();
  EXPECT_DOUBLE_EQ(c.swapUsedLimitPercent, 99);
}

TEST(UntrustedFiles, CheckConfigRefusesAWorldWritableFileAndChecksTheOthers) {
  ConfigTree t;
  std::string good = t.procRoot() + "/good.json", open = t.procRoot() + "/open.json", missing = t.procRoot() + "/missing.conf";
  ConfigTree::write(good, kGood);
  ConfigTree::write(open, kGood, 0666);
  std::vector<std::string> files{good, open, missing};
  auto d = keepTrustedFiles(files);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].str().rfind(open + ": refused: is writable by others (mode 0666)", 0), 0u) << d[0].str();
  EXPECT_EQ(files, (std::vector<std::string>{good, missing}));  // a missing file is reported by the reader, as before
}

TEST(Json, AParseErrorSaysItsLineAndColumn) {
  auto doc = parseJson("{\n  \"a\": 1,\n  \"b\": tru\n}");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().line, 3);
  EXPECT_EQ(doc.error().column, 8);  // where "tru" starts
  EXPECT_EQ(doc.error().message, "invalid literal");
  // A comment left open is found at the end of the text, on its last line.
  doc = parseJson("{}\n/* open\n  still open");
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().line, 3);
  EXPECT_EQ(doc.error().message, "unterminated comment");
}
