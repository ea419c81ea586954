#include "daemon/ledger.h"

#include "util/strings.h"

namespace unitoomd {

bool Ledger::killAttempted(const KillReport& report, uint64_t realtimeUsec) {
  const char* outcome = report.dryRun ? "dry_run" : report.ok ? "killed" : "failed";
  ++counted_.kills[{report.ruleset, killMethodLabel(report.method), outcome}];
  if (!report.ok) return false;  // reported in the journal; the history lists kills (and dry-run decisions)
  recent_.push_back(
      {realtimeUsec, report.unit, report.victim, report.ruleset, join(report.reasons, "; "), report.dryRun, report.figures});
  if (recent_.size() > kKillsRemembered) recent_.pop_front();
  if (report.dryRun) return false;
  ++kills_;
  counted_.timeToDeathSeconds.observe(std::chrono::duration<double>(report.timeToDeath).count());
  return true;
}

void Ledger::sampled(double seconds) {
  ++counted_.samples;
  counted_.sampleSeconds.observe(seconds);
}

}  // namespace unitoomd
