#include "engine/report.h"

#include "util/log.h"
#include "util/message_ids.h"
#include "util/strings.h"

namespace unitoomd {

std::string KillReport::summary() const {
  std::string why = reasons.empty() ? "rules fired" : join(reasons, "; ");
  std::string head;
  if (dryRun) head = "Would kill " + victim;
  else if (ok) {
    std::string what = !process.empty() ? "process " + process + " in " + victim
                       : unit.empty()    ? victim
                                         : unit + (manager.empty() ? "" : " of " + manager) + " (" + victim + ")";
    head = "Killed " + what + (method.empty() ? "" : " with " + method) + ", gone " + formatDuration(timeToDeath) +
           " after the signal";
  }
  else head = "Failed to kill " + victim + " (" + error + ")";
  return head + ": " + why + " (ruleset '" + ruleset + "': " + description + ")";
}

void LogReportSink::killAttempted(const KillReport& r) {
  LogFields fields{
      {"MESSAGE_ID", r.dryRun ? message_id::kWouldKill : r.ok ? message_id::kKilled : message_id::kKillFailed},
      {"UNITOOMD_RULESET", r.ruleset},
      {"UNITOOMD_RULESET_DESCRIPTION", r.description},
      {"UNITOOMD_RULESET_ORIGIN", r.origin},
      {"UNITOOMD_DETECTOR_GROUP", r.group},
      {"UNITOOMD_ACTION", r.plugin},
      {"CGROUP", r.victim},
      {"UNITOOMD_REASON", join(r.reasons, "; ")},
      {"UNITOOMD_RANKING", r.ranking},
      {"UNITOOMD_DRY_RUN", r.dryRun ? "yes" : "no"},
  };
  for (const auto& [k, v] : r.figures) fields.emplace_back("UNITOOMD_" + k, v);
  if (!r.unit.empty() && r.manager.empty()) {
    fields.emplace_back("UNIT", r.unit);
    // a privileged sender's OBJECT_SYSTEMD_UNIT= puts the entry under `journalctl -u <victim>`
    fields.emplace_back("OBJECT_SYSTEMD_UNIT", r.unit);
  } else if (!r.unit.empty()) {
    fields.emplace_back("USER_UNIT", r.unit);
    fields.emplace_back("OBJECT_SYSTEMD_USER_UNIT", r.unit);
    fields.emplace_back("UNITOOMD_MANAGER", r.manager);
  }
  if (!r.process.empty()) fields.emplace_back("UNITOOMD_PROCESS", r.process);
  if (!r.method.empty()) fields.emplace_back("UNITOOMD_KILL_METHOD", r.method);
  if (r.ok && !r.dryRun) {
    fields.emplace_back("N_PROCESSES", std::to_string(r.processes));
    fields.emplace_back("UNITOOMD_TIME_TO_DEATH_USEC", std::to_string(r.timeToDeath.count()));
  }
  logStructured(r.ok ? LogLevel::Warning : LogLevel::Error, r.summary(), fields);
}

}  // namespace unitoomd
