#include "act/memory_reaper.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

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
    : maxThreads_(maxThreads ? maxThreads : 1),
      releaseFn_(releaseFn ? std::move(releaseFn) : ReleaseFn(processMrelease)),
      retryEvery_(retryEvery),
      summaryFn_(std::move(summaryFn)) {}

MemoryReaper::~MemoryReaper() {
  std::list<Worker> all;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
    all.swap(workers_);  // list nodes stay where they are: each thread's `self` holds
  }
  changed_.notify_all();
  for (auto& w : all) w.thread.join();
}

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
  std::lock_guard lock(mutex_);
  if (stopping_) return;
  for (auto& fd : pidfds)
    if (fd) {
      queue_.push_back(Job{std::move(fd), giveUpAt, batch});
      ++batch->left;
    }
  joinDone();
  // A thread per process being released, up to maxThreads_: every live
  // thread takes from the queue until it is empty.
  while (workers_.size() < maxThreads_ && workers_.size() < queue_.size() + releasing_) {
    Worker& w = workers_.emplace_back();
    try {
      w.thread = std::thread([this, &w] { work(&w); });
    } catch (const std::system_error&) {
      workers_.pop_back();
      // No thread at all: the memory comes back when the victims finish
      // exiting, as it would without process_mrelease; never on the loop.
      if (workers_.empty()) queue_.clear();
      break;
    }
  }
}

void MemoryReaper::work(Worker* self) {
  std::unique_lock lock(mutex_);
  while (!queue_.empty() && !stopping_) {
    Job job = std::move(queue_.front());
    queue_.pop_front();
    ++releasing_;
    lock.unlock();
    Attempt last = releaseOne(job);
    lock.lock();
    account(job, last);
    --releasing_;
  }
  self->done = true;  // joined by the next release() or wait()
  changed_.notify_all();
}

MemoryReaper::Attempt MemoryReaper::releaseOne(const Job& job) {
  for (;;) {
    Attempt a = releaseFn_(job.pidfd.get());
    if (a != Attempt::NotDying) return a;
    std::unique_lock lock(mutex_);
    if (stopping_ || Clock::now() >= job.giveUpAt) return a;
    changed_.wait_for(lock, retryEvery_, [this] { return stopping_; });
  }
}

void MemoryReaper::account(const Job& job, Attempt last) {
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

void MemoryReaper::wait() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] {
    if (!queue_.empty() || releasing_ > 0) return false;
    for (const auto& w : workers_)
      if (!w.done) return false;
    return true;
  });
  joinDone();
}

size_t MemoryReaper::threads() {
  std::lock_guard lock(mutex_);
  return workers_.size();
}

void MemoryReaper::joinDone() {
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (it->done) {
      it->thread.join();
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace unitoomd
