#include "util/fd_closer.h"

#include <unistd.h>

#include <system_error>

namespace unitoomd {

FdCloser::FdCloser(size_t maxThreads, CloseFn closeFn)
    : maxThreads_(maxThreads ? maxThreads : 1), closeFn_(closeFn ? std::move(closeFn) : [](int fd) { ::close(fd); }) {}

FdCloser::~FdCloser() {
  wait();
  std::list<Worker> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(workers_);  // list nodes stay where they are: each thread's `self` holds
  }
  for (auto& w : all) w.thread.join();  // a thread not yet started finds the queue empty
}

void FdCloser::close(UniqueFd fd) {
  if (!fd) return;
  std::lock_guard lock(mutex_);
  queue_.push_back(fd.release());
  joinDone();
  // At most a thread per fd waiting or being closed: every live thread takes
  // from the queue until it is empty.
  if (workers_.size() >= maxThreads_ || workers_.size() >= queue_.size() + closing_) return;
  Worker& w = workers_.emplace_back();
  try {
    w.thread = std::thread([this, &w] { work(&w); });
  } catch (const std::system_error&) {
    workers_.pop_back();
    if (workers_.empty()) {  // no thread at all: close here rather than never
      int fd = queue_.back();
      queue_.pop_back();
      closeFn_(fd);
    }
  }
}

void FdCloser::work(Worker* self) {
  std::unique_lock lock(mutex_);
  while (!queue_.empty()) {
    int fd = queue_.front();
    queue_.pop_front();
    ++closing_;
    lock.unlock();
    closeFn_(fd);
    lock.lock();
    --closing_;
  }
  self->done = true;  // joined by the next close() or wait()
  allClosed_.notify_all();
}

void FdCloser::wait() {
  std::unique_lock lock(mutex_);
  // every thread done too: one started late finds nothing left, and is joined here
  allClosed_.wait(lock, [this] {
    if (!queue_.empty() || closing_ > 0) return false;
    for (const auto& w : workers_)
      if (!w.done) return false;
    return true;
  });
  joinDone();
}

size_t FdCloser::threads() {
  std::lock_guard lock(mutex_);
  return workers_.size();
}

void FdCloser::joinDone() {
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (it->done) {
      // done is set under the mutex as the thread's last act on shared state
      it->thread.join();
      it = workers_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace unitoomd
