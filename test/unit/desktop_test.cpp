// Desktop protection's pure parts: which process dies in a terminal or
// session scope, what is protected, whose session a cgroup is, and what the
// user is told.
#include <gtest/gtest.h>

#include <set>

#include "desktop/ask_policy.h"
#include "desktop/process_choice.h"
#include "desktop/protection.h"
#include "desktop/session_words.h"
#include "desktop/terminal_sessions.h"
#include "desktop/user_sessions.h"

using namespace unitoomd;

namespace {

const std::vector<std::string> kProtected = {"Xwayland", "gnome-shell", "systemd"};
constexpr uint64_t MiB = 1 << 20;

}  // namespace

TEST(ProcessChoice, AJobDiesWholeAndTheShellLives) {
  // a terminal tab: bash (session leader 100) runs `make -j2` as a job (group 200)
  std::vector<ProcessInfo> procs = {{100, 100, 100, "bash", 4 * MiB, 0},
                                    {200, 200, 100, "make", 2 * MiB, 0},
                                    {201, 200, 100, "cc1plus", 900 * MiB, 100 * MiB},
                                    {202, 200, 100, "cc1plus", 300 * MiB, 0}};
  auto v = chooseProcessVictim(procs, kProtected, nullptr);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->pid, 201);
  EXPECT_EQ(v->comm, "cc1plus");
  EXPECT_EQ(v->bytes, 1000 * MiB);
  EXPECT_TRUE(v->wholeJob);
  EXPECT_EQ(v->pgid, 200);
  EXPECT_EQ(v->pids, (std::vector<int>{201, 200, 202}));  // the culprit first, never the shell
}

TEST(ProcessChoice, AChildInTheShellsOwnGroupDiesAlone) {
  // `bash -c 'hog; ...'`: no job control, the hog shares the shell's group
  std::vector<ProcessInfo> procs = {{100, 100, 100, "bash", 4 * MiB, 0}, {101, 100, 100, "hog", 800 * MiB, 0}};
  auto v = chooseProcessVictim(procs, kProtected, nullptr);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->pids, std::vector<int>{101});
  EXPECT_FALSE(v->wholeJob);
}

TEST(ProcessChoice, TheSessionLeaderIsNeverChosenEvenWhenLargest) {
  std::vector<ProcessInfo> procs = {{100, 100, 100, "bash", 900 * MiB, 0}, {101, 100, 100, "sleep", 1 * MiB, 0}};
  auto v = chooseProcessVictim(procs, kProtected, nullptr);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->pid, 101);
  std::string why;
  EXPECT_FALSE(chooseProcessVictim({{100, 100, 100, "bash", 900 * MiB, 0}}, kProtected, &why));
  EXPECT_EQ(why, "every process is protected, leads the session or holds its terminal (bash (session leader))");
}

TEST(ProcessChoice, ProtectedProcessesAreSkippedAndKeepTheirJob) {
  // a login session scope: the compositor is the largest, a browser the culprit
  std::vector<ProcessInfo> procs = {{50, 50, 50, "gdm-session-wor", 2 * MiB, 0},
                                    {60, 60, 50, "Xwayland", 1200 * MiB, 0},
                                    {61, 60, 50, "helper", 1 * MiB, 0},
                                    {70, 70, 50, "firefox", 700 * MiB, 0}};
  auto v = chooseProcessVictim(procs, kProtected, nullptr);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->comm, "firefox");
  // a job that holds a protected process is not killed whole
  procs[3].pgid = 60;
  v = chooseProcessVictim(procs, kProtected, nullptr);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->pids, std::vector<int>{70});
  std::string why;
  EXPECT_FALSE(chooseProcessVictim({{60, 60, 50, "Xwayland", 1, 0}}, kProtected, &why));
  EXPECT_NE(why.find("Xwayland"), std::string::npos);
}

