// Cgroup files kept open between samples (observe/kept_files.h): what a
// sample reads through them is what the file says now, of the cgroup that
// has the name now, and what they hold stays bounded.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/context.h"
#include "engine/history.h"
#include "observe/cgroup_fs.h"
#include "observe/kept_files.h"
#include "fixture.h"

using namespace unitoomd;
using namespace unitoomd::test;

namespace {

std::string psi(uint64_t someTotal) {
  return "some avg10=1.00 avg60=0.00 avg300=0.00 total=" + std::to_string(someTotal) +
         "\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
}

// The `some` total that one sample reads of each cgroup of `pattern`.
std::vector<uint64_t> someTotals(const CgroupFs& fs, History& history, const std::string& pattern) {
  SampleContext ctx(fs, history, Clock::now());
  std::vector<uint64_t> out;
  for (CgroupView* cg : ctx.resolveOne(pattern)) {
    const Psi* p = cg->pressure(Resource::Memory);
    out.push_back(p ? p->some.totalUsec : UINT64_MAX);
  }
  return out;
}

// /work.slice/a, read once by a sample: its `some` total was 100.
struct OneCgroupRead {
  FixtureTree tree;
  CgroupFs fs{(tree.cgroup("/work.slice/a", {{"memory.pressure", psi(100)}}), tree.cgroupRoot()), tree.procRoot()};
  History history;
  OneCgroupRead() { EXPECT_EQ(someTotals(fs, history, "/work.slice/*"), std::vector<uint64_t>{100}); }
};

}  // namespace

TEST(KeptFiles, AKeptFileIsReadAgainFromItsStartAtEachSample) {
  OneCgroupRead once;
  auto& [tree, fs, history] = once;
  ASSERT_EQ(fs.keptFiles().size(), 1u) << "the file was not kept open";
  FixtureTree::write(tree.cgroupRoot() + "/work.slice/a/memory.pressure", psi(2500));  // same inode, new text
  EXPECT_EQ(someTotals(fs, history, "/work.slice/*"), std::vector<uint64_t>{2500});
}

TEST(KeptFiles, ACgroupRecreatedUnderItsNameIsReadAsTheNewOne) {
  OneCgroupRead once;
  auto& [tree, fs, history] = once;
  // The old file stays readable through its kept fd on a fixture (a real
  // cgroup's reads ENODEV): only the inode tells the two apart.
  tree.recreate("/work.slice/a", {{"memory.pressure", psi(7)}});
  EXPECT_EQ(someTotals(fs, history, "/work.slice/*"), std::vector<uint64_t>{7});
  // a literal path, opened by name, is the new one too
  SampleContext ctx(fs, history, Clock::now());
  const Psi* p = ctx.cgroup("/work.slice/a")->pressure(Resource::Memory);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->some.totalUsec, 7u);
}

TEST(KeptFiles, PastTheBudgetFilesAreReadWithoutBeingKept) {
  FixtureTree tree;
  for (int i = 0; i < 5; ++i) tree.cgroup("/work.slice/c" + std::to_string(i), {{"memory.pressure", psi(10 + i)}});
  CgroupFs fs(tree.cgroupRoot(), tree.procRoot());
  fs.keptFiles().setBudget(2);
  History history;
  for (int sample = 0; sample < 3; ++sample) {
    EXPECT_EQ(someTotals(fs, history, "/work.slice/*"), (std::vector<uint64_t>{10, 11, 12, 13, 14}));
    EXPECT_EQ(fs.keptFiles().size(), 2u);
  }
}

TEST(KeptFiles, FilesNoSampleReadsAnyMoreAreClosed) {
  FixtureTree tree;
  tree.cgroup("/work.slice/a", {{"memory.pressure", psi(1)}});
  tree.cgroup("/work.slice/b", {{"memory.pressure", psi(2)}});
  CgroupFs fs(tree.cgroupRoot(), tree.procRoot());
  History history;
  someTotals(fs, history, "/work.slice/*");
  ASSERT_EQ(fs.keptFiles().size(), 2u);
  // the rules now read only b (a calmed, or it went)
  for (uint64_t i = 0; i < 2 * KeptFiles::kIdleSamples; ++i) someTotals(fs, history, "/work.slice/b");
  EXPECT_EQ(fs.keptFiles().size(), 1u);
  for (uint64_t i = 0; i < 2 * KeptFiles::kIdleSamples; ++i) SampleContext idle(fs, history, Clock::now());
  EXPECT_EQ(fs.keptFiles().size(), 0u);
}

// The kernel's side: a kept fd of a removed cgroup reads ENODEV, which is
// "gone", not a failure; the cgroup made again under the name is read anew.
TEST(KeptFiles, OnRealCgroupsARemovedCgroupIsGoneAndItsSuccessorIsRead) {
  auto root = CgroupFs::detectRoot();
  if (!root) GTEST_SKIP() << "no cgroup2 hierarchy mounted";
  std::string parent = *root + "/unitoomd-kept-files-" + std::to_string(getpid());
  if (mkdir(parent.c_str(), 0755) != 0) GTEST_SKIP() << "cannot create cgroups under " << *root << ": " << strerror(errno);
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      rmdir((dir + "/a").c_str());
      rmdir(dir.c_str());
    }
  } cleanup{parent};
  ASSERT_EQ(mkdir((parent + "/a").c_str(), 0755), 0);
  if (access((parent + "/a/memory.pressure").c_str(), F_OK) != 0) GTEST_SKIP() << "kernel without PSI (no memory.pressure)";
  CgroupFs fs(*root);
  History history;
  std::string pattern = parent.substr(root->size()) + "/*";
  {
    SampleContext ctx(fs, history, Clock::now());
    auto views = ctx.resolveOne(pattern);
    ASSERT_EQ(views.size(), 1u);
    ASSERT_TRUE(views[0]->pressure(Resource::Memory));
  }
  ASSERT_EQ(fs.keptFiles().size(), 1u);
  {
    SampleContext ctx(fs, history, Clock::now());
    auto views = ctx.resolveOne(pattern);
    ASSERT_EQ(views.size(), 1u);
    ASSERT_EQ(rmdir((parent + "/a").c_str()), 0);  // removed between the listing and the read
    EXPECT_EQ(views[0]->pressure(Resource::Memory), nullptr);
    EXPECT_TRUE(views[0]->gone());
    EXPECT_EQ(fs.keptFiles().size(), 0u) << "the fd of the removed cgroup was kept";
  }
  ASSERT_EQ(mkdir((parent + "/a").c_str(), 0755), 0);
  SampleContext ctx(fs, history, Clock::now());
  auto views = ctx.resolveOne(pattern);
  ASSERT_EQ(views.size(), 1u);
  EXPECT_TRUE(views[0]->pressure(Resource::Memory));
  EXPECT_FALSE(views[0]->gone());
}

