// What the daemon counts and remembers for the API, the metrics and its
// status line: every kill report (by ruleset, method and outcome), the
// kills carried out, the last kKillsRemembered kills and dry-run decisions
// (ListKills, the dump), and how many samples it took and how long. Pure:
// the caller passes the wall-clock time and the sample's duration.
#pragma once

#include <cstdint>
#include <deque>

#include "api/metrics.h"
#include "api/snapshot.h"
#include "engine/report.h"

namespace unitoomd {

class Ledger {
 public:
  static constexpr size_t kKillsRemembered = 100;

  // True when the report is of a kill carried out (not failed, not a dry
  // run): the one that is told (the Killed signal, the user's notification).
  bool killAttempted(const KillReport& report, uint64_t realtimeUsec);
  void sampled(double seconds);
  void killStepped() { ++killSteps_; }  // a kill in flight moved between samples

  uint64_t kills() const { return kills_; }
  uint64_t samples() const { return counted_.samples; }
  uint64_t killSteps() const { return killSteps_; }
  const std::deque<KillRecord>& recentKills() const { return recent_; }
  // Kills by outcome, samples, time to death and sample time; the caller
  // adds what is read at the time.
  const Metrics& counted() const { return counted_; }

 private:
  Metrics counted_;
  uint64_t kills_ = 0;
  uint64_t killSteps_ = 0;
  std::deque<KillRecord> recent_;
};

}  // namespace unitoomd