TEST(ProcessChoice, ProcFilesParse) {
  auto st = parseProcStat("4242 (tricky ) (name) S 1 4240 4200 0 -1 4194304 ...");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->comm, "tricky ) (name");
  EXPECT_EQ(st->pgid, 4240);
  EXPECT_EQ(st->sid, 4200);
  EXPECT_FALSE(parseProcStat("4242 (no end S 1 2 3"));
  EXPECT_FALSE(parseProcStat("4242 (x) S 1"));
  EXPECT_FALSE(parseProcStat("4242 (x) S 1 2 3"));  // no tty_nr
  EXPECT_EQ(st->ppid, 1);
  EXPECT_EQ(st->ttyNr, 0u);
  auto shell = parseProcStat("5000 (bash) S 4990 5000 5000 34819 5100 4194560 ...");  // on /dev/pts/3
  ASSERT_TRUE(shell);
  EXPECT_EQ(shell->ppid, 4990);
  EXPECT_EQ(shell->ttyNr, 34819u);
  EXPECT_TRUE(isPseudoTerminal(shell->ttyNr));
  EXPECT_EQ(ttyName(shell->ttyNr), "pts/3");
  auto [rss, swap] = parseProcStatusMemory("Name:\thog\nVmRSS:\t  2048 kB\nVmSwap:\t     4 kB\n");
  EXPECT_EQ(rss, 2048u * 1024);
  EXPECT_EQ(swap, 4096u);
  EXPECT_EQ(parseProcStatusMemory("Name:\tkthreadd\n"), (std::pair<uint64_t, uint64_t>{0, 0}));
}

// tty_nr as /proc/PID/stat gives it (new_encode_dev): /dev/pts/N is 136:N,
// /dev/tty1 4:1.
constexpr unsigned pts(unsigned n) { return (136u << 8) | (n & 0xff) | ((n & ~0xffu) << 12); }
constexpr unsigned kTty1 = (4u << 8) | 1;

// An emulator stand-in in app-launcher-term-4242.scope, as kitty or foot
// run: the emulator (4242, its own session, no terminal) holds two ptys;
// shell 5000 on pts/3 runs `make` as a job (group 5100) and a pipeline in
// its own group by `set +m` (5003); shell 6000 on pts/4 is idle; 4300 is
// a helper of the emulator's, without a terminal.
std::vector<ProcessInfo> terminalScope() {
  auto p = [](int pid, int ppid, int pgid, int sid, unsigned tty, const char* comm, uint64_t mib) {
    ProcessInfo i{pid, pgid, sid, comm, mib * MiB, 0};
    i.ppid = ppid;
    i.ttyNr = tty;
    return i;
  };
  return {p(4242, 1, 4242, 4242, 0, "termemu", 2000),  // the largest: scrollback
          p(4300, 4242, 4242, 4242, 0, "termemu-helper", 30), p(5000, 4242, 5000, 5000, pts(3), "bash", 5),
          p(5100, 5000, 5100, 5000, pts(3), "make", 3),       p(5101, 5100, 5100, 5000, pts(3), "cc1plus", 900),
          p(5102, 5100, 5100, 5000, pts(3), "cc1plus", 400),  p(5003, 5000, 5000, 5000, pts(3), "sort", 10),
          p(6000, 4242, 6000, 6000, pts(300), "zsh", 6)};
}

TEST(TerminalSessions, ShellsOnPtysAndTheirEmulatorAreKnownFromTheTree) {
  auto t = terminalSessionsIn(terminalScope());
  EXPECT_EQ(t.shells, (std::set<int>{5000, 6000}));
  EXPECT_EQ(t.emulators, std::set<int>{4242});
  EXPECT_EQ(t.terminals, (std::vector<std::string>{"pts/3", "pts/300"}));
  auto shape = scopeKillShape(false, t);
  EXPECT_TRUE(shape.perProcess);
  EXPECT_EQ(shape.why, "a terminal: 2 interactive shell(s) on pts/3, pts/300");
}

TEST(TerminalSessions, TheRunawayJobDiesNotItsShellNorTheEmulator) {
  auto v = chooseProcessVictim(terminalScope(), kProtected, nullptr);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->pid, 5101);  // not the emulator, though it is larger
  EXPECT_TRUE(v->wholeJob);
  EXPECT_EQ(v->pids, (std::vector<int>{5101, 5100, 5102}));
  // an emulator that stayed in its launcher's session is no session leader:
  // it is spared for holding the ptys alone
  auto procs = terminalScope();
  procs[0].sid = procs[0].pgid = 1;
  procs[1].sid = procs[1].pgid = 1;
  procs[0].rssBytes = 5000 * MiB;
  v = chooseProcessVictim(procs, kProtected, nullptr);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->pid, 5101);
}

