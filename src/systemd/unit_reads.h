// The unit tracker's bookkeeping of property reads, without the bus: which
// units wait to be read, which are being read (at most a few at a time: the
// bus limits pending replies), which changed while being read and must be
// read again, when a full resync is over, and which units were lately found
// dead (so the UnitNew that our own read of a dead unit provokes is not
// answered with another read). Time is passed in.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "util/time.h"

namespace unitoomd {

struct UnitRead {
  std::string objectPath;
  std::string name;
};

class UnitReads {
 public:
  explicit UnitReads(size_t maxInFlight) : maxInFlight_(maxInFlight) {}

  // Asks for a read. One already waiting is not queued twice; one being
  // read is read again once that read ends (what it returns may predate the
  // change that asked).
  void request(const std::string& objectPath, const std::string& name);
  // The next read that may start now, counted in flight from here on; none
  // while the limit is reached or nothing waits.
  std::optional<UnitRead> start();
  // A read ended. True if it must be read again: it was asked for meanwhile.
  bool finish(const std::string& objectPath);

  bool pending(const std::string& objectPath) const { return queued_.count(objectPath) || inFlight_.count(objectPath); }
  size_t pendingCount() const { return queued_.size() + inFlight_.size(); }
  bool nothingInFlight() const { return inFlight_.empty(); }

  // A full resync: the unit list is asked for (perhaps more than once), its
  // units are read; it is over when no list and no read is outstanding.
  void resyncStarted(TimePoint now);
  void listAsked() { ++listsOutstanding_; }
  // ok false: the list failed; the resync is abandoned (not over, not ready).
  void listAnswered(bool ok);
  // How long the resync took, once, when it is over.
  std::optional<Duration> resyncOver(TimePoint now);
  bool resyncing() const { return resyncing_; }
  TimePoint lastResyncStarted() const { return resyncStarted_; }

  void rememberDead(const std::string& objectPath, TimePoint now);
  bool foundDeadLately(const std::string& objectPath, TimePoint now);
  void forgetDead(const std::string& objectPath) { foundDead_.erase(objectPath); }

  // Everything known is stale (a reconnect, the manager went away).
  void clear();

  static constexpr Duration kDeadMemory = std::chrono::seconds(30);
  static constexpr size_t kMaxDeadRemembered = 10000;

 private:
  size_t maxInFlight_;
  std::deque<UnitRead> queue_;
  std::set<std::string> queued_, inFlight_, readAgain_;
  std::map<std::string, TimePoint> foundDead_;
  bool resyncing_ = false;
  int listsOutstanding_ = 0;
  TimePoint resyncStarted_{};
};

}  // namespace unitoomd
