#include "api/snapshot.h"

#include <ctime>

#include "util/strings.h"

namespace unitoomd {
namespace {

std::string percent(double v) { return v < 0 ? "-" : strprintf("%.2f%%", v); }

std::string jsonNumber(double v) { return v < 0 ? "null" : strprintf("%.2f", v); }

}  // namespace

std::string formatLocalTime(uint64_t realtimeUsec) {
  time_t t = static_cast<time_t>(realtimeUsec / 1000000);
  tm local{};
  localtime_r(&t, &local);
  char buf[64];
  strftime(buf, sizeof buf, "%a %Y-%m-%d %H:%M:%S %Z", &local);  // as systemctl shows times
  return buf;
}

static std::string joinNumbers(const std::vector<uint32_t>& v) {
  std::vector<std::string> parts;
  for (uint32_t n : v) parts.push_back(std::to_string(n));
  return join(parts, ", ");
}

std::string renderStatus(const Snapshot& s) {
  using namespace shown;
  auto name = [](const std::string& v) { return displaySafe(v, kNameBytes); };
  auto path = [](const std::string& v) { return displaySafe(v, kPathBytes); };
  auto text = [](const std::string& v) { return displaySafe(v, kTextBytes); };
  std::string out = strprintf("unitoomd %s%s\n", name(s.version).c_str(), s.dryRun ? " (dry run: nothing is killed)" : "");
  out += strprintf("Following systemd: %s\n", s.bus.empty() ? "no" : text(s.bus).c_str());
  if (!s.followedUsers.empty()) {
    std::vector<std::string> managers;
    for (uint32_t uid : s.followedUsers) managers.push_back("user@" + std::to_string(uid) + ".service");
    out += "Following user managers: " + join(managers, ", ") + "\n";
  }
  if (s.standingBy) out += "Standing by: the system instance protects this user's session\n";
  out += strprintf("Kills since start: %llu\n", static_cast<unsigned long long>(s.killCount));
  out += strprintf("\nRulesets (%zu):\n", s.rulesets.size());
  for (const auto& r : s.rulesets)
    out += strprintf("  %s [%s]\n    %s\n    from %s\n", name(r.name).c_str(), name(r.state).c_str(), text(r.description).c_str(),
                     text(r.origin).c_str());
  out += strprintf("\nMonitored cgroups (%zu), memory pressure avg10 some/full:\n", s.cgroups.size());
  for (const auto& c : s.cgroups)
    out += strprintf("  %s %s/%s\n", path(c.path).c_str(), percent(c.memorySome).c_str(), percent(c.memoryFull).c_str());
  if (!s.wokenBy.empty()) {
    // (the CPU each cost is in the JSON dump: `unitoomctl status` builds
    // this text from the WokenBy property, which has only the counts)
    out += "\nWoken by (event sources, since start):\n";
    for (const auto& w : s.wokenBy)
      out += strprintf("  %-8llu %s\n", static_cast<unsigned long long>(w.count), path(w.source).c_str());
  }
  std::vector<const QuestionInfo*> open, answered;
  for (const auto& q : s.questions) (q.open() ? open : answered).push_back(&q);
  if (!open.empty()) {
    out += strprintf("\nFrozen, waiting for the user's answer (%zu):\n", open.size());
    for (const auto* q : open)
      out += strprintf("  %s of user %u (%s), asked %s: close it or keep it running?\n", name(q->app).c_str(), q->uid,
                       path(q->cgroup).c_str(), formatLocalTime(q->askedRealtimeUsec).c_str());
  }
  if (!answered.empty()) {
    out += strprintf("\nRecent questions (%zu):\n", answered.size());
    for (const auto* q : answered)
      out += strprintf("  %s %s of user %u (%s): answer %s; %s\n", formatLocalTime(q->askedRealtimeUsec).c_str(),
                       name(q->app).c_str(), q->uid, path(q->cgroup).c_str(), name(q->answer).c_str(), text(q->outcome).c_str());
  }
  return out;
}

std::string renderDump(const Snapshot& s) {
  using namespace shown;
  std::string out = renderStatus(s);
  out += strprintf("\nRecent kills (%zu):\n", s.kills.size());
  for (const auto& k : s.kills) {
    std::string cgroup = displaySafe(k.cgroup, kPathBytes);
    out += strprintf("  %s %s%s (%s) by '%s': %s\n", formatLocalTime(k.realtimeUsec).c_str(), k.dryRun ? "would kill " : "",
                     k.unit.empty() ? cgroup.c_str() : displaySafe(k.unit, kNameBytes).c_str(), cgroup.c_str(),
                     displaySafe(k.ruleset, kNameBytes).c_str(), displaySafe(k.reason, kTextBytes).c_str());
  }
  return out;
}

std::string renderRulesetsJson(const std::vector<RulesetInfo>& rulesets) {
  std::string out = "[";
  for (size_t i = 0; i < rulesets.size(); ++i) {
    const auto& r = rulesets[i];
    out += (i ? ", " : "") + std::string("{\"name\": ") + jsonQuote(r.name) + ", \"description\": " + jsonQuote(r.description) +
           ", \"origin\": " + jsonQuote(r.origin) + ", \"state\": " + jsonQuote(r.state) + "}";
  }
  return out + "]";
}

std::string renderKillsJson(const std::vector<KillRecord>& kills) {
  std::string out = "[";
  for (size_t i = 0; i < kills.size(); ++i) {
    const auto& k = kills[i];
    out += (i ? ", " : "") + std::string("{\"time_usec\": ") + std::to_string(k.realtimeUsec) +
           ", \"unit\": " + jsonQuote(k.unit) + ", \"cgroup\": " + jsonQuote(k.cgroup) +
           ", \"ruleset\": " + jsonQuote(k.ruleset) + ", \"reason\": " + jsonQuote(k.reason) +
           ", \"dry_run\": " + (k.dryRun ? "true" : "false") + ", \"figures\": {";
    for (size_t j = 0; j < k.figures.size(); ++j)
      out += (j ? ", " : "") + jsonQuote(k.figures[j].first) + ": " + jsonQuote(k.figures[j].second);
    out += "}}";
  }
  return out + "]";
}

std::string renderDumpJson(const Snapshot& s) {
  std::string out = "{\"version\": " + jsonQuote(s.version) + ", \"dry_run\": " + (s.dryRun ? "true" : "false") +
                    ", \"kill_count\": " + std::to_string(s.killCount) + ", \"systemd_bus\": " + jsonQuote(s.bus) +
                    ", \"followed_users\": [" + joinNumbers(s.followedUsers) +
                    "], \"standing_by\": " + (s.standingBy ? "true" : "false") +
                    ", \"rulesets\": " + renderRulesetsJson(s.rulesets) + ", \"monitored_cgroups\": [";
  for (size_t i = 0; i < s.cgroups.size(); ++i) {
    const auto& c = s.cgroups[i];
    out += (i ? ", " : "") + std::string("{\"cgroup\": ") + jsonQuote(c.path) +
           ", \"memory_some_avg10\": " + jsonNumber(c.memorySome) + ", \"memory_full_avg10\": " + jsonNumber(c.memoryFull) + "}";
  }
  out += "], \"woken_by\": [";
  for (size_t i = 0; i < s.wokenBy.size(); ++i) {
    const WakeCount& w = s.wokenBy[i];
    out += (i ? ", " : "") + std::string("{\"source\": ") + jsonQuote(w.source) + ", \"count\": " + std::to_string(w.count) +
           ", \"cpu_seconds\": " + (w.cpuSeconds < 0 ? std::string("null") : strprintf("%.3f", w.cpuSeconds)) + "}";
  }
  out += "], \"kills\": " + renderKillsJson(s.kills) + ", \"questions\": [";
  for (size_t i = 0; i < s.questions.size(); ++i) {
    const auto& q = s.questions[i];
    out += (i ? ", " : "") + std::string("{\"time_usec\": ") + std::to_string(q.askedRealtimeUsec) +
           ", \"uid\": " + std::to_string(q.uid) + ", \"app\": " + jsonQuote(q.app) + ", \"cgroup\": " + jsonQuote(q.cgroup) +
           ", \"state\": " + jsonQuote(q.state) + ", \"answer\": " + jsonQuote(q.answer) +
           ", \"outcome\": " + jsonQuote(q.outcome) + "}";
  }
  return out + "]}";
}

}  // namespace unitoomd
