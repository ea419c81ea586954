// MemoryReaper: process_mrelease() never on the caller's thread, one thread
// per process of the victim, asked again until the process is dying; and
// the victim's memory.high lifted after its SIGKILL, given back if the
// cgroup outlives it.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "act/cgroup_killer.h"
#include "act/memory_high_lift.h"
#include "act/memory_reaper.h"
#include "fixture.h"

using namespace unitoomd;
using namespace std::chrono_literals;
using Attempt = MemoryReaper::Attempt;

namespace {

UniqueFd anFd() { return UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC)); }
std::vector<UniqueFd> fds(int n) {
  std::vector<UniqueFd> v;
  for (int i = 0; i < n; ++i) v.push_back(anFd());
  return v;
}

// Calls that wait until `wanted` of them are under way at once (or a bound
// passes), as a victim's processes are unmapped side by side.
struct Together {
  std::mutex m;
  std::condition_variable cv;
  int inside = 0, most = 0, wanted;
  explicit Together(int n) : wanted(n) {}
  Attempt call() {
    std::unique_lock lock(m);
    most = std::max(most, ++inside);
    cv.notify_all();
    cv.wait_for(lock, 2s, [this] { return most >= wanted; });
    --inside;
    return Attempt::Released;
  }
};

TimePoint at(int s) { return TimePoint(std::chrono::seconds(s)); }

}  // namespace

TEST(MemoryReaper, AReleaseNeverWaitsOnTheCaller) {
  std::mutex m;
  std::condition_variable cv;
  bool open = false;
  std::atomic<int> calls{0};
  std::atomic<bool> onCallersThread{false};
  const auto caller = std::this_thread::get_id();
  MemoryReaper reaper(4, [&](int) {
    if (std::this_thread::get_id() == caller) onCallersThread = true;
    std::unique_lock lock(m);
    cv.wait_for(lock, 2s, [&] { return open; });  // bounded: a release made here fails rather than hangs
    ++calls;
    return Attempt::Released;
  });
  reaper.release(fds(1), 0s);
  EXPECT_FALSE(onCallersThread) << "process_mrelease ran on the caller's thread (the event loop)";
  EXPECT_EQ(calls, 0);
  {
    std::lock_guard lock(m);
    open = true;
  }
  cv.notify_all();
  reaper.wait();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(reaper.threads(), 0u) << "threads live only while there is something to release";
}

TEST(MemoryReaper, EveryProcessOfAVictimIsReleasedAtOnce) {
  Together together(4);
  MemoryReaper reaper(16, [&](int) { return together.call(); });
  reaper.release(fds(4), 0s);
  reaper.wait();
  EXPECT_EQ(together.most, 4) << "one thread per process";
}

TEST(MemoryReaper, AProcessNotYetSignalledIsAskedAgainUntilItIsDying) {
  std::atomic<int> calls{0};
  std::vector<MemoryReaper::Summary> told;
  MemoryReaper reaper(
      4, [&](int) { return ++calls < 4 ? Attempt::NotDying : Attempt::Released; }, 1ms,
      [&](const MemoryReaper::Summary& s) { told.push_back(s); });
  reaper.release(fds(1), 10s, "/system.slice/hog.service");
  reaper.wait();
  EXPECT_EQ(calls, 4);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].victim, "/system.slice/hog.service");
  EXPECT_EQ(told[0].released, 1);
  EXPECT_EQ(told[0].notDying, 0);
}

TEST(MemoryReaper, AProcessNeverSignalledIsLeftAloneAfterTheWait) {
  std::atomic<int> calls{0};
  std::vector<MemoryReaper::Summary> told;
  MemoryReaper reaper(
      4, [&](int) { return ++calls, Attempt::NotDying; }, 1ms, [&](const MemoryReaper::Summary& s) { told.push_back(s); });
  reaper.release(fds(1), 30ms);
  reaper.wait();
  EXPECT_GE(calls, 2);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].notDying, 1);
  EXPECT_EQ(told[0].released, 0);
}

TEST(MemoryReaper, OneSummaryAKillCountsWhatTheKernelSaid) {
  std::atomic<int> n{0};
  std::vector<MemoryReaper::Summary> told;
  MemoryReaper reaper(
      1,
      [&](int) {
        int i = n++;
        return i == 0 ? Attempt::Released : i == 1 ? Attempt::Gone : Attempt::Refused;
      },
      1ms, [&](const MemoryReaper::Summary& s) { told.push_back(s); });
  reaper.release(fds(3), 0s);
  reaper.wait();
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].released, 1);
  EXPECT_EQ(told[0].gone, 1);
  EXPECT_EQ(told[0].refused, 1);
}

// --- memory.high after the signal ------------------------------------------

TEST(MemoryHighLift, OnlyALimitIsLiftedAndGivenBack) {
  EXPECT_EQ(memoryHighLimit("33554432\n").value_or(""), "33554432");
  EXPECT_FALSE(memoryHighLimit("max\n"));
  EXPECT_FALSE(memoryHighLimit(""));
  EXPECT_FALSE(memoryHighLimit("32M"));
}

// The kernel shows what was last written; a fixture file keeps the longer
// old contents behind a shorter write, so the test writes what the kernel
// would show.
TEST(MemoryHighLift, AKilledCgroupRunsWithoutItsLimitUntilItIsEmptyThenGetsItBack) {
  test::FixtureTree tree;
  tree.cgroup("/system.slice/hogB.service",
              {{"cgroup.kill", ""}, {"cgroup.events", "populated 1\nfrozen 0\n"}, {"memory.high", "33554432\n"}});
  CgroupFs fs(tree.cgroupRoot(), tree.procRoot());
  auto dir = fs.open("/system.slice/hogB.service");
  ASSERT_TRUE(dir);
  CgroupKiller killer;
  KillOptions options;
  options.reapMemory = false;
  auto op = killer.start(fs, KillTarget{dir->path(), dir->inode()}, options, at(0));
  ASSERT_NE(op->state(), KillState::Failed) << op->error();
  EXPECT_EQ(dir->read("memory.high").data.substr(0, 3), "max") << "lifted after the signal";
  test::FixtureTree::write(tree.cgroupRoot() + "/system.slice/hogB.service/memory.high", "max\n");

  EXPECT_EQ(op->poll(fs, at(1)), KillState::Pending);
  EXPECT_EQ(dir->read("memory.high").data, "max\n") << "not given back while its processes are still dying";
  tree.cgroup("/system.slice/hogB.service", {{"cgroup.events", "populated 0\nfrozen 0\n"}});
  EXPECT_EQ(op->poll(fs, at(2)), KillState::Done);
  EXPECT_EQ(dir->read("memory.high").data.substr(0, 8), "33554432") << "the cgroup outlived the kill: its limit is back";
}

TEST(MemoryHighLift, ALimitItsOwnerSetAfterTheLiftIsKept) {
  test::FixtureTree tree;
  tree.cgroup("/app", {{"cgroup.kill", ""}, {"cgroup.events", "populated 1\n"}, {"memory.high", "33554432\n"}});
  CgroupFs fs(tree.cgroupRoot(), tree.procRoot());
  auto dir = fs.open("/app");
  ASSERT_TRUE(dir);
  KillOptions options;
  options.reapMemory = false;
  auto op = CgroupKiller().start(fs, KillTarget{dir->path(), dir->inode()}, options, at(0));
  tree.cgroup("/app", {{"memory.high", "67108864\n"}, {"cgroup.events", "populated 0\n"}});
  EXPECT_EQ(op->poll(fs, at(1)), KillState::Done);
  EXPECT_EQ(dir->read("memory.high").data, "67108864\n");
}
