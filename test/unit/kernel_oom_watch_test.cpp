// Kernel OOM kills in watched cgroups are reported once each, with the
// cgroup and its unit; cgroups without memory.events are left alone.
#include <gtest/gtest.h>

#include "daemon/kernel_oom_watch.h"
#include "fixture.h"
#include "util/log.h"

namespace unitoomd {
namespace {
using test::FixtureTree;
using test::psi;

struct Captured {
  std::vector<std::pair<std::string, LogFields>> lines;
  static void capture(LogLevel, const std::string& m, const LogFields& f, void* data) {
    static_cast<Captured*>(data)->lines.emplace_back(m, f);
  }
};

std::string field(const LogFields& f, const std::string& key) {
  for (const auto& [k, v] : f)
    if (k == key) return v;
  return "";
}

TEST(KernelOomWatch, ReportsEachGrowthOfOomKillWithItsUnit) {
  FixtureTree t;
  t.cgroup("/work.slice", {{"memory.events", "low 0\nhigh 3\nmax 1\noom 1\noom_kill 0\n"}});
  t.cgroup("/nomem.slice", {{"memory.pressure", psi(0, 0, 0)}});
  CgroupFs fs(t.cgroupRoot(), t.procRoot());
  sd_event* event = nullptr;
  ASSERT_GE(sd_event_new(&event), 0);
  Captured cap;
  setLogCapture(&Captured::capture, &cap);
  {
    KernelOomWatch watch(event, [](const std::string& cg) { return cg == "/work.slice" ? "work.slice" : ""; });
    watch.watch(fs, {"/", "/work.slice", "/nomem.slice"});
    watch.check();
    EXPECT_TRUE(cap.lines.empty()) << "nothing grew yet";
    FixtureTree::write(t.cgroupRoot() + "/work.slice/memory.events", "low 0\nhigh 3\nmax 4\noom 2\noom_kill 2\n");
    watch.check();
    watch.check();  // reported once, not on every look
    ASSERT_EQ(cap.lines.size(), 1u);
    EXPECT_EQ(cap.lines[0].first, "The kernel's OOM killer killed 2 process(es) in /work.slice (work.slice)");
    EXPECT_EQ(field(cap.lines[0].second, "MESSAGE_ID"), "cb471c83470e4fc385ff08d18b17d334");
    EXPECT_EQ(field(cap.lines[0].second, "UNIT"), "work.slice");
    EXPECT_EQ(field(cap.lines[0].second, "UNITOOMD_KERNEL_OOM_KILLS"), "2");
    watch.watch(fs, {});  // no longer watched: no report
    FixtureTree::write(t.cgroupRoot() + "/work.slice/memory.events", "oom_kill 5\n");
    watch.check();
    EXPECT_EQ(cap.lines.size(), 1u);
  }
  setLogCapture(nullptr, nullptr);
  sd_event_unref(event);
}

// The idle sample's backstop reads the counters once in ten minutes, not at
// every idle sample (1,000 units' memory.events each time).
TEST(KernelOomWatch, TheBackstopReadsEveryCounterOnceInItsPeriod) {
  FixtureTree t;
  t.cgroup("/work.slice", {{"memory.events", "oom 0\noom_kill 0\n"}});
  CgroupFs fs(t.cgroupRoot(), t.procRoot());
  sd_event* event = nullptr;
  ASSERT_GE(sd_event_new(&event), 0);
  Captured cap;
  setLogCapture(&Captured::capture, &cap);
  {
    KernelOomWatch watch(event, [](const std::string&) { return ""; });
    watch.watch(fs, {"/work.slice"});
    watch.checkIfDue(test::at(0));
    FixtureTree::write(t.cgroupRoot() + "/work.slice/memory.events", "oom 1\noom_kill 1\n");
    watch.checkIfDue(test::at(30));
    EXPECT_TRUE(cap.lines.empty()) << "read again 30 s later";
    watch.checkIfDue(test::at(600));
    EXPECT_EQ(cap.lines.size(), 1u) << "ten minutes on, the backstop reads";
  }
  setLogCapture(nullptr, nullptr);
  sd_event_unref(event);
}

// Without the memory controller in the hierarchy (a hybrid layout) no
// cgroup has memory.events: none is opened to look (here one has it, a
// fixture the kernel would not give, and is still not watched).
TEST(KernelOomWatch, NothingIsWatchedWhereTheHierarchyHasNoMemoryController) {
  FixtureTree t;
  t.cgroup("/", {{"cgroup.controllers", "hugetlb\n"}});
  t.cgroup("/work.slice", {{"memory.events", "oom 0\noom_kill 0\n"}});
  CgroupFs fs(t.cgroupRoot(), t.procRoot());
  sd_event* event = nullptr;
  ASSERT_GE(sd_event_new(&event), 0);
  Captured cap;
  setLogCapture(&Captured::capture, &cap);
  {
    KernelOomWatch watch(event, [](const std::string&) { return ""; });
    watch.watch(fs, {"/work.slice"});
    FixtureTree::write(t.cgroupRoot() + "/work.slice/memory.events", "oom 1\noom_kill 1\n");
    watch.check();
    EXPECT_TRUE(cap.lines.empty());
  }
  setLogCapture(nullptr, nullptr);
  sd_event_unref(event);
}

TEST(KernelOomWatch, TellsWhoeverAsksOfEachKillSoAUsersSessionHearsOfIt) {
  FixtureTree t;
  t.cgroup("/user.slice/user-1000.slice/user@1000.service", {{"memory.events", "oom 0\noom_kill 0\n"}});
  CgroupFs fs(t.cgroupRoot(), t.procRoot());
  sd_event* event = nullptr;
  ASSERT_GE(sd_event_new(&event), 0);
  std::vector<std::pair<std::string, uint64_t>> told;
  {
    KernelOomWatch watch(
        event, [](const std::string&) { return std::string("user@1000.service"); },
        [&](const std::string& cg, const std::string& unit, uint64_t died) {
          EXPECT_EQ(unit, "user@1000.service");
          told.emplace_back(cg, died);
        });
    watch.watch(fs, {"/user.slice/user-1000.slice/user@1000.service"});
    watch.check();
    FixtureTree::write(t.cgroupRoot() + "/user.slice/user-1000.slice/user@1000.service/memory.events", "oom 1\noom_kill 1\n");
    watch.check();
    watch.check();
  }
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0], (std::pair<std::string, uint64_t>{"/user.slice/user-1000.slice/user@1000.service", 1}));
  sd_event_unref(event);
}

}  // namespace
}  // namespace unitoomd
