// Who may call Reload, SetDryRun or set LogLevel is asked of the bus daemon
// on the event loop (a property setter cannot answer later). A bus daemon
// that does not answer, frozen under the pressure unitoomd is there to
// relieve, must cost the loop a short deadline, not sd-bus's 25 s: the
// caller is then refused, never taken for root.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-id128.h>
#include <unistd.h>

#include <chrono>

#include "bus/owned.h"
#include "bus/served.h"

namespace unitoomd {
namespace {

// A connection whose peer plays a bus daemon: it takes the connection
// (authentication), then never reads or answers again.
struct SilentBusDaemon {
  BusPtr bus, peer;
  SilentBusDaemon() {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) < 0) return;
    sd_bus *ours = nullptr, *theirs = nullptr;
    sd_id128_t id;
    if (sd_bus_new(&ours) < 0 || sd_bus_new(&theirs) < 0 || sd_id128_randomize(&id) < 0) {
      sd_bus_unref(ours);
      sd_bus_unref(theirs);
      close(fds[0]);
      close(fds[1]);
      return;
    }
    bus.reset(ours);
    peer.reset(theirs);
    if (sd_bus_set_fd(ours, fds[0], fds[0]) < 0 || sd_bus_set_fd(theirs, fds[1], fds[1]) < 0 ||
        sd_bus_set_server(theirs, 1, id) < 0 || sd_bus_set_anonymous(theirs, 1) < 0 || sd_bus_start(theirs) < 0 ||
        sd_bus_start(ours) < 0) {
      bus.reset();
      return;
    }
    for (int i = 0; i < 5000 && sd_bus_is_ready(ours) <= 0; ++i) {
      sd_bus_process(theirs, nullptr);
      sd_bus_process(ours, nullptr);
      usleep(1000);
    }
    if (sd_bus_is_ready(ours) <= 0) bus.reset();
  }
};

TEST(SenderUid, ABusDaemonThatDoesNotAnswerCostsTheDeadlineAndRefuses) {
  SilentBusDaemon daemon;
  ASSERT_TRUE(daemon.bus) << "could not set up a connection over a socket pair";
  auto start = std::chrono::steady_clock::now();
  uid_t uid = busDaemonUidOf(daemon.bus.get(), ":1.42", kSenderUidTimeoutUsec);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(uid, static_cast<uid_t>(-1)) << "an unanswered question is no uid, least of all root's";
  // sd-bus's default method call timeout is 25 s; the deadline is 200 ms.
  EXPECT_LT(took, std::chrono::seconds(5)) << "the loop waited on the bus daemon past the deadline";
  EXPECT_GE(took, std::chrono::microseconds(kSenderUidTimeoutUsec / 2)) << "gave up without asking";
}

TEST(SenderUid, NoConnectionOrSenderIsNoUid) {
  EXPECT_EQ(busDaemonUidOf(nullptr, ":1.1", kSenderUidTimeoutUsec), static_cast<uid_t>(-1));
  SilentBusDaemon daemon;
  ASSERT_TRUE(daemon.bus);
  EXPECT_EQ(busDaemonUidOf(daemon.bus.get(), nullptr, kSenderUidTimeoutUsec), static_cast<uid_t>(-1));
}

}  // namespace
}  // namespace unitoomd
