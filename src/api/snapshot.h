// What the D-Bus API and unitoomctl show: a plain snapshot of the daemon's
// state, and its two renderings (for people, and JSON). Pure: no bus, no I/O.
// The snapshot holds names as they came (raw bytes); the renderings make them
// safe (util/display_text.h): the text with displaySafe, the JSON valid for
// any bytes with jsonQuote.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "util/display_text.h"
#include "util/event_names.h"

namespace unitoomd {

struct RulesetInfo {
  std::string name, description, origin, state;
};

struct CgroupPressure {
  std::string path;
  double memorySome = -1, memoryFull = -1;  // avg10 percent; -1: unreadable
};

struct KillRecord {
  uint64_t realtimeUsec = 0;
  std::string unit, cgroup, ruleset, reason;
  bool dryRun = false;
  std::vector<std::pair<std::string, std::string>> figures;
};

// A pause-and-ask question ([Desktop] AskBeforeKill=): open while its app
// is frozen ("asking", "frozen"), then how it ended.
struct QuestionInfo {
  uint64_t askedRealtimeUsec = 0;
  uint32_t uid = 0;
  std::string app, cgroup, state, answer, outcome;
  bool open() const { return state == "asking" || state == "frozen"; }
};

struct Snapshot {
  std::string version;
  bool dryRun = false;
  uint64_t killCount = 0;
  std::string bus;                      // "system bus", "user's session bus", or "" (no systemd)
  std::vector<uint32_t> followedUsers;  // uids whose user managers the system instance follows
  bool standingBy = false;              // --user: the system instance protects this session
  std::vector<RulesetInfo> rulesets;
  std::vector<CgroupPressure> cgroups;
  std::vector<KillRecord> kills;
  // The event sources that woke the daemon most (util/event_names.h), with counts
  std::vector<WakeCount> wokenBy;
  std::vector<QuestionInfo> questions;  // oldest first
};

std::string renderDump(const Snapshot& s);
// The dump without its list of kills (`unitoomctl status`).
std::string renderStatus(const Snapshot& s);
std::string renderDumpJson(const Snapshot& s);
std::string renderRulesetsJson(const std::vector<RulesetInfo>& rulesets);
std::string renderKillsJson(const std::vector<KillRecord>& kills);
std::string formatLocalTime(uint64_t realtimeUsec);

}  // namespace unitoomd
