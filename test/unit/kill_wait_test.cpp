// How a kill finds its unit without asking systemd, and what the daemon
// waits on while a kill is in flight (pure parts), plus the watch itself on
// this machine's real cgroup2 (skipped where it cannot make a cgroup).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>

#include "act/unit_of_cgroup.h"
#include "daemon/kill_watch.h"

using namespace unitoomd;
using namespace std::chrono_literals;

namespace {

struct Units {
  std::map<std::string, std::string> byCgroup;
  UnitOfCgroup of(const std::string& cgroup) const {
    return unitOfCgroup(cgroup, [this](const std::string& c) -> const std::string* {
      auto it = byCgroup.find(c);
      return it == byCgroup.end() ? nullptr : &it->second;
    });
  }
};

const Units kUnits{{{"/system.slice", "system.slice"},
                    {"/system.slice/hog.service", "hog.service"},
                    {"/work.slice", "work.slice"},
                    {"/user.slice/user-1000.slice/user@1000.service", "user@1000.service"}}};

}  // namespace

TEST(UnitOfCgroup, AFollowedUnitsCgroupIsItsOwnWithoutAskingSystemd) {
  auto u = kUnits.of("/system.slice/hog.service");
  EXPECT_EQ(u.kind, UnitOfCgroup::Kind::Unit);
  EXPECT_EQ(u.unit, "hog.service");
}

TEST(UnitOfCgroup, InsideAServiceIsNotAUnitOfItsOwn) {
  auto u = kUnits.of("/system.slice/hog.service/worker/leaf");
  EXPECT_EQ(u.kind, UnitOfCgroup::Kind::Inside);
  EXPECT_EQ(u.unit, "hog.service");
  // a user's units belong to another manager: from the system's side they are inside user@.service
  u = kUnits.of("/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope");
  EXPECT_EQ(u.kind, UnitOfCgroup::Kind::Inside);
  EXPECT_EQ(u.unit, "user@1000.service");
}

TEST(UnitOfCgroup, UnderASliceAnUnreadUnitMayExistSoSystemdIsAsked) {
  EXPECT_EQ(kUnits.of("/work.slice/new.service").kind, UnitOfCgroup::Kind::Unknown);
  EXPECT_EQ(kUnits.of("/work.slice/new.service/child").kind, UnitOfCgroup::Kind::Unknown);
  EXPECT_EQ(kUnits.of("/elsewhere/x").kind, UnitOfCgroup::Kind::Unknown);
  EXPECT_EQ(kUnits.of("/").kind, UnitOfCgroup::Kind::Unknown);
  EXPECT_EQ(kUnits.of("").kind, UnitOfCgroup::Kind::Unknown);
  EXPECT_EQ(kUnits.of("relative/hog.service").kind, UnitOfCgroup::Kind::Unknown);
}

namespace {

// A kill whose deadline the test sets.
class TimedKill : public KillOperation {
 public:
  TimedKill(std::string path, std::optional<TimePoint> deadline)
      : KillOperation(KillTarget{std::move(path), 1}, KillOptions{}, TimePoint{}), deadline_(deadline) {}
  std::optional<TimePoint> nextDeadline() const override { return deadline_; }

 private:
  std::optional<TimePoint> deadline_;
};

}  // namespace

TEST(PlanKillWait, NothingInFlightWaitsOnNothing) {
  auto w = planKillWait({}, TimePoint{} + 5s);
  EXPECT_TRUE(w.victims.empty());
  EXPECT_FALSE(w.wakeAt.has_value());
}

TEST(PlanKillWait, WatchesEveryVictimAndWakesAtTheNearestDeadline) {
  TimePoint now = TimePoint{} + 10s;
  TimedKill a("/a.slice/one.service", now + 300ms), b("/b.slice/two.service", now + 40ms);
  auto w = planKillWait({&a, &b}, now);
  EXPECT_EQ(w.victims, (std::set<std::string>{"/a.slice/one.service", "/b.slice/two.service"}));
  ASSERT_TRUE(w.wakeAt.has_value());
  EXPECT_EQ(*w.wakeAt, now + 40ms);
}

TEST(PlanKillWait, WithoutADeadlineABackstopStillWakesIt) {
  TimePoint now = TimePoint{} + 10s;
  TimedKill a("/a.slice/one.service", std::nullopt), far("/far.service", now + 30s);
  auto w = planKillWait({&a}, now);
  ASSERT_TRUE(w.wakeAt.has_value());
  EXPECT_EQ(*w.wakeAt, now + kKillWaitBackstop);
  w = planKillWait({&far}, now);
  EXPECT_EQ(*w.wakeAt, now + kKillWaitBackstop);  // a missed inotify event costs at most this
}

TEST(KillWatch, ARealCgroupEmptyingWakesItWithoutATimer) {
  auto root = CgroupFs::detectRoot();
  if (!root) GTEST_SKIP() << "needs a cgroup2 hierarchy";
  std::string name = "/unitoomd-test-kill-watch-" + std::to_string(getpid());
  std::string dir = *root + name;
  if (mkdir(dir.c_str(), 0755) != 0) GTEST_SKIP() << "cannot create a cgroup (needs root): " << dir;
  pid_t child = fork();
  if (child == 0) {
    FILE* f = fopen((dir + "/cgroup.procs").c_str(), "w");
    if (f) {
      fprintf(f, "0\n");
      fclose(f);
    }
    execlp("sleep", "sleep", "60", nullptr);
    _exit(127);
  }
  usleep(100 * 1000);
  sd_event* event = nullptr;
  ASSERT_GE(sd_event_new(&event), 0);
  int advances = 0;
  {
    KillWatch watch(event, *root, [&] {
      ++advances;
      sd_event_exit(event, 0);
    });
    KillWait wait;
    wait.victims.insert(name);
    wait.wakeAt = Clock::now() + 30s;  // far: only cgroup.events can wake it in time
    watch.follow(wait);
    EXPECT_EQ(watch.watched(), 1u);
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    TimePoint before = Clock::now();
    sd_event_source* guard = nullptr;  // a test that hangs fails instead
    sd_event_add_time_relative(
        event, &guard, CLOCK_MONOTONIC, 5'000'000, 0,
        [](sd_event_source* s, uint64_t, void*) { return sd_event_exit(sd_event_source_get_event(s), 2); }, nullptr);
    int r = sd_event_loop(event);
    EXPECT_EQ(r, 0) << "woken by the guard timer, not by cgroup.events";
    EXPECT_EQ(advances, 1);
    EXPECT_LT(Clock::now() - before, 1s);
    sd_event_source_unref(guard);
    watch.follow(KillWait{});
    EXPECT_EQ(watch.watched(), 0u);
  }
  sd_event_unref(event);
  rmdir(dir.c_str());
}