TEST(TerminalSessions, AJobInTheShellsOwnGroupDiesAlone) {
  auto procs = terminalScope();
  procs[6].rssBytes = 1500 * MiB;  // the `set +m` pipeline in bash's own group
  auto v = chooseProcessVictim(procs, kProtected, nullptr);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->pids, std::vector<int>{5003});
  EXPECT_FALSE(v->wholeJob);
}

TEST(TerminalSessions, OnlyShellsAndTheEmulatorLeftMeansNothingToKill) {
  auto procs = terminalScope();
  std::erase_if(procs, [](const ProcessInfo& p) { return p.pid != 4242 && p.pid != 5000 && p.pid != 6000; });
  std::string why;
  EXPECT_FALSE(chooseProcessVictim(procs, kProtected, &why));
  EXPECT_NE(why.find("termemu (terminal emulator)"), std::string::npos) << why;
  EXPECT_NE(why.find("bash (session leader)"), std::string::npos) << why;
}

TEST(TerminalSessions, AnAppWithoutPtysIsKilledWhole) {
  // a browser: a parent and its content processes, no controlling terminal
  std::vector<ProcessInfo> browser = {{7000, 7000, 7000, "browser", 400 * MiB, 0},
                                      {7001, 7000, 7000, "Web Content", 2000 * MiB, 0},
                                      {7002, 7000, 7000, "Web Content", 300 * MiB, 0}};
  for (auto& p : browser) p.ppid = p.pid == 7000 ? 1 : 7000;
  auto t = terminalSessionsIn(browser);
  EXPECT_FALSE(t.any());
  EXPECT_FALSE(scopeKillShape(false, t).perProcess);
  // ... unless KillProcessesIn= names it: the override
  EXPECT_TRUE(scopeKillShape(true, t).perProcess);
}

TEST(TerminalSessions, APtyWhoseShellIsElsewhereMakesNoTerminal) {
  // `systemd-run --user --scope hog` from a terminal: the hog keeps the
  // shell's session and pty, but the shell is in another scope
  std::vector<ProcessInfo> app = {{8000, 5000, 5000, "hog", 900 * MiB, 0}, {8001, 8000, 5000, "hog", 100 * MiB, 0}};
  for (auto& p : app) {
    p.ppid = 5000;
    p.ttyNr = pts(3);
  }
  EXPECT_FALSE(terminalSessionsIn(app).any());
  // a session leader on a virtual console is no pty
  EXPECT_FALSE(terminalSessionsIn({{9000, 9000, 9000, "bash", 1, 0, 1, kTty1}}).any());
  EXPECT_EQ(ttyName(kTty1), "tty 4:1");
}

TEST(TerminalSessions, OnlyAUsersScopesAndServicesAreLookedAt) {
  const char* app = "/user.slice/user-1000.slice/user@1000.service/app.slice/app-fuzzel-foot-4242.scope";
  EXPECT_TRUE(mayHoldTerminal(app, false));
  EXPECT_TRUE(mayHoldTerminal("/user.slice/user-1000.slice/user@1000.service/app.slice/app-kitty@ab12.service", false));
  EXPECT_FALSE(mayHoldTerminal("/user.slice/user-1000.slice/user@1000.service", false));  // the manager itself
  EXPECT_FALSE(mayHoldTerminal("/user.slice/user-1000.slice/user@1000.service/app.slice", false));
  EXPECT_FALSE(mayHoldTerminal("/system.slice/ci-runner.service", false));
  EXPECT_FALSE(mayHoldTerminal("/user.slice/user-1000.slice/session-3.scope", false));  // by name only
  EXPECT_TRUE(mayHoldTerminal("/lab/app.slice/app-term.scope", true));                  // a per-user instance's
  EXPECT_FALSE(mayHoldTerminal("/lab/app.slice", true));
}

