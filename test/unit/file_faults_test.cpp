// File-level faults: reads that fail (EINTR, EIO, ENOMEM), cgroups that
// vanish mid-sample (ENODEV, ENOENT), reads cut short or garbage, a cgroup
// recreated under its old name, a journal that is not there. The daemon keeps
// deciding and killing the right cgroup, never fires on missing data, says
// what it could not read once, and never takes a new cgroup for the old one.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cerrno>
#include <functional>

#include "act/cgroup_killer.h"
#include "act/killer.h"
#include "config/ruleset_json.h"
#include "engine/compiler.h"
#include "engine/report.h"
#include "engine_harness.h"
#include "fixture.h"
#include "util/log.h"

using namespace unitoomd;
using namespace unitoomd::test;
using unitoomd::test::at;
using unitoomd::test::FixtureTree;
using unitoomd::test::pathOfFd;
using unitoomd::test::psi;
using unitoomd::test::ScopedReadFaults;

namespace {

// Log lines, captured while it lives.
struct CapturedLog {
  std::vector<std::string> lines;
  CapturedLog() {
    setLogCapture(
        [](LogLevel, const std::string& m, const LogFields&, void* d) { static_cast<CapturedLog*>(d)->lines.push_back(m); },
        this);
  }
  ~CapturedLog() { setLogCapture(nullptr, nullptr); }
  size_t count(const std::string& part) const {
    return static_cast<size_t>(
        std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(part) != std::string::npos; }));
  }
  std::string all() const {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
  }
};

// True when fd is the directory of the fixture cgroup `path`.
bool is(const Harness& h, int dirfd, const std::string& path) { return pathOfFd(dirfd) == h.tree.cgroupRoot() + path; }

// Three candidates, largest first: big, mid, small.
void threeCandidates(Harness& h) {
  h.tree.cgroup("/work.slice/big", {{"memory.current", "900"}});
  h.tree.cgroup("/work.slice/mid", {{"memory.current", "500"}});
  h.tree.cgroup("/work.slice/small", {{"memory.current", "100"}});
}

}  // namespace

// --- EINTR -----------------------------------------------------------------

TEST(ReadFaults, AnInterruptedReadIsReadAgainNotAFailure) {
  Harness h;
  threeCandidates(h);
  int interrupted = 0;
  ScopedReadFaults faults([&](int dirfd, std::string_view name) {
    ReadFault f;
    if (name == "memory.current" && is(h, dirfd, "/work.slice/big") && interrupted < 3) ++interrupted, f.errnum = EINTR;
    return f;
  });
  CapturedLog log;
  h.rules(kAlways, killBySize());
  h.sample(0);
  EXPECT_EQ(interrupted, 3);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/big"}) << "big's size was read after the interruptions";
  EXPECT_EQ(log.count("cannot read"), 0u) << log.all();
}

// --- a cgroup that vanishes mid-sample ------------------------------------

// rmdir between the directory's open and a read: the file is gone with it
// (ENOENT at open). big was listed and sized, then vanished while ranked.
TEST(ReadFaults, ACgroupRemovedWhileRankedIsNotKilledTheNextOneIs) {
  Harness h;
  threeCandidates(h);
  ScopedReadFaults faults([&](int dirfd, std::string_view name) {
    if (name == "memory.min" && is(h, dirfd, "/work.slice/big")) h.tree.remove("/work.slice/big");
    return ReadFault{};
  });
  h.rules(kAlways, killBySize());
  h.sample(0);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/mid"});
  ASSERT_EQ(h.sink.reports.size(), 1u);
  EXPECT_EQ(h.sink.reports[0].victim, "/work.slice/mid");
}

// kernfs: a file open while its cgroup is removed reads ENODEV.
TEST(ReadFaults, ENodevOnARankingReadMeansGoneNotAVictim) {
  Harness h;
  threeCandidates(h);
  ScopedReadFaults faults([&](int dirfd, std::string_view name) {
    ReadFault f;
    if (name == "memory.low" && is(h, dirfd, "/work.slice/big")) f.errnum = ENODEV;
    return f;
  });
  CapturedLog log;
  h.rules(kAlways, killBySize());
  h.sample(0);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/mid"});
  EXPECT_EQ(log.count("cannot read"), 0u) << "a vanished cgroup is not a failure to report: " << log.all();
}

// The first choice's kill fails; before the next is tried, it was removed.
TEST(ReadFaults, ACandidateRemovedWhileAnotherIsKilledIsPassedOver) {
  Harness h;
  threeCandidates(h);
  h.killer.failing.insert("/work.slice/big");
  h.killer.onStart = [&](const KillTarget& t) {
    if (t.path == "/work.slice/big") h.tree.remove("/work.slice/mid");
  };
  h.rules(kAlways, killBySize());
  h.sample(0);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/small"});
}

