// Against this machine's real cgroup2: skipped (with the reason) where the
// kernel or the privileges do not allow it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "act/cgroup_killer.h"
#include "observe/parsers.h"

using namespace unitoomd;

namespace {

struct RealCgroup {
  std::string root, name, path;
  bool ok = false;
  RealCgroup() {
    auto r = CgroupFs::detectRoot();
    if (!r) return;
    root = *r;
    name = "unitoomd-test-killer-" + std::to_string(getpid());
    path = root + "/" + name;
    ok = mkdir(path.c_str(), 0755) == 0;
  }
  ~RealCgroup() {
    if (ok) rmdir(path.c_str());
  }
  pid_t spawnSleeper() {
    pid_t pid = fork();
    if (pid == 0) {
      FILE* f = fopen((path + "/cgroup.procs").c_str(), "w");
      if (f) {
        fprintf(f, "0\n");
        fclose(f);
      }
      execlp("sleep", "sleep", "60", nullptr);
      _exit(127);
    }
    return pid;
  }
};

}  // namespace

TEST(CgroupKiller, KillsEverythingInARealCgroupAndRecordsTheKillForSystemd) {
  RealCgroup cg;
  if (!cg.ok) GTEST_SKIP() << "needs a writable cgroup2 hierarchy (root, cgroup2 mounted)";
  pid_t a = cg.spawnSleeper(), b = cg.spawnSleeper();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CgroupFs fs(cg.root);
  auto dir = fs.open("/" + cg.name);
  ASSERT_TRUE(dir);
  auto procs = parsePids(dir->read("cgroup.procs").data);
  ASSERT_TRUE(procs);
  ASSERT_EQ(procs->size(), 2u) << "could not move test processes into " << cg.path;

  CgroupKiller killer;
  auto start = Clock::now();
  auto op = killer.start(fs, KillTarget{dir->path(), dir->inode()}, KillOptions{}, start);
  ASSERT_NE(op->state(), KillState::Failed) << op->error();
  EXPECT_EQ(op->processes(), 2);
  int status = 0;
  ASSERT_EQ(waitpid(a, &status, 0), a);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  ASSERT_EQ(waitpid(b, &status, 0), b);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  auto ooms = dir->getXattr("user.oomd_ooms");
  if (ooms) {  // cgroupfs supports user xattrs since 5.7
    EXPECT_EQ(*ooms, "1");
    EXPECT_EQ(dir->getXattr("user.oomd_kill").value_or(""), "2");
  }
  // Reaped: the operation now confirms the victim is gone.
  EXPECT_EQ(op->poll(fs, Clock::now()), KillState::Done);
}

TEST(CgroupKiller, AVictimThatDoesNotDieFailsAfterTheConfirmTimeout) {
  RealCgroup cg;
  if (!cg.ok) GTEST_SKIP() << "needs a writable cgroup2 hierarchy (root, cgroup2 mounted)";
  pid_t a = cg.spawnSleeper();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CgroupFs fs(cg.root);
  auto dir = fs.open("/" + cg.name);
  ASSERT_TRUE(dir);
  CgroupKiller killer;
  auto t0 = Clock::now();
  auto op = killer.start(fs, KillTarget{dir->path(), dir->inode()}, KillOptions{}, t0);
  int status = 0;
  ASSERT_EQ(waitpid(a, &status, 0), a);
  EXPECT_EQ(op->poll(fs, t0 + std::chrono::milliseconds(1)), KillState::Done);
  // A victim that stays populated (here: a new process after the kill) fails.
  pid_t b = cg.spawnSleeper();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  KillOptions quick;
  quick.confirmTimeout = std::chrono::seconds(1);
  DirectKill stuck(KillTarget{dir->path(), dir->inode()}, quick, t0);
  stuck.killed(t0, "pretend", 1);
  EXPECT_EQ(stuck.poll(fs, t0 + std::chrono::milliseconds(500)), KillState::Pending);
  EXPECT_EQ(stuck.poll(fs, t0 + std::chrono::seconds(2)), KillState::Failed);
  EXPECT_NE(stuck.error().find("still has processes"), std::string::npos) << stuck.error();
  kill(b, SIGKILL);
  waitpid(b, &status, 0);
}

// Its processes exited since the decision (the unit stopped itself): a kill
// of nothing must not end the decision as a kill, or the next candidate is
// never considered; and systemd must not record an oom-kill for it.
TEST(CgroupKiller, AVictimEmptiedSinceTheDecisionIsNotKilledButAnError) {
  RealCgroup cg;
  if (!cg.ok) GTEST_SKIP() << "needs a writable cgroup2 hierarchy (root, cgroup2 mounted)";
  pid_t a = cg.spawnSleeper();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CgroupFs fs(cg.root);
  auto dir = fs.open("/" + cg.name);
  ASSERT_TRUE(dir);
  KillTarget decided{dir->path(), dir->inode()};
  kill(a, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(a, &status, 0), a);
  CgroupKiller killer;
  auto op = killer.start(fs, decided, KillOptions{}, Clock::now());
  EXPECT_EQ(op->state(), KillState::Failed);
  EXPECT_NE(op->error().find("had no processes left"), std::string::npos) << op->error();
  EXPECT_FALSE(dir->getXattr("user.oomd_ooms"));
}

TEST(CgroupKiller, AVanishedCgroupIsAnErrorValueNotACrash) {
  RealCgroup cg;
  if (!cg.ok) GTEST_SKIP() << "needs a writable cgroup2 hierarchy (root, cgroup2 mounted)";
  CgroupFs fs(cg.root);
  auto dir = fs.open("/" + cg.name);
  ASSERT_TRUE(dir);
  ASSERT_EQ(rmdir(cg.path.c_str()), 0);
  cg.ok = false;
  CgroupKiller killer;
  auto op = killer.start(fs, KillTarget{dir->path(), dir->inode()}, KillOptions{}, Clock::now());
  EXPECT_EQ(op->state(), KillState::Failed);
  EXPECT_NE(op->error().find("no longer exists"), std::string::npos) << op->error();
  EXPECT_EQ(dir->read("memory.pressure").status, ReadStatus::Gone);
}
