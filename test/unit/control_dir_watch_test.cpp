#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "event_loop.h"
#include "systemd/control_dir_watch.h"

using namespace unitoomd;
using unitoomd::test::EventLoop;
using unitoomd::test::TempDir;
namespace fs = std::filesystem;

TEST(ControlDirs, UnitOfADropInDirectory) {
  EXPECT_EQ(unitOfDropInDir("pick.slice.d"), "pick.slice");
  EXPECT_EQ(unitOfDropInDir("user@1001.service.d"), "user@1001.service");
  EXPECT_EQ(unitOfDropInDir("pick.slice"), "");
  EXPECT_EQ(unitOfDropInDir("notaunit.d"), "");
  EXPECT_EQ(unitOfDropInDir(".d"), "");
  EXPECT_EQ(userControlDirsOf(1001).back(), "/run/user/1001/systemd/user.control");
}

namespace {

void write(const std::string& path) { std::ofstream(path) << "[Slice]\nManagedOOMMemoryPressure=kill\n"; }

}  // namespace

// What `systemctl set-property` does to the file system, step by step,
// starting on a machine where no control directory was ever made.
TEST(ControlDirWatch, TellsWhichUnitASettingWasWrittenFor) {
  TempDir tmp;
  const std::string& root = tmp.path;
  std::string control = root + "/etc/systemd/system.control";
  EventLoop loop;
  std::vector<std::string> seen;
  ControlDirWatch watch(loop.event, {control}, [&](const std::string& unit) { seen.push_back(unit); });
  EXPECT_EQ(watch.watches(), 1u) << "the nearest existing directory is awaited";
  fs::create_directories(root + "/etc/systemd");
  loop.spin();
  fs::create_directory(control);
  loop.spin();
  EXPECT_TRUE(seen.empty());
  fs::create_directory(control + "/pick.slice.d");
  write(control + "/pick.slice.d/50-ManagedOOMMemoryPressure.conf");
  loop.spin();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), "pick.slice");
  seen.clear();
  write(control + "/pick.slice.d/50-ManagedOOMMemoryPressureLimit.conf");
  loop.spin();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], "pick.slice");
  seen.clear();
  fs::create_directory(control + "/not-a-unit");
  write(control + "/not-a-unit/x.conf");
  loop.spin();
  EXPECT_TRUE(seen.empty());
  // `systemctl revert` removes the directory; a later set-property makes it again
  fs::remove_all(control);
  loop.spin();
  fs::create_directories(control + "/other.service.d");  // all of it before the watch could see a step
  write(control + "/other.service.d/50-ManagedOOMSwap.conf");
  loop.spin();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), "other.service");
}
