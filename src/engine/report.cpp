#include "engine/report.h"

#include "util/display_text.h"
#include "util/log.h"
#include "util/message_ids.h"
#include "util/strings.h"

namespace unitoomd {

namespace {

// A report's names, paths and descriptions are not ours (a user's cgroup
// names, a fake systemd's unit names): each is shown escaped and bounded on
// its own, so one 4 KiB path does not crowd the reasons out of the line.
// The log's edge (util/log.cpp) escapes again, which changes nothing.
std::string name(const std::string& s) { return displaySafe(s, shown::kNameBytes); }
std::string path(const std::string& s) { return displaySafe(s, shown::kPathBytes); }
std::string text(const std::string& s) { return displaySafe(s, shown::kTextBytes); }

std::string reasonsOf(const KillReport& r) {
  std::vector<std::string> shownReasons;
  for (const auto& reason : r.reasons) shownReasons.push_back(text(reason));
  return join(shownReasons, "; ");
}

}  // namespace

std::string KillReport::summary() const {
  std::string why = reasons.empty() ? "rules fired" : reasonsOf(*this);
  std::string head;
  if (dryRun) head = "Would kill " + path(victim);
  else if (ok) {
    std::string what = !process.empty() ? "process " + name(process) + " in " + path(victim)
                       : unit.empty()   ? path(victim)
                                      : name(unit) + (manager.empty() ? "" : " of " + name(manager)) + " (" + path(victim) + ")";
    head = "Killed " + what + (method.empty() ? "" : " with " + text(method)) + ", gone " + formatDuration(timeToDeath) +
           " after the signal";
  } else head = "Failed to kill " + path(victim) + " (" + text(error) + ")";
  return head + ": " + why + " (ruleset '" + name(ruleset) + "': " + text(description) + ")";
}

void LogReportSink::killAttempted(const KillReport& r) {
  LogFields fields{
      {"MESSAGE_ID", r.dryRun ? message_id::kWouldKill
                     : r.ok   ? message_id::kKilled
                              : message_id::kKillFailed},
      {"UNITOOMD_RULESET", name(r.ruleset)},
      {"UNITOOMD_RULESET_DESCRIPTION", text(r.description)},
      {"UNITOOMD_RULESET_ORIGIN", text(r.origin)},
      {"UNITOOMD_DETECTOR_GROUP", name(r.group)},
      {"UNITOOMD_ACTION", name(r.plugin)},
      {"CGROUP", path(r.victim)},
      {"UNITOOMD_REASON", reasonsOf(r)},
      {"UNITOOMD_RANKING", text(r.ranking)},
      {"UNITOOMD_DRY_RUN", r.dryRun ? "yes" : "no"},
  };
  for (const auto& [k, v] : r.figures) fields.emplace_back("UNITOOMD_" + k, text(v));
  if (!r.unit.empty() && r.manager.empty()) {
    fields.emplace_back("UNIT", name(r.unit));
    // a privileged sender's OBJECT_SYSTEMD_UNIT= puts the entry under `journalctl -u <victim>`
    fields.emplace_back("OBJECT_SYSTEMD_UNIT", name(r.unit));
  } else if (!r.unit.empty()) {
    fields.emplace_back("USER_UNIT", name(r.unit));
    fields.emplace_back("OBJECT_SYSTEMD_USER_UNIT", name(r.unit));
    fields.emplace_back("UNITOOMD_MANAGER", name(r.manager));
  }
  if (!r.process.empty()) fields.emplace_back("UNITOOMD_PROCESS", name(r.process));
  if (!r.method.empty()) fields.emplace_back("UNITOOMD_KILL_METHOD", text(r.method));
  if (r.ok && !r.dryRun) {
    fields.emplace_back("N_PROCESSES", std::to_string(r.processes));
    fields.emplace_back("UNITOOMD_TIME_TO_DEATH_USEC", std::to_string(r.timeToDeath.count()));
    fields.emplace_back("UNITOOMD_DECIDED_MONOTONIC_USEC", std::to_string(toUsec(r.decidedAt)));
    fields.emplace_back("UNITOOMD_SIGNALLED_MONOTONIC_USEC", std::to_string(toUsec(r.signalledAt)));
  }
  logStructured(r.ok ? LogLevel::Warning : LogLevel::Error, r.summary(), fields);
}

}  // namespace unitoomd