TEST(Protection, AnyComponentOfThePathCounts) {
  std::vector<std::string> globs = {"init.scope", "session.slice", "org.gnome.Shell@*.service"};
  EXPECT_EQ(protectedComponent("/user.slice/user-1000.slice/user@1000.service/init.scope", globs), "init.scope");
  EXPECT_EQ(protectedComponent("/user.slice/user-1000.slice/user@1000.service/session.slice/pipewire.service", globs),
            "session.slice");
  EXPECT_EQ(protectedComponent("/u/user@1000.service/session.slice/org.gnome.Shell@wayland.service", globs), "session.slice");
  EXPECT_EQ(protectedComponent("/user.slice/user-1000.slice/user@1000.service/app.slice/app-firefox.scope", globs), "");
  EXPECT_EQ(cgroupName("/a/b.scope"), "b.scope");
}

TEST(SessionWords, WhoseSessionACgroupIs) {
  EXPECT_EQ(uidOfCgroup("/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope"), std::optional<uid_t>(1000));
  EXPECT_EQ(uidOfCgroup("/user.slice/user-1000.slice"), std::optional<uid_t>(1000));
  EXPECT_EQ(uidOfCgroup("/system.slice/user-1000.service"), std::nullopt);
  EXPECT_EQ(uidOfCgroup("/user.slice/user-x.slice"), std::nullopt);
  EXPECT_TRUE(concernsUser("/user.slice/user-1000.slice/user@1000.service", 1000));
  EXPECT_TRUE(concernsUser("/", 1000));
  EXPECT_TRUE(concernsUser("/user.slice", 1000));
  EXPECT_FALSE(concernsUser("/user.slice/user-1001.slice", 1000));
  EXPECT_FALSE(concernsUser("/user.slice/user-10000.slice", 1000));
  EXPECT_FALSE(concernsUser("/system.slice", 1000));
}

TEST(SessionWords, AppNamesAsPeopleKnowThem) {
  EXPECT_EQ(appNameOf("app-gnome-firefox\\x2desr-4242.scope"), "firefox-esr");
  EXPECT_EQ(appNameOf("/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal@abc.service"),
            "org.gnome.Terminal");
  EXPECT_EQ(appNameOf("app-flatpak-org.mozilla.firefox-12345.scope"), "org.mozilla.firefox");
  EXPECT_EQ(appNameOf("app-hog.scope"), "hog");
  EXPECT_EQ(appNameOf("hog.service"), "hog");
}

TEST(SessionWords, TheNotificationSaysWhatAndWhyInPlainWords) {
  KillReport r;
  r.ruleset = "user@1000.service/ManagedOOMMemoryPressure";
  r.unit = "app-gnome-firefox-4242.scope";
  r.figures = {{"MEMORY_CURRENT", std::to_string(1536 * MiB)}};
  Notification n = notificationFor(r);
  EXPECT_EQ(n.summary, "firefox was closed to free memory");
  EXPECT_NE(n.body.find("waiting for memory"), std::string::npos);
  EXPECT_NE(n.body.find("It was using 1.5 GiB."), std::string::npos) << n.body;

  r.ruleset = "-.slice/ManagedOOMSwap";
  r.process = "cc1plus (pid 201)";
  EXPECT_EQ(notificationFor(r).summary, "cc1plus (pid 201) was closed to free memory");
  EXPECT_NE(notificationFor(r).body.find("swap"), std::string::npos);

  r.ruleset = "-.slice/MemoryExhaustion";
  EXPECT_NE(notificationFor(r).body.find("taking it fastest"), std::string::npos);

  r.ruleset = "my-rules";
  r.description = "Browser tabs over 2G while memory is short.";
  EXPECT_NE(notificationFor(r).body.find("Browser tabs over 2G"), std::string::npos);
}

TEST(SessionWords, TheKernelsOwnKillIsToldLikeOurs) {
  EXPECT_EQ(notificationForKernelOomKill(1).summary, "A program was closed to free memory");
  EXPECT_NE(notificationForKernelOomKill(1).body.find("the kernel stopped a program in your session"), std::string::npos);
  EXPECT_NE(notificationForKernelOomKill(3).body.find("stopped 3 programs"), std::string::npos);
}

