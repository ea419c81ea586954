// A few threads that exist only while there is work: jobs are queued and
// taken by up to `maxThreads` threads, each of which ends when the queue is
// empty. Used where a kernel call blocks for long and must stay off the
// event loop (closing PSI triggers, process_mrelease) in a daemon that is
// otherwise single-threaded: idle, it has no threads at all.
//
// A finished thread is joined by the next post() or wait(), never by itself.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace unitoomd {

template <class Job>
class TransientWorkers {
 public:
  // Runs on a worker thread, without the pool's lock held.
  using Handle = std::function<void(Job&)>;

  TransientWorkers(size_t maxThreads, Handle handle) : maxThreads_(maxThreads ? maxThreads : 1), handle_(std::move(handle)) {}
  // Drops what is still queued, wakes every pause(), lets the jobs under way
  // finish and joins every thread. Call wait() first to finish the queue.
  ~TransientWorkers() {
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
  TransientWorkers(const TransientWorkers&) = delete;
  TransientWorkers& operator=(const TransientWorkers&) = delete;

  // Never waits for a job. Returns the jobs no thread will take: all of
  // them when no thread could be started and none is alive (normally none).
  std::vector<Job> post(std::vector<Job> jobs) {
    std::vector<Job> unserved;
    std::lock_guard lock(mutex_);
    if (stopping_) return jobs;
    for (auto& job : jobs) queue_.push_back(std::move(job));
    joinDone();
    // At most a thread per job queued or under way: every live thread takes
    // from the queue until it is empty.
    while (workers_.size() < maxThreads_ && workers_.size() < queue_.size() + working_) {
      Worker& w = workers_.emplace_back();
      try {
        w.thread = std::thread([this, &w] { work(&w); });
      } catch (const std::system_error&) {
        workers_.pop_back();
        if (workers_.empty()) {
          for (auto& job : queue_) unserved.push_back(std::move(job));
          queue_.clear();
        }
        break;
      }
    }
    return unserved;
  }

  // Returns once every job posted so far is done and its thread is gone.
  void wait() {
    std::unique_lock lock(mutex_);
    // every thread done too: one started late finds nothing left, and is joined here
    changed_.wait(lock, [this] {
      if (!queue_.empty() || working_ > 0) return false;
      for (const auto& w : workers_)
        if (!w.done) return false;
      return true;
    });
    joinDone();
  }

  size_t threads() {
    std::lock_guard lock(mutex_);
    return workers_.size();
  }

  // For a job that waits between attempts: sleeps `d` unless the pool is
  // being destroyed. Returns false when it is.
  template <class Rep, class Period>
  bool pause(std::chrono::duration<Rep, Period> d) {
    std::unique_lock lock(mutex_);
    return !changed_.wait_for(lock, d, [this] { return stopping_; });
  }

 private:
  struct Worker {
    std::thread thread;
    bool done = false;
  };

  void work(Worker* self) {
    std::unique_lock lock(mutex_);
    while (!queue_.empty() && !stopping_) {
      Job job = std::move(queue_.front());
      queue_.pop_front();
      ++working_;
      lock.unlock();
      handle_(job);
      lock.lock();
      --working_;
    }
    self->done = true;  // set under the mutex as the thread's last act on shared state
    changed_.notify_all();
  }

  void joinDone() {  // with mutex_ held
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (it->done) {
        it->thread.join();
        it = workers_.erase(it);
      } else {
        ++it;
      }
    }
  }

  size_t maxThreads_;
  Handle handle_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Job> queue_;
  size_t working_ = 0;  // taken from the queue, not yet done
  bool stopping_ = false;
  std::list<Worker> workers_;
};

}  // namespace unitoomd
