// Closes file descriptors away from the event loop. Closing a PSI trigger's
// fd waits for an RCU grace period in the kernel (psi_trigger_destroy calls
// synchronize_rcu): about 10 ms each on the lab host, so dropping 10,000
// triggers (their units stopped, or the daemon exiting) held the loop, or
// the exit, for 107 s. Here closes run on a few threads of their own, which
// wait out their grace periods together. The threads exist only while there
// is something to close.
#pragma once

#include <cstddef>
#include <functional>

#include "util/fd.h"
#include "util/transient_workers.h"

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
  void wait() { workers_.wait(); }
  size_t threads() { return workers_.threads(); }

 private:
  CloseFn closeFn_;
  TransientWorkers<int> workers_;
};

}  // namespace unitoomd