// The body may be read as markup by the notification daemon, and the names
// in it are the user's own: no bold, links or images from them, no terminal
// sequences, valid UTF-8 for D-Bus.
TEST(SessionWords, TheNotificationEscapesMarkupAndControls) {
  KillReport r;
  r.ruleset = "my-rules";
  r.description = "Tabs <b>over</b> 2G & <a href=\"http://x\">more</a>\xff";
  r.unit = "app-gnome-evil\\x1b[31m\\x0a-4242.scope";  // unescaped by appNameOf into ESC and a newline
  Notification n = notificationFor(r);
  EXPECT_NE(n.body.find("Tabs &lt;b&gt;over&lt;/b&gt; 2G &amp; &lt;a href=\"http://x\"&gt;more&lt;/a&gt;\\xff"),
            std::string::npos)
      << n.body;
  EXPECT_EQ(n.body.find('<'), std::string::npos) << n.body;
  EXPECT_EQ(n.summary, "evil\\x1b[31m\\x0a was closed to free memory");
  for (const std::string& s : {n.summary, n.body})
    for (unsigned char c : s) EXPECT_TRUE(c >= 0x20 && c != 0x7f) << int(c) << " in " << s;
}

TEST(UserSessions, LiveUserManagersAreFollowed) {
  auto unit = [](std::string name, std::string state, std::string manager = "") {
    UnitOomSettings u;
    u.name = std::move(name);
    u.cgroup = "/user.slice/x";
    u.activeState = std::move(state);
    u.manager = std::move(manager);
    return u;
  };
  std::vector<UnitOomSettings> units = {unit("user@1000.service", "active"), unit("user@1001.service", "inactive"),
                                        unit("user-runtime-dir@1000.service", "active"),
                                        unit("user@1002.service", "active", "user@1000.service")};
  EXPECT_EQ(userManagersIn(units), std::set<uid_t>{1000});
}

// --- pause and ask ([Desktop] AskBeforeKill=)

TEST(AskPolicy, OnlyAUsersAppsAreFrozen) {
  std::vector<std::string> prot = {"init.scope", "session.slice"};
  const std::string mgr = "/user.slice/user-1000.slice/user@1000.service";
  EXPECT_EQ(whyNotAsk(mgr + "/app.slice/app-firefox-42.scope", prot), std::nullopt);
  EXPECT_EQ(whyNotAsk(mgr + "/app.slice/app-org.gnome.Builder@ab.service", prot), std::nullopt);
  EXPECT_TRUE(whyNotAsk(mgr, prot));                                            // the session's manager
  EXPECT_TRUE(whyNotAsk("/user.slice/user-1000.slice/session-2.scope", prot));  // the login session
  EXPECT_TRUE(whyNotAsk(mgr + "/app.slice", prot));                             // many apps
  EXPECT_TRUE(whyNotAsk("/system.slice/postgresql.service", prot));             // a system service
  EXPECT_EQ(whyNotAsk(mgr + "/session.slice/pipewire.service", prot), "protected (session.slice)");
}

TEST(AskPolicy, TheQuestionNamesTheAppAndBothChoices) {
  Question q = questionFor("firefox", std::chrono::seconds(20));
  EXPECT_EQ(q.text.summary, "firefox is paused: memory is running out");
  EXPECT_NE(q.text.body.find("closed in 20s"), std::string::npos) << q.text.body;
  EXPECT_EQ(q.actions, (std::vector<std::string>{"close", "Close firefox", "keep", "Keep running"}));
  EXPECT_EQ(answerOf("close"), Answer::Close);
  EXPECT_EQ(answerOf("keep"), Answer::Keep);
  EXPECT_EQ(answerOf("default"), Answer::None);  // a click on the banner itself answers nothing
}