// Every unit with a pressure rule holds a PSI trigger's fd as long as the
// daemon runs: with 10,000 of them, half of this host's hard limit (20,000)
// for kept files passed the limit ("Too many open files" at 10,000 units).
// The kept files get half of what the triggers leave.
TEST(KeptFiles, TheBudgetIsHalfOfWhatLongLivedFdsLeaveOfTheLimit) {
  EXPECT_EQ(KeptFiles::budgetFor(20000, 0), 10000u);
  EXPECT_EQ(KeptFiles::budgetFor(20000, 10001), 4999u);
  EXPECT_EQ(KeptFiles::budgetFor(1024, 2000), 0u) << "more triggers than the limit: nothing kept";
  EXPECT_EQ(KeptFiles::budgetFor(524288, 10000), KeptFiles::kMaxBudget);
}

// A hybrid layout binds the memory controller to cgroup v1: the cgroup2
// root lists its controllers without memory, and no cgroup of it has
// memory.current or memory.stat. A sample does not open each cgroup to find
// them missing again (10,000 cgroups: 40,000 syscalls a sample for
// nothing); PSI's memory.pressure is read as ever. The files below claim
// what the kernel would never show there: were they read, they would count.
TEST(KeptFiles, MemoryFilesAreNotLookedForWhereTheHierarchyHasNoMemoryController) {
  FixtureTree tree;
  tree.cgroup("/", {{"cgroup.controllers", "cpu io hugetlb pids\n"}});
  tree.cgroup("/w", {{"memory.pressure", psi(7)}, {"memory.current", "4096\n"}, {"memory.stat", "pgscan 5\n"}});
  CgroupFs fs(tree.cgroupRoot(), tree.procRoot());
  History history;
  SampleContext ctx(fs, history, Clock::now());
  CgroupView* w = ctx.cgroup("/w");
  ASSERT_TRUE(w);
  EXPECT_FALSE(w->memoryCurrent());
  EXPECT_FALSE(w->memoryStat());
  ASSERT_TRUE(w->pressure(Resource::Memory));
  EXPECT_EQ(w->pressure(Resource::Memory)->some.totalUsec, 7u);

  tree.cgroup("/", {{"cgroup.controllers", "cpu io memory pids\n"}});
  CgroupFs withMemory(tree.cgroupRoot(), tree.procRoot());
  SampleContext ctx2(withMemory, history, Clock::now());
  EXPECT_EQ(ctx2.cgroup("/w")->memoryCurrent(), std::optional<uint64_t>(4096));
  ASSERT_TRUE(ctx2.cgroup("/w")->memoryStat());
}

// A sample looks cgroups up by path thousands of times (every unit ruleset
// its parent): a path already in normal form is used as it is, and every
// other form still comes out the same.
TEST(CgroupPaths, NormalPathsAreKeptAndOthersNormalized) {
  for (const char* p : {"/", "/a", "/a.slice/b.service", "/a/.b"}) {
    EXPECT_TRUE(CgroupFs::isNormal(p)) << p;
    EXPECT_EQ(CgroupFs::normalize(p), p);
  }
  for (const char* p : {"", "a", "/a/", "//a", "/a//b", "/./a", "/a/.", "/a/./b"}) EXPECT_FALSE(CgroupFs::isNormal(p)) << p;
  EXPECT_EQ(CgroupFs::normalize("a/b/"), "/a/b");
  EXPECT_EQ(CgroupFs::normalize("/a/./b//c"), "/a/b/c");
  EXPECT_EQ(CgroupFs::normalize(""), "/");
}

// A sample that reads thousands of cgroups must not hold an fd for each
// until its end: beside 10,000 PSI triggers and the kept files, 10,000
// directories held through a sample passed this host's hard limit (20,000).
// Files past the budget are opened below the cgroup's directory, read and
// closed, and so is the directory.
TEST(KeptFiles, ASampleHoldsNoDirectoryForEachCgroupItReads) {
  FixtureTree tree;
  for (int i = 0; i < 50; ++i) tree.cgroup("/work.slice/c" + std::to_string(i), {{"memory.pressure", psi(i)}});
  CgroupFs fs(tree.cgroupRoot(), tree.procRoot());
  fs.keptFiles().setBudget(10);
  History history;
  auto openFds = [] {
    size_t n = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
    return n;
  };
  size_t before = openFds();
  SampleContext ctx(fs, history, Clock::now());
  for (CgroupView* cg : ctx.resolveOne("/work.slice/*")) ASSERT_TRUE(cg->pressure(Resource::Memory));
  EXPECT_LE(openFds(), before + 10) << "the 10 kept files, no directory";
}
