#include "systemd/unit_reads.h"

#include <algorithm>

namespace unitoomd {

void UnitReads::request(const std::string& objectPath, const std::string& name) {
  if (inFlight_.count(objectPath)) {
    readAgain_.insert(objectPath);
    return;
  }
  if (queued_.insert(objectPath).second) queue_.push_back({objectPath, name});
}

std::optional<UnitRead> UnitReads::start() {
  if (inFlight_.size() >= maxInFlight_ || queue_.empty()) return std::nullopt;
  UnitRead next = std::move(queue_.front());
  queue_.pop_front();
  queued_.erase(next.objectPath);
  inFlight_.insert(next.objectPath);
  return next;
}

bool UnitReads::finish(const std::string& objectPath) {
  inFlight_.erase(objectPath);
  return readAgain_.erase(objectPath) > 0;
}

void UnitReads::resyncStarted(TimePoint now) {
  if (!resyncing_) resyncStarted_ = now;
  resyncing_ = true;
}

void UnitReads::listAnswered(bool ok) {
  --listsOutstanding_;
  if (!ok) resyncing_ = false;
}

std::optional<Duration> UnitReads::resyncOver(TimePoint now) {
  if (!resyncing_ || !queue_.empty() || !inFlight_.empty() || listsOutstanding_ > 0) return std::nullopt;
  resyncing_ = false;
  return std::chrono::duration_cast<Duration>(now - resyncStarted_);
}

void UnitReads::rememberDead(const std::string& objectPath, TimePoint now) {
  if (foundDead_.size() >= kMaxDeadRemembered) {
    std::erase_if(foundDead_, [&](const auto& e) { return now - e.second > kDeadMemory; });
    if (foundDead_.size() >= kMaxDeadRemembered) foundDead_.clear();
  }
  foundDead_[objectPath] = now;
}

bool UnitReads::foundDeadLately(const std::string& objectPath, TimePoint now) {
  auto it = foundDead_.find(objectPath);
  if (it == foundDead_.end()) return false;
  if (now - it->second <= kDeadMemory) return true;
  foundDead_.erase(it);
  return false;
}

void UnitReads::clear() {
  queue_.clear();
  queued_.clear();
  inFlight_.clear();
  readAgain_.clear();
  foundDead_.clear();
  resyncing_ = false;
  listsOutstanding_ = 0;
}

}  // namespace unitoomd
