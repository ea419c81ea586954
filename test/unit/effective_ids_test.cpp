// The one place the root daemon takes a user's ids (to connect to that
// user's session bus): only while single-threaded, with no group of its own
// left, and every id back afterwards.
#include <gtest/gtest.h>
#include <grp.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "systemd/effective_ids.h"

using namespace unitoomd;

namespace {

constexpr uid_t kUser = 65534;  // nobody
constexpr gid_t kGroup = 65534;

std::vector<gid_t> groups() {
  std::vector<gid_t> g(static_cast<size_t>(getgroups(0, nullptr)));
  if (!g.empty()) getgroups(static_cast<int>(g.size()), g.data());
  return g;
}

}  // namespace

TEST(EffectiveIds, TheUsersIdsAndNoOtherGroupWhileSwitchedThenAllBack) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (switches to uid 65534)";
  // A supplementary group of our own that must not go along.
  std::vector<gid_t> before = groups();
  ASSERT_EQ(setgroups(1, std::vector<gid_t>{4242}.data()), 0);
  {
    auto as = EffectiveIds::take(kUser, kGroup);
    ASSERT_TRUE(as) << as.error().message;
    EXPECT_EQ(geteuid(), kUser);
    EXPECT_EQ(getegid(), kGroup);
    EXPECT_EQ(getuid(), 0u);  // the real uid stays: the way back
    EXPECT_TRUE(groups().empty());
  }
  EXPECT_EQ(geteuid(), 0u);
  EXPECT_EQ(getegid(), 0u);
  EXPECT_EQ(groups(), std::vector<gid_t>{4242});
  setgroups(before.size(), before.data());
}

TEST(EffectiveIds, RefusedWhileAnotherThreadRuns) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  std::atomic<bool> stop{false};
  std::thread other([&] {
    while (!stop) usleep(1000);
  });
  EXPECT_FALSE(EffectiveIds::take(kUser, kGroup));
  EXPECT_EQ(geteuid(), 0u);  // nothing changed
  stop = true;
  other.join();
}

TEST(EffectiveIds, AFailedSwitchChangesNothing) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  {
    auto as = EffectiveIds::take(kUser, kGroup);
    ASSERT_TRUE(as);
    // As nobody, switching to yet another uid is refused.
    EXPECT_FALSE(EffectiveIds::take(1234, 1234));
    EXPECT_EQ(geteuid(), kUser);
    EXPECT_EQ(getegid(), kGroup);
  }
  EXPECT_EQ(geteuid(), 0u);
}

TEST(EffectiveIds, AFailureToSwitchBackAborts) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  // Dropping the real and saved uid while switched leaves no way back.
  EXPECT_DEATH(
      {
        auto as = EffectiveIds::take(kUser, kGroup);
        if (setresuid(kUser, kUser, kUser) != 0) _exit(0);  // as nobody we may still drop what is ours
      },
      "cannot restore");
}
