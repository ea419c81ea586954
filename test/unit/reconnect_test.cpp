#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "event_loop.h"
#include "systemd/reconnect.h"

using namespace unitoomd;
using unitoomd::test::EventLoop;
using unitoomd::test::TempDir;

TEST(BusSocket, TheUnixPathOfAnAddress) {
  EXPECT_EQ(socketPathOfAddress("unix:path=/run/dbus/system_bus_socket"), "/run/dbus/system_bus_socket");
  EXPECT_EQ(socketPathOfAddress("unix:guid=ab12,path=/run/user/1000/bus"), "/run/user/1000/bus");
  EXPECT_EQ(socketPathOfAddress("tcp:host=x,port=1;unix:path=/tmp/b"), "/tmp/b");
  EXPECT_EQ(socketPathOfAddress("unix:abstract=/tmp/dbus-x"), "");
  EXPECT_EQ(socketPathOfAddress(""), "");
  EXPECT_EQ(BusAddress(BusKind::UserSessionOf, 1001).socketPath(), "/run/user/1001/bus");
}

namespace {

void touch(const std::string& path) { std::ofstream(path) << ""; }

}  // namespace

// A machine without the bus (yet) costs no wake-ups: the retry waits on the
// directories along the socket's path, not on a timer, and comes as soon as
// the socket appears.
TEST(Reconnect, AMissingSocketIsAwaitedNotPolled) {
  TempDir tmp;
  const std::string& dir = tmp.path;
  std::string socket = dir + "/run/dbus/bus";
  EventLoop loop;
  int retries = 0;
  Reconnect reconnect(
      loop.event, [&] { ++retries; }, socket);
  reconnect.schedule();
  loop.spin();
  EXPECT_EQ(retries, 0);
  std::filesystem::create_directory(dir + "/run");
  loop.spin();
  std::filesystem::create_directory(dir + "/run/dbus");
  loop.spin();
  touch(dir + "/run/dbus/other");
  loop.spin();
  EXPECT_EQ(retries, 0) << "only the socket itself is worth a retry";
  touch(socket);
  loop.spin();
  EXPECT_EQ(retries, 1);
}

// A socket that exists but refuses (the bus is restarting) is retried on
// the back-off timer, from 1 s.
TEST(Reconnect, AnExistingSocketIsRetriedOnTheBackOff) {
  TempDir tmp;
  const std::string& dir = tmp.path;
  touch(dir + "/bus");
  EventLoop loop;
  int retries = 0;
  Reconnect reconnect(
      loop.event, [&] { ++retries; }, dir + "/bus");
  reconnect.schedule();
  for (int i = 0; i < 15 && retries == 0; ++i) sd_event_run(loop.event, 100000);
  EXPECT_EQ(retries, 1);
}