TEST(AskPolicy, AFrozenAppIsKilledOnCloseTimeoutOrPressureAndThawedOnKeep) {
  using std::chrono::seconds;
  const Duration timeout = seconds(20);
  EXPECT_EQ(frozenStep(Answer::None, seconds(3), timeout, {30, 2}).verdict, Verdict::Wait);  // freezing helped
  EXPECT_EQ(frozenStep(Answer::Close, seconds(1), timeout, {}).verdict, Verdict::Kill);
  FrozenStep keep = frozenStep(Answer::Keep, seconds(1), timeout, {40, 45});
  EXPECT_EQ(keep.verdict, Verdict::Thaw);  // the user's word over the figures
  FrozenStep late = frozenStep(Answer::None, seconds(20), timeout, {5, 3});
  EXPECT_EQ(late.verdict, Verdict::Kill);
  EXPECT_EQ(late.why, "no answer within 20s");
  FrozenStep rising = frozenStep(Answer::None, seconds(3), timeout, {12, 25, 31});
  EXPECT_EQ(rising.verdict, Verdict::Kill);
  EXPECT_NE(rising.why.find("25% then 31%"), std::string::npos) << rising.why;
}

TEST(AskPolicy, PressureStillRisingMeansTwoStalledSecondsNotFalling) {
  EXPECT_FALSE(pressureStillRising({}));
  EXPECT_FALSE(pressureStillRising({50}));  // one second says nothing yet
  EXPECT_TRUE(pressureStillRising({20, 20}));
  EXPECT_FALSE(pressureStillRising({40, 30}));    // falling: freezing is working
  EXPECT_FALSE(pressureStillRising({9, 12}));     // the first under 10%
  EXPECT_TRUE(pressureStillRising({2, 15, 18}));  // only the last two count
}

TEST(AskPolicy, AKeptAppIsSparedUntilItsCoolDownEnds) {
  KeptApps kept;
  TimePoint t0{};
  kept.keep("/a.scope", t0 + std::chrono::minutes(5));
  EXPECT_EQ(kept.keptUntil("/a.scope", t0 + std::chrono::minutes(1)), t0 + std::chrono::minutes(5));
  EXPECT_EQ(kept.keptUntil("/b.scope", t0), std::nullopt);
  EXPECT_EQ(kept.keptUntil("/a.scope", t0 + std::chrono::minutes(5)), std::nullopt);
  EXPECT_EQ(kept.keptUntil("/a.scope", t0), std::nullopt);  // forgotten once over
}

TEST(AskPolicy, AFreezeRecordReadsBackAndABrokenOneSaysWhere) {
  FreezeRecord r{"/user.slice/user-1000.slice/user@1000.service/app.slice/app-x.scope", 4242, 1000, 1764000000000000,
                 "x\nwith a newline"};
  Diagnostics diags;
  auto back = parseFreezeRecord(formatFreezeRecord(r), "frozen-4242", diags);
  ASSERT_TRUE(back) << (diags.empty() ? "" : diags.front().str());
  EXPECT_EQ(back->cgroup, r.cgroup);
  EXPECT_EQ(back->inode, 4242u);
  EXPECT_EQ(back->uid, 1000u);
  EXPECT_EQ(back->frozenAtRealtimeUsec, r.frozenAtRealtimeUsec);
  EXPECT_EQ(back->app, "x with a newline");
  EXPECT_EQ(freezeRecordName(4242), "frozen-4242");

  diags.clear();
  EXPECT_FALSE(parseFreezeRecord("cgroup=/a.scope\ninode=12x\n", "/run/unitoomd/frozen/frozen-12", diags));
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].str(), "/run/unitoomd/frozen/frozen-12:2: inode is not a number: '12x'");
  diags.clear();
  EXPECT_FALSE(parseFreezeRecord("cgroup=/a/../../etc\ninode=1\n", "f", diags));
  EXPECT_EQ(diags.at(0).str(), "f:1: cgroup is not a clean absolute path: '/a/../../etc'");
  diags.clear();
  EXPECT_FALSE(parseFreezeRecord("inode=1\n", "f", diags));
  EXPECT_EQ(diags.at(0).str(), "f: no cgroup= or inode= line");
  diags.clear();
  EXPECT_TRUE(parseFreezeRecord("cgroup=/a.scope\ninode=1\nfuture_key=1\n", "f", diags));  // a newer version's
}