// --- EIO / ENOMEM on a candidate's file ------------------------------------

TEST(ReadFaults, AnUnreadableCandidateRanksWithWhatIsKnownAndTheFailureIsSaidOnce) {
  Harness h;
  threeCandidates(h);
  int reads = 0;
  ScopedReadFaults faults([&](int dirfd, std::string_view name) {
    ReadFault f;
    if (name == "memory.current" && is(h, dirfd, "/work.slice/big")) f.errnum = ++reads % 2 ? EIO : ENOMEM;
    return f;
  });
  CapturedLog log;
  // memory_above reads every candidate's memory.current at every sample
  h.rules(R"({"name": "memory_above", "args": {"cgroup": "work.slice/*", "threshold": "1G"}})", killBySize());
  for (int i = 0; i < 50; ++i) h.sample(i * 0.25);
  EXPECT_TRUE(h.killer.killed.empty());
  EXPECT_GE(reads, 50);
  EXPECT_EQ(log.count("/work.slice/big/memory.current"), 2u) << "once for EIO, once for ENOMEM, not at every sample:\n"
                                                             << log.all();
  EXPECT_EQ(log.count(strerror(EIO)), 1u);
  EXPECT_EQ(log.count(strerror(ENOMEM)), 1u);

  h.rules(kAlways, killBySize());
  h.sample(20);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/mid"}) << "the largest whose size is known";
  EXPECT_EQ(log.count("/work.slice/big/memory.current"), 2u) << log.all();
}

TEST(ReadFaults, WhatIsSaidOnceIsRememberedBoundedly) {
  FixtureTree tree;
  CgroupFs fs(tree.cgroupRoot(), tree.procRoot());
  EXPECT_TRUE(fs.firstFailure("k0"));
  EXPECT_FALSE(fs.firstFailure("k0"));
  for (size_t i = 1; i < CgroupFs::kMaxRememberedFailures; ++i) fs.firstFailure("k" + std::to_string(i));
  EXPECT_FALSE(fs.firstFailure("k0"));
  EXPECT_TRUE(fs.firstFailure("one more"));  // full: all forgotten
  EXPECT_TRUE(fs.firstFailure("k0"));
}

// --- system-wide files: no firing on missing data ---------------------------

TEST(ReadFaults, SwapFreeDoesNotFireWhenProcSwapsFailsAndSaysSoOnce) {
  Harness h;
  h.tree.cgroup("/work.slice/x", {{"memory.current", "100"}});
  h.tree.proc("swaps", "Filename Type Size Used Priority\n/dev/vdb partition 1000000 950000 -2\n");  // 5 % free
  bool failing = true;
  ScopedReadFaults faults([&](int, std::string_view name) {
    ReadFault f;
    if (failing && name.ends_with("/swaps")) f.errnum = EIO;
    return f;
  });
  CapturedLog log;
  h.rules(R"({"name": "swap_free", "args": {"threshold_pct": 10}})", killBySize());
  for (int i = 0; i < 20; ++i) h.sample(i);
  EXPECT_TRUE(h.killer.killed.empty());
  EXPECT_EQ(log.count("swaps"), 1u) << log.all();
  failing = false;  // the same swap, read: it fires
  h.sample(30);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/x"});
}

TEST(ReadFaults, SwapFreeDoesNotFireOnGarbage) {
  Harness h;
  h.tree.cgroup("/work.slice/x", {{"memory.current", "100"}});
  ScopedReadFaults faults([&](int, std::string_view name) {
    ReadFault f;
    if (name.ends_with("/swaps")) f.data = "Filename Type Size Used Priority\n/dev/vdb partition 1000000 \xff\xfe -2\n";
    return f;
  });
  h.rules(R"({"name": "swap_free", "args": {"threshold_pct": 10}})", killBySize());
  h.sample(0);
  EXPECT_TRUE(h.killer.killed.empty());
}

TEST(ReadFaults, MemoryAboveAPercentDoesNotFireWhenMeminfoFails) {
  Harness h;
  h.tree.cgroup("/work.slice/x", {{"memory.current", "1000000000"}});  // ~93 % of MemTotal
  bool failing = true;
  ScopedReadFaults faults([&](int, std::string_view name) {
    ReadFault f;
    if (failing && name.ends_with("/meminfo")) f.errnum = EIO;
    return f;
  });
  CapturedLog log;
  h.rules(R"({"name": "memory_above", "args": {"cgroup": "work.slice/*", "threshold": "50%"}})", killBySize());
  for (int i = 0; i < 10; ++i) h.sample(i);
  EXPECT_TRUE(h.killer.killed.empty());
  EXPECT_EQ(log.count("meminfo"), 1u) << log.all();
  failing = false;
  h.sample(20);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/x"});
}

// A read of /proc/meminfo cut short in "MemAvailable: 52" must not read as
// 52 bytes available (the machine out of memory).
TEST(ReadFaults, AMeminfoCutShortIsNotAMachineOutOfMemory) {
  Harness h;
  h.tree.cgroup("/work.slice/x", {{"memory.current", "100"}});
  bool cut = true;
  ScopedReadFaults faults([&](int, std::string_view name) {
    ReadFault f;
    if (cut && name.ends_with("/meminfo")) f.data = "MemTotal: 1048576 kB\nMemAvailable: 52";
    return f;
  });
  CapturedLog log;
  h.rules(R"({"name": "memory_above", "args": {"cgroup": "/", "threshold": "90%"}})", killBySize());
  h.sample(0);
  h.sample(1);
  EXPECT_TRUE(h.killer.killed.empty());
  EXPECT_EQ(log.count("meminfo made no sense"), 1u) << log.all();
  h.tree.proc("meminfo", "MemTotal: 1048576 kB\nMemAvailable: 52 kB\n");  // really out of memory: it fires
  cut = false;
  h.sample(2);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/x"});
}

TEST(ReadFaults, PressureAboveDoesNotFireWhenMemoryPressureFailsAndSaysSoOnce) {
  Harness h;
  h.tree.cgroup("/work.slice", {{"memory.pressure", psi(0, 0, 0)}});
  h.tree.cgroup("/work.slice/x", {{"memory.current", "100"}});
  bool failing = true;
  ScopedReadFaults faults([&](int dirfd, std::string_view name) {
    ReadFault f;
    if (failing && name == "memory.pressure" && is(h, dirfd, "/work.slice")) f.errnum = EIO;
    return f;
  });
  CapturedLog log;
  h.rules(
      R"({"name": "pressure_above", "args": {"cgroup": "work.slice", "resource": "memory", "threshold": 20, "window": "avg10"}})",
      killBySize());
  h.tree.cgroup("/work.slice", {{"memory.pressure", psi(80, 1000000, 1000000)}});
  h.tree.proc("pressure/memory", psi(80, 1000000, 1000000));  // the machine stalls with it
  for (int i = 0; i < 20; ++i) h.sample(i * 0.25);
  EXPECT_TRUE(h.killer.killed.empty());
  EXPECT_EQ(log.count("/work.slice/memory.pressure"), 1u) << log.all();
  failing = false;  // the same pressure, read: it fires
  h.sample(10);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/x"});
}

// memory.pressure cut short after its "some" line: a "full" total taken as
// 0 would make the next complete read look like a long, total stall.
TEST(ReadFaults, APressureReadCutShortIsNotAStall) {
  Harness h;
  h.tree.cgroup("/work.slice", {{"memory.pressure", psi(0, 1000000000, 900000000)}});
  h.tree.cgroup("/work.slice/x", {{"memory.current", "100"}});
  bool cut = true;
  ScopedReadFaults faults([&](int dirfd, std::string_view name) {
    ReadFault f;
    if (cut && name == "memory.pressure" && is(h, dirfd, "/work.slice"))
      f.data = "some avg10=0.00 avg60=0.00 avg300=0.00 total=1000000000\n";
    return f;
  });
  h.rules(R"({"name": "pressure_above", "args": {"cgroup": "work.slice", "resource": "memory", "threshold": 20}})", killBySize());
  h.sample(0);
  cut = false;
  h.sample(0.25);  // no stall at all since: same totals
  h.sample(0.5);
  EXPECT_TRUE(h.killer.killed.empty());
}

// --- a cgroup recreated under the same path ---------------------------------

TEST(Recreated, ANewCgroupUnderAnOldNameHasNoHistory) {
  Harness h;
  h.tree.cgroup("/work.slice/steady", {{"memory.current", "1000000"}});
  h.tree.cgroup("/work.slice/app", {{"memory.current", "100000"}});
  std::string kill = killBySize(R"(, "size_threshold": 90, "min_growth_ratio": 1.5, "growing_size_percentile": 0)");
  // growth is followed while a detector times its duration towards a kill
  h.rules(R"({"name": "memory_above", "args": {"cgroup": "work.slice/*", "threshold": "1K", "duration": 100}})", kill);
  for (int i = 0; i < 4; ++i) h.sample(i);
  auto old = h.fs.inodeOf("/work.slice/app");
  h.tree.recreate("/work.slice/app", {{"memory.current", "950000"}});  // restarted: a new cgroup, not one grown 9.5 times
  ASSERT_NE(h.fs.inodeOf("/work.slice/app"), old);
  h.rules(kAlways, kill);
  h.sample(4);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/steady"});
}

// A victim recreated while its kill is confirmed: the old one is gone (the
// kill worked), and the new one is not the old kill's business.
TEST(Recreated, AVictimRecreatedWhileItsKillIsConfirmedCountsAsGoneAndTheNewOneLives) {
  Harness h;
  h.tree.cgroup("/work.slice/big", {{"memory.current", "900"}, {"cgroup.events", "populated 1\n"}});
  h.tree.cgroup("/work.slice/small", {{"memory.current", "100"}, {"cgroup.events", "populated 1\n"}});
  h.killer.survivors.insert("/work.slice/big");
  h.rules(kAlways, killBySize(R"(, "confirm_timeout": 2)"));
  h.sample(0);
  ASSERT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/big"});
  h.tree.recreate("/work.slice/big", {{"memory.current", "900"}, {"cgroup.events", "populated 1\n"}});
  h.sample(1);
  h.sample(3);
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/big"}) << "one kill, of the old big";
  ASSERT_EQ(h.sink.reports.size(), 1u);
  EXPECT_TRUE(h.sink.reports[0].ok) << h.sink.reports[0].error;
}

// The first choice survives its kill; meanwhile the next in line was
// recreated. The attempt's list names the old one: the new is left alone.
TEST(Recreated, TheNextCandidateRecreatedMeanwhileIsNotKilled) {
  Harness h;
  h.tree.cgroup("/work.slice/big", {{"memory.current", "900"}, {"cgroup.events", "populated 1\n"}});
  h.tree.cgroup("/work.slice/small", {{"memory.current", "100"}, {"cgroup.events", "populated 1\n"}});
  h.killer.survivors.insert("/work.slice/big");
  h.rules(kAlways, killBySize(R"(, "confirm_timeout": 2)"));
  h.sample(0);
  h.tree.recreate("/work.slice/small", {{"memory.current", "100"}, {"cgroup.events", "populated 1\n"}});
  h.sample(2.5);  // big survived: the next in line is the old small, which is gone
  EXPECT_EQ(h.killer.killed, std::vector<std::string>{"/work.slice/big"});
}

// The real killer, given the old cgroup's identity, does not touch the new.
TEST(Recreated, TheCgroupKillerDoesNotKillANewCgroupUnderTheOldName) {
  FixtureTree tree;
  CgroupFs fs(tree.cgroupRoot(), tree.procRoot());
  tree.cgroup("/work.slice/app", {{"cgroup.kill", ""}});
  auto old = fs.inodeOf("/work.slice/app");
  ASSERT_TRUE(old);
  tree.recreate("/work.slice/app", {{"cgroup.kill", ""}});
  CgroupKiller killer;
  auto op = killer.start(fs, KillTarget{"/work.slice/app", *old}, KillOptions{}, at(0));
  EXPECT_EQ(op->state(), KillState::Failed);
  auto dir = fs.open("/work.slice/app");
  ASSERT_TRUE(dir);
  EXPECT_EQ(dir->read("cgroup.kill").data, "") << "the new cgroup was killed";
}

// --- the journal ----------------------------------------------------------

// Runs Journal.ChildLogsTwoLines in a fresh process (this binary) with
// stderrFd as its stderr, named the journal's stream by $JOURNAL_STREAM:
// whether stderr is the journal is decided once per process.
int runLoggingChild(int stderrFd) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    dup2(stderrFd, STDERR_FILENO);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDOUT_FILENO);
    struct stat st;
    fstat(STDERR_FILENO, &st);
    setenv("JOURNAL_STREAM", (std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino)).c_str(), 1);
    setenv("UNITOOMD_TEST_JOURNAL_CHILD", "1", 1);
    execl("/proc/self/exe", "test-file-faults", "--gtest_filter=Journal.ChildLogsTwoLines", nullptr);
    _exit(127);
  }
  return pid;
}

// No journald takes the entry (its socket is gone; sd_journal_sendv() then
// says "sent"): the lines go to stderr.
TEST(Journal, AJournalThatIsGoneFallsBackToStderr) {
  if (access("/run/systemd/journal/socket", F_OK) == 0) GTEST_SKIP() << "a journald is listening here";
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  pid_t pid = runLoggingChild(pipefd[1]);
  ASSERT_GT(pid, 0);
  close(pipefd[1]);
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_NE(out.find("unitoomd[warning]: first line"), std::string::npos) << out;
  EXPECT_NE(out.find("unitoomd[warning]: second line"), std::string::npos) << out;
}

// journald gone with its end of the stream: logging neither kills the
// daemon (SIGPIPE) nor stops it.
TEST(Journal, AJournalStreamNobodyReadsDoesNotEndTheDaemon) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  close(sv[0]);
  pid_t pid = runLoggingChild(sv[1]);
  ASSERT_GT(pid, 0);
  close(sv[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
}

TEST(Journal, ChildLogsTwoLines) {
  if (!getenv("UNITOOMD_TEST_JOURNAL_CHILD")) GTEST_SKIP() << "run in the processes the Journal tests start";
  LOG_WARN("first line");
  LOG_WARN("second line");
}
