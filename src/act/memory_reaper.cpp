#include "act/memory_reaper.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/log.h"

#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif

namespace unitoomd {
namespace {
// The errno of this thread's last refused call, for the summary.
thread_local int lastErrno = 0;
}  // namespace

MemoryReaper::MemoryReaper(size_t maxThreads, ReleaseFn releaseFn, Duration retryEvery, SummaryFn summaryFn)
    : releaseFn_(releaseFn ? std::move(releaseFn) : ReleaseFn(processMrelease)),
      retryEvery_(retryEvery),
      summaryFn_(std::move(summaryFn)),
      workers_(maxThreads, [this](Job& job) { account(job, releaseOne(job)); }) {}

// The workers drop what is queued, wake the jobs waiting for a signal and
// join; their destructor does it all.
MemoryReaper::~MemoryReaper() = default;

MemoryReaper::Attempt MemoryReaper::processMrelease(int pidfd) {
  if (syscall(SYS_process_mrelease, pidfd, 0) == 0) return Attempt::Released;
  lastErrno = errno;
  switch (errno) {
    case EINVAL:  // not dying yet (or flags: we pass none)
    case EAGAIN:  // the kernel could not unmap everything this time
    case EINTR: return Attempt::NotDying;
    case ESRCH: return Attempt::Gone;
    default: return Attempt::Refused;
  }
}

MemoryReaper& MemoryReaper::shared() {
  // Logged from a reaper thread: the log writes one datagram or one line.
  static MemoryReaper reaper(kMaxThreads, nullptr, kRetryEvery, [](const Summary& s) {
    auto ms = [](Duration d) { return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()); };
    LOG_INFO(
        "process_mrelease for %s: %d released (the first %lld ms after the kill started, the last done after %lld ms), "
        "%d already gone, %d not signalled in time, %d refused%s%s",
        s.victim.c_str(), s.released, ms(s.firstReleasedAfter), ms(s.took), s.gone, s.notDying, s.refused, s.refused ? ": " : "",
        s.refused ? strerror(s.refusedErrno) : "");
  });
  return reaper;
}

void MemoryReaper::release(std::vector<UniqueFd> pidfds, Duration waitForSignal, std::string victim) {
  TimePoint now = Clock::now(), giveUpAt = now + waitForSignal;
  auto batch = std::make_shared<Batch>();
  batch->summary.victim = std::move(victim);
  batch->startedAt = now;
  std::vector<Job> jobs;
  for (auto& fd : pidfds)
    if (fd) jobs.push_back(Job{std::move(fd), giveUpAt, batch});
  batch->left = jobs.size();
  // A thread per process being released, up to the cap. With no thread at
  // all the memory comes back when the victims finish exiting, as it would
  // without process_mrelease; never on the loop.
  workers_.post(std::move(jobs));
}

MemoryReaper::Attempt MemoryReaper::releaseOne(const Job& job) {
  for (;;) {
    Attempt a = releaseFn_(job.pidfd.get());
    if (a != Attempt::NotDying || Clock::now() >= job.giveUpAt) return a;
    if (!workers_.pause(retryEvery_)) return a;  // the daemon is exiting
  }
}

void MemoryReaper::account(const Job& job, Attempt last) {
  std::lock_guard lock(summaryMutex_);
  Summary& s = job.batch->summary;
  Duration since = std::chrono::duration_cast<Duration>(Clock::now() - job.batch->startedAt);
  switch (last) {
    case Attempt::Released:
      if (s.released++ == 0) s.firstReleasedAfter = since;
      break;
    case Attempt::Gone: ++s.gone; break;
    case Attempt::NotDying: ++s.notDying; break;
    case Attempt::Refused:
      ++s.refused;
      s.refusedErrno = lastErrno;
      break;
  }
  if (--job.batch->left == 0 && summaryFn_) {
    s.took = since;
    summaryFn_(s);
  }
}

}  // namespace unitoomd
