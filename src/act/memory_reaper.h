// Hands a killed victim's memory back while the kernel tears it down:
// process_mrelease() on each of its processes, on threads of their own.
//
// Why threads: the call returns only when the process's address space is
// unmapped, and a hog with 450 MiB in swap took 1.3 s of that under TCG
// (issue 16); made on the loop it held every sample, reply and kill step
// for as long. Why one thread per process: each call unmaps one address
// space, so a victim of several processes is released in parallel. Why
// "when dying": the kernel refuses a process that has not yet received its
// SIGKILL (EINVAL), and a kill through systemd learns that PID 1 sent it
// only when the reply arrives, which under swap pressure comes late or not
// at all; so each thread asks again every 10 ms from the moment
// the kill is started until the process is dying, gone, or `waitForSignal`
// has passed (the kill failed or was never sent: the process is left be).
//
// The threads exist only while there is something to release (the daemon
// is otherwise single-threaded: see systemd/effective_ids.h).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "util/fd.h"
#include "util/time.h"
#include "util/transient_workers.h"

namespace unitoomd {

class MemoryReaper {
 public:
  // What one process_mrelease() call said.
  enum class Attempt {
    Released,  // its memory is unmapped (or was already)
    NotDying,  // not yet signalled (EINVAL), or the kernel backed off (EAGAIN, EINTR): ask again
    Gone,      // exited and reaped (ESRCH): nothing left to release
    Refused,   // no such call (ENOSYS, before 5.15) or another error: stop
  };
  using ReleaseFn = std::function<Attempt(int pidfd)>;
  static constexpr size_t kMaxThreads = 16;
  static constexpr Duration kRetryEvery = std::chrono::milliseconds(10);

  // releaseFn: one attempt at one process (tests pass their own).
  // What one release() came to, told once its last process is done with
  // (on a reaper thread): the daemon logs it, so a kill's report can be
  // read beside what the kernel let it do.
  struct Summary {
    std::string victim;
    int released = 0, gone = 0, refused = 0, notDying = 0;  // notDying: never signalled within the wait
    int refusedErrno = 0;
    Duration firstReleasedAfter{0};  // from release() to the first call that did release
    Duration took{0};                // from release() to the last process done with
  };
  using SummaryFn = std::function<void(const Summary&)>;

  explicit MemoryReaper(size_t maxThreads = kMaxThreads, ReleaseFn releaseFn = nullptr, Duration retryEvery = kRetryEvery,
                        SummaryFn summaryFn = nullptr);
  // Stops waiting for signals that have not come, lets the calls under way
  // finish, and joins every thread.
  ~MemoryReaper();
  MemoryReaper(const MemoryReaper&) = delete;
  MemoryReaper& operator=(const MemoryReaper&) = delete;

  // Never waits: each pidfd is released on a thread as soon as its process
  // is dying, or dropped after `waitForSignal` (0: only if dying now).
  void release(std::vector<UniqueFd> pidfds, Duration waitForSignal, std::string victim = "");
  // Returns once everything handed over so far is released or given up.
  void wait() { workers_.wait(); }
  size_t threads() { return workers_.threads(); }

  // The daemon's one reaper (its threads joined at exit).
  static MemoryReaper& shared();
  // process_mrelease(pidfd, 0), as an Attempt.
  static Attempt processMrelease(int pidfd);

 private:
  struct Batch {
    Summary summary;
    TimePoint startedAt;
    size_t left = 0;
  };
  struct Job {
    UniqueFd pidfd;
    TimePoint giveUpAt;
    std::shared_ptr<Batch> batch;
  };
  Attempt releaseOne(const Job& job);
  void account(const Job& job, Attempt last);

  ReleaseFn releaseFn_;
  Duration retryEvery_;
  SummaryFn summaryFn_;
  std::mutex summaryMutex_;  // a victim's processes are accounted from several threads
  TransientWorkers<Job> workers_;
};

}  // namespace unitoomd
