// What a kill report says: what was killed, why (the detectors' findings),
// and which ruleset decided, with its one-sentence description.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "util/time.h"

namespace unitoomd {

struct KillReport {
  TimePoint at{};
  std::string ruleset;
  std::string description;
  std::string origin;
  std::string group;   // the detector group that fired
  std::string plugin;  // the action that chose the victim
  std::string victim;  // cgroup path
  uint64_t victimInode = 0;
  std::vector<std::string> reasons;                          // the firing group's findings
  std::string ranking;                                       // how the victim was chosen, incl. any fallback
  std::vector<std::pair<std::string, std::string>> figures;  // victim's numbers
  bool dryRun = false;
  bool ok = false;
  std::string error;  // when !ok
  int processes = 0;
  std::string method;      // what was done: "KillUnit(all, SIGKILL)", "cgroup.kill", ...
  std::string unit;        // the systemd unit killed, when one owns the victim
  std::string manager;     // "user@1001.service" when `unit` is a user manager's; empty: the system's
  std::string process;     // "hog (pid 4242)" when one process (or its job) was killed, not the cgroup
  Duration timeToDeath{};  // from the signal until the victim's processes were gone
  // The kill's own clock (CLOCK_MONOTONIC): the sample that decided, and the
  // signal. The journal stamps an entry when journald reads it, which under
  // the memory pressure being fought came up to 0.5 s later (VM lab).
  TimePoint decidedAt{}, signalledAt{};

  std::string summary() const;  // one line a person reads at a glance
};

class ReportSink {
 public:
  virtual ~ReportSink() = default;
  virtual void killAttempted(const KillReport& report) = 0;
};

// Writes reports to the log (journal fields when under journald).
class LogReportSink : public ReportSink {
 public:
  void killAttempted(const KillReport& report) override;
};

}  // namespace unitoomd
