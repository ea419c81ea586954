// Desktop protection's pure parts: which process dies in a terminal or
// session scope, what is protected, whose session a cgroup is, and what the
// user is told.
#include <gtest/gtest.h>

#include "desktop/process_choice.h"
#include "desktop/protection.h"
#include "desktop/session_words.h"
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
  EXPECT_EQ(why, "every process is protected or leads the session (bash (session leader))");
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
  auto [rss, swap] = parseProcStatusMemory("Name:\thog\nVmRSS:\t  2048 kB\nVmSwap:\t     4 kB\n");
  EXPECT_EQ(rss, 2048u * 1024);
  EXPECT_EQ(swap, 4096u);
  EXPECT_EQ(parseProcStatusMemory("Name:\tkthreadd\n"), (std::pair<uint64_t, uint64_t>{0, 0}));
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
  EXPECT_NE(n.body.find("Tabs &lt;b&gt;over&lt;/b&gt; 2G &amp; &lt;a href=\"http://x\"&gt;more&lt;/a&gt;\\xff"), std::string::npos)
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
