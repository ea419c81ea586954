// Names from untrusted sources (a user's cgroup names, a fake systemd's unit
// names) as unitoomd shows them: escaped, bounded, valid UTF-8; and the JSON
// it writes valid for any bytes. Then the kill report and the log, the edges
// a person reads.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fcntl.h>

#include <fstream>
#include <random>
#include <sstream>

#include "engine/report.h"
#include "strict_json.h"
#include "util/display_text.h"
#include "util/log.h"

namespace unitoomd {
namespace {

using test::hexOf;
using test::strictJson;

std::string repeat(std::string_view s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// Nothing a terminal or a log reader would act on: no C0, DEL or C1, and
// valid UTF-8 (utf8Safe changes nothing only then; its own tests below).
void expectShowable(const std::string& s, const std::string& what) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    ASSERT_FALSE(c < 0x20 || c == 0x7f) << what << ": raw control byte " << int(c) << " at " << i << " in: " << s;
    ASSERT_FALSE(c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9f &&
                 static_cast<unsigned char>(s[i + 1]) >= 0x80)
        << what << ": C1 control at " << i;
  }
  ASSERT_EQ(utf8Safe(s, s.size() + 3), s) << what << ": not valid UTF-8";
}

TEST(DisplaySafe, NewlinesAndTabsBecomeVisibleEscapes) {
  EXPECT_EQ(displaySafe("evil\nunitoomd[warning]: Killed /", 512), "evil\\x0aunitoomd[warning]: Killed /");
  EXPECT_EQ(displaySafe("a\tb\r", 512), "a\\x09b\\x0d");
  EXPECT_EQ(displaySafe(std::string("a\0b", 3), 512), "a\\x00b");
}

TEST(DisplaySafe, TerminalSequencesAreDisarmed) {
  EXPECT_EQ(displaySafe("\x1b[31mred\x1b[0m", 512), "\\x1b[31mred\\x1b[0m");
  EXPECT_EQ(displaySafe("\x1b]0;title\x07", 512), "\\x1b]0;title\\x07");
  EXPECT_EQ(displaySafe("del\x7f", 512), "del\\x7f");
  EXPECT_EQ(displaySafe("csi\xc2\x9b"
                        "2J",
                        512),
            "csi\\xc2\\x9b2J")
      << "C1 CSI, both of its bytes";
  EXPECT_EQ(displaySafe("abc\xe2\x80\xae"
                        "fdp.exe",
                        512),
            "abc\\xe2\\x80\\xaefdp.exe")
      << "right-to-left override";
  EXPECT_EQ(displaySafe("line\xe2\x80\xa8sep", 512), "line\\xe2\\x80\\xa8sep");
}

TEST(DisplaySafe, InvalidUtf8BytesAreEscapedOneByOne) {
  EXPECT_EQ(displaySafe("/evil\xff", 512), "/evil\\xff");
  EXPECT_EQ(displaySafe("\x80", 512), "\\x80") << "a lone continuation byte";
  EXPECT_EQ(displaySafe("euro\xe2\x82", 512), "euro\\xe2\\x82") << "cut short at the end";
  EXPECT_EQ(displaySafe("\xe2\x82x", 512), "\\xe2\\x82x") << "cut short by an ASCII byte";
  EXPECT_EQ(displaySafe("\xc0\xaf", 512), "\\xc0\\xaf") << "overlong '/'";
  EXPECT_EQ(displaySafe("\xed\xa0\x80", 512), "\\xed\\xa0\\x80") << "a UTF-16 surrogate";
  EXPECT_EQ(displaySafe("\xf4\x90\x80\x80", 512), "\\xf4\\x90\\x80\\x80") << "above U+10FFFF";
  EXPECT_EQ(displaySafe("\xef\xbf\xbe", 512), "\\xef\\xbf\\xbe") << "U+FFFE: sd-bus refuses noncharacters";
}

TEST(DisplaySafe, ValidMultibyteUtf8IsKept) {
  for (std::string s : {"Zürich", "日本語のサービス", "🐘 elephant", "app-gnome-firefox\\x2desr-4242.scope",
                        "a\xc2\xa0"
                        "b"})
    EXPECT_EQ(displaySafe(s, 512), s);
}

TEST(DisplaySafe, OverLongInputIsCutWithAMarkerWithinTheBound) {
  std::string cut = displaySafe(std::string(1000, 'a'), 512);
  EXPECT_EQ(cut, std::string(509, 'a') + "…");
  EXPECT_EQ(cut.size(), 512u);

  // never inside a UTF-8 sequence: 2-byte characters, the bound odd
  EXPECT_EQ(displaySafe(repeat("é", 300), 512), repeat("é", 254) + "…");
  EXPECT_EQ(displaySafe(repeat("🐘", 200), 512), repeat("🐘", 127) + "…");
  // nor inside an escape
  EXPECT_EQ(displaySafe(std::string(200, '\xff'), 512), repeat("\\xff", 127) + "…");
  // a 255-byte cgroup name of invalid bytes, escaped to 1020 bytes, shown in 512
  EXPECT_LE(displaySafe(std::string(255, '\x9b'), 512).size(), 512u);
  // exactly at the bound: kept whole
  EXPECT_EQ(displaySafe(std::string(512, 'a'), 512), std::string(512, 'a'));
  EXPECT_EQ(displaySafe("abcdef", 0), "…");
}

TEST(DisplaySafe, ApplyingItTwiceChangesNothing) {
  for (std::string s : {std::string("\x1b[31m\xff\n"), repeat("é\n", 400), std::string(3000, '\x01'), std::string("plain")}) {
    std::string once = displaySafe(s, 512);
    EXPECT_EQ(displaySafe(once, 512), once);
    EXPECT_EQ(displaySafe(once, 4096), once);
  }
}

TEST(DisplaySafe, AnyBytesComeOutShowable) {
  std::mt19937 rng(42);
  for (int n = 0; n < 2000; ++n) {
    std::string s(rng() % 40, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 256);
    std::string shown = displaySafe(s, 64);
    expectShowable(shown, "random input " + std::to_string(n));
    EXPECT_LE(shown.size(), 64u);
  }
}

TEST(Utf8Safe, KeepsControlsEscapesWhatIsNotUtf8) {
  EXPECT_EQ(utf8Safe("a\nb\x1b[31m", 512), "a\nb\x1b[31m");
  EXPECT_EQ(utf8Safe("/evil\xff\xc0\xaf", 512), "/evil\\xff\\xc0\\xaf");
  EXPECT_EQ(utf8Safe(std::string("a\0b", 3), 512), "a\\x00b") << "NUL ends a C string on D-Bus";
  EXPECT_EQ(utf8Safe("Zürich 🐘", 512), "Zürich 🐘");
  EXPECT_EQ(utf8Safe(repeat("é", 300), 512), repeat("é", 254) + "…");
}

TEST(JsonQuote, ControlsAsUnicodeEscapesInvalidBytesAsText) {
  EXPECT_EQ(jsonQuote(std::string("\xff\n\"\x1b[31m")), "\"\\\\xff\\n\\\"\\u001b[31m\"");
  EXPECT_EQ(jsonQuote("csi\xc2\x9b"), "\"csi\\u009b\"");
  EXPECT_EQ(jsonQuote("js\xe2\x80\xa8"), "\"js\\u2028\"");
  EXPECT_EQ(jsonQuote("Zürich"), "\"Zürich\"");
}

// python3's json, strict, reads every string back, and what it reads is the
// exact text wherever the input was valid UTF-8.
TEST(JsonQuote, AnyBytesMakeValidJsonThatReadsBack) {
  std::mt19937 rng(7);
  std::vector<std::string> inputs = {std::string("\xff\n\"\x1b[31m"), std::string(1, '\0'), "\\", "\xed\xa0\x80",
                                     std::string(5000, 'x')};
  for (int n = 0; n < 300; ++n) {
    std::string s(rng() % 30, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 256);
    inputs.push_back(s);
  }
  std::string doc = "[";
  std::vector<std::string> exprs;
  std::string expected;
  for (size_t i = 0; i < inputs.size(); ++i) {
    doc += (i ? ", " : "") + jsonQuote(inputs[i]);
    exprs.push_back("d[" + std::to_string(i) + "]");
    expected += hexOf(utf8Safe(inputs[i], shown::kDataBytes)) + "\n";
  }
  doc += "]";
  for (unsigned char c : doc) ASSERT_GE(c, 0x20) << "a raw control byte in the JSON";
  auto r = strictJson(doc, exprs);
  if (!r.available) GTEST_SKIP() << "python3 not found";
  ASSERT_TRUE(r.ok) << r.output;
  EXPECT_EQ(r.output, expected);
  EXPECT_EQ(utf8Safe(inputs[0], 100), "\\xff\n\"\x1b[31m") << "the visible text: \\xff for the byte";
}

// The report a kill leaves in the journal: a user named their cgroup and
// scope to forge a journal line and repaint the terminal of whoever reads it.
struct Captured {
  std::vector<std::pair<std::string, LogFields>> entries;
  static void capture(LogLevel, const std::string& m, const LogFields& f, void* data) {
    static_cast<Captured*>(data)->entries.emplace_back(m, f);
  }
};

KillReport hostileReport() {
  KillReport r;
  r.ruleset = "user@1000.service/app.slice/ManagedOOMMemoryPressure";
  r.description = "Memory pressure in app.slice\r\nunitoomd[error]: forged";
  r.origin = "unit app.slice";
  r.plugin = "kill_by_pressure";
  r.victim = "/user.slice/user-1000.slice/user@1000.service/app.slice/evil\n\x1b[31mKilled everything\xff";
  r.unit = "app-\x1b]0;pwned\x07.scope";
  r.manager = "user@1000.service";
  r.process =
      "x\xc2\x9b"
      "2J (pid 42)";
  r.reasons = {"memory full pressure of /evil\n 60% > 40%"};
  r.figures = {{"MEMORY_CURRENT", "1\n2"}};
  r.ok = true;
  r.method = "KillUnit(all, SIGKILL)";
  return r;
}

TEST(KillReportLog, JournalFieldsHoldNoRawControlCharacters) {
  Captured cap;
  setLogCapture(&Captured::capture, &cap);
  LogReportSink().killAttempted(hostileReport());
  setLogCapture(nullptr, nullptr);
  ASSERT_EQ(cap.entries.size(), 1u);
  const auto& [message, fields] = cap.entries[0];
  expectShowable(message, "MESSAGE");
  for (const auto& [k, v] : fields) expectShowable(v, k);
  bool sawCgroup = false;
  for (const auto& [k, v] : fields)
    if (k == "CGROUP") {
      sawCgroup = true;
      EXPECT_EQ(v, "/user.slice/user-1000.slice/user@1000.service/app.slice/evil\\x0a\\x1b[31mKilled everything\\xff");
    }
  EXPECT_TRUE(sawCgroup);
  EXPECT_NE(message.find("evil\\x0a\\x1b[31m"), std::string::npos) << message;
  expectShowable(hostileReport().summary(), "summary()");
}

TEST(KillReportLog, AFourKilobytePathDoesNotCrowdOutTheReasons) {
  KillReport r = hostileReport();
  r.victim = "/" + std::string(100000, 'd');
  std::string s = r.summary();
  EXPECT_LT(s.size(), 8000u);
  EXPECT_NE(s.find("memory full pressure"), std::string::npos);
}

// The line on stderr (no journal): one line, whatever the name holds.
TEST(KillReportLog, AStderrLineIsOneLine) {
  test::TempDir dir;
  std::string path = dir.path + "/stderr";
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  int saved = dup(STDERR_FILENO);
  dup2(fd, STDERR_FILENO);
  close(fd);
  LogReportSink().killAttempted(hostileReport());
  LOG_WARN("cgroup %s vanished", hostileReport().victim.c_str());
  dup2(saved, STDERR_FILENO);
  close(saved);
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::string out = text.str();
  if (out.empty()) GTEST_SKIP() << "stderr is the journal here";
  size_t lines = 0;
  std::istringstream ls(out);
  for (std::string line; std::getline(ls, line); ++lines) expectShowable(line, "stderr line");
  EXPECT_EQ(lines, 2u) << out;
}

}  // namespace
}  // namespace unitoomd
