// Closes file descriptors away from the event loop. Closing a PSI trigger's
// fd waits for an RCU grace period in the kernel (psi_trigger_destroy calls
// synchronize_rcu): about 10 ms each on the lab host, so dropping 10,000
// triggers (their units stopped, or the daemon exiting) held the loop, or
// the exit, for 107 s. Here closes run on a few threads of their own, which
// wait out their grace periods together. The threads exist only while there
// is something to close.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>

#include "util/fd.h"

namespace unitoomd {

class FdCloser {
 public:
  using CloseFn = std::function<void(int)>;
  static constexpr size_t kMaxThreads = 16;

  // closeFn: how one fd is closed (tests pass their own).
  explicit FdCloser(size_t maxThreads = kMaxThreads, CloseFn closeFn = nullptr);
  // Closes what is still queued and waits for it.
  ~FdCloser();
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

  // Never waits for the close itself.
  void close(UniqueFd fd);
  // Returns once every fd handed over so far is closed and its threads are gone.
  void wait();
  size_t threads();

 private:
  struct Worker {
    std::thread thread;
    bool done = false;
  };
  void work(Worker* self);
  void joinDone();  // with mutex_ held

  size_t maxThreads_;
  CloseFn closeFn_;
  std::mutex mutex_;
  std::condition_variable allClosed_;
  std::deque<int> queue_;
  size_t closing_ = 0;  // taken from the queue, not yet closed
  std::list<Worker> workers_;
};

}  // namespace unitoomd
