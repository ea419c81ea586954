// What busctl's Dump/DumpJSON and unitoomctl show: the renderings of a
// snapshot, checked by reading the JSON back and looking for what a person
// needs in the text.
#include <gtest/gtest.h>

#include "api/snapshot.h"
#include "config/json.h"
#include "strict_json.h"

namespace unitoomd {
namespace {

Snapshot sample() {
  Snapshot s;
  s.version = "9.9";
  s.dryRun = true;
  s.killCount = 2;
  s.bus = "system bus";
  s.rulesets.push_back(
      {"work \"quoted\"", "Kills a hog.\nSecond line.", "unit work.slice (ManagedOOMMemoryPressure=kill)", "armed"});
  s.cgroups.push_back({"/work.slice", 12.5, 3.25});
  s.cgroups.push_back({"/gone.slice", -1, -1});
  s.kills.push_back({1795329070677490,
                     "hog.service",
                     "/work.slice/hog.service",
                     "work",
                     "memory full pressure 40% > 20%",
                     false,
                     {{"OWN_MEMORY_STALL_PCT", "24.49"}}});
  return s;
}

TEST(Snapshot, JsonReadsBackWithEveryField) {
  auto parsed = parseJson(renderDumpJson(sample()));
  ASSERT_TRUE(parsed) << renderDumpJson(sample());
  const JsonValue& j = *parsed;
  std::string v;
  ASSERT_TRUE(j.find("version")->scalarText(v));
  EXPECT_EQ(v, "9.9");
  EXPECT_EQ(j.find("dry_run")->type, JsonValue::Type::Bool);
  const JsonValue& r = j.find("rulesets")->items.at(0);
  ASSERT_TRUE(r.find("name")->scalarText(v));
  EXPECT_EQ(v, "work \"quoted\"");
  ASSERT_TRUE(r.find("description")->scalarText(v));
  EXPECT_EQ(v, "Kills a hog.\nSecond line.");
  const JsonValue& cgroups = *j.find("monitored_cgroups");
  ASSERT_EQ(cgroups.items.size(), 2u);
  ASSERT_TRUE(cgroups.items[0].find("memory_some_avg10")->scalarText(v));
  EXPECT_EQ(v, "12.50");
  EXPECT_EQ(cgroups.items[1].find("memory_full_avg10")->type, JsonValue::Type::Null);  // unreadable is not 0
  const JsonValue& k = j.find("kills")->items.at(0);
  ASSERT_TRUE(k.find("unit")->scalarText(v));
  EXPECT_EQ(v, "hog.service");
  ASSERT_TRUE(k.find("figures")->find("OWN_MEMORY_STALL_PCT")->scalarText(v));
  EXPECT_EQ(v, "24.49");
}

TEST(Snapshot, TextSaysDryRunRulesetsPressureAndKills) {
  std::string t = renderDump(sample());
  EXPECT_NE(t.find("dry run: nothing is killed"), std::string::npos);
  EXPECT_NE(t.find("work \"quoted\" [armed]"), std::string::npos);
  EXPECT_NE(t.find("from unit work.slice (ManagedOOMMemoryPressure=kill)"), std::string::npos);
  EXPECT_NE(t.find("/work.slice 12.50%/3.25%"), std::string::npos);
  EXPECT_NE(t.find("/gone.slice -/-"), std::string::npos);
  EXPECT_NE(t.find("hog.service (/work.slice/hog.service) by 'work': memory full pressure 40% > 20%"), std::string::npos);
}

TEST(Snapshot, ControlCharactersAreEscapedInJson) { EXPECT_EQ(jsonQuote(std::string("a\x01") + "b\\"), "\"a\\u0001b\\\\\""); }

// A user's delegated subtree holds a cgroup named with a byte that is not
// UTF-8, a newline, a quote and a colour sequence; unit and ruleset names
// come from a fake systemd on the user's bus.
const std::string kHostile = std::string("/user.slice/user-1000.slice/user@1000.service/evil") + "\xff" + "\n\"" + "\x1b[31m";

Snapshot hostile() {
  Snapshot s = sample();
  s.cgroups.push_back({kHostile, 1, 2});
  s.rulesets.push_back({"fake\x1b[2J", "desc\xc0\n", "unit \xff.slice", "armed"});
  s.kills.push_back({1795329070677490, "app-\x1b]0;x\x07.scope", kHostile, "r\xfe", "why\n", true, {{"K\xff", "v\x01"}}});
  return s;
}

TEST(Snapshot, JsonOfAHostileCgroupNameIsValidAndReadsBack) {
  std::string json = renderDumpJson(hostile());
  for (unsigned char c : json) ASSERT_GE(c, 0x20) << "a raw control byte in: " << json;
  ASSERT_TRUE(parseJson(json)) << json;
  auto r = test::strictJson(json, {"d['monitored_cgroups'][2]['cgroup']", "d['kills'][1]['cgroup']", "d['kills'][1]['unit']",
                                   "d['rulesets'][1]['origin']", "list(d['kills'][1]['figures'])[0]"});
  if (!r.available) GTEST_SKIP() << "python3 not found";
  ASSERT_TRUE(r.ok) << r.output << "\n" << json;
  // the visible text: the name exactly, with the text \xff for the byte 0xff
  std::string visible = "/user.slice/user-1000.slice/user@1000.service/evil\\xff\n\"\x1b[31m";
  EXPECT_EQ(r.output, test::hexOf(visible) + "\n" + test::hexOf(visible) + "\n" + test::hexOf("app-\x1b]0;x\x07.scope") + "\n" +
                          test::hexOf("unit \\xff.slice") + "\n" + test::hexOf("K\\xff") + "\n");
}

TEST(Snapshot, TextOfAHostileCgroupNameStaysOnItsLine) {
  std::string t = renderDump(hostile());
  for (size_t i = 0; i < t.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(t[i]);
    ASSERT_TRUE(c == '\n' || (c >= 0x20 && c != 0x7f)) << "raw byte " << int(c) << " at " << i << " in:\n" << t;
  }
  EXPECT_NE(t.find("  /user.slice/user-1000.slice/user@1000.service/evil\\xff\\x0a\"\\x1b[31m 1.00%/2.00%\n"), std::string::npos)
      << t;
  EXPECT_NE(t.find("fake\\x1b[2J [armed]\n    desc\\xc0\\x0a\n    from unit \\xff.slice\n"), std::string::npos) << t;
}

}  // namespace
}  // namespace unitoomd
