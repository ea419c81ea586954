// FdCloser: closes never wait on the caller's thread, and all of them are
// done when it says so.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "util/fd_closer.h"

using namespace unitoomd;

namespace {

// A close that waits until the test opens the gate, as a PSI trigger's
// close waits for an RCU grace period.
struct Gate {
  std::mutex m;
  std::condition_variable cv;
  bool open = false;
  std::atomic<int> closed{0};
  void pass(int fd) {
    std::unique_lock lock(m);
    cv.wait(lock, [this] { return open; });
    ::close(fd);
    ++closed;
  }
  void openUp() {
    std::lock_guard lock(m);
    open = true;
    cv.notify_all();
  }
};

UniqueFd anFd() { return UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC)); }
bool isOpen(int fd) { return fcntl(fd, F_GETFD) >= 0; }

}  // namespace

TEST(FdCloser, HandingOverAFdReturnsWhileItsCloseIsStillWaiting) {
  Gate gate;
  FdCloser closer(4, [&](int fd) { gate.pass(fd); });
  std::vector<int> fds;
  for (int i = 0; i < 10; ++i) {
    UniqueFd fd = anFd();
    fds.push_back(fd.get());
    closer.close(std::move(fd));  // a close on this thread would wait here forever
  }
  EXPECT_EQ(gate.closed, 0);
  EXPECT_LE(closer.threads(), 4u);
  gate.openUp();
  closer.wait();
  EXPECT_EQ(gate.closed, 10);
  for (int fd : fds) EXPECT_FALSE(isOpen(fd)) << fd;
}

TEST(FdCloser, TheRealCloseClosesEverythingAndNoThreadOutlivesTheWork) {
  FdCloser closer;
  std::vector<int> fds;
  for (int i = 0; i < 100; ++i) {
    UniqueFd fd = anFd();
    fds.push_back(fd.get());
    closer.close(std::move(fd));
  }
  closer.wait();
  for (int fd : fds) EXPECT_FALSE(isOpen(fd)) << fd;
  EXPECT_EQ(closer.threads(), 0u);
}

TEST(FdCloser, WhatIsStillQueuedAtDestructionIsClosed) {
  Gate gate;
  std::vector<int> fds;
  {
    FdCloser closer(2, [&](int fd) { gate.pass(fd); });
    for (int i = 0; i < 5; ++i) {
      UniqueFd fd = anFd();
      fds.push_back(fd.get());
      closer.close(std::move(fd));
    }
    gate.openUp();
  }
  EXPECT_EQ(gate.closed, 5);
  for (int fd : fds) EXPECT_FALSE(isOpen(fd)) << fd;
}
