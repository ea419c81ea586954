#include "policy/unit_policy.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "policy/untrusted_units.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

// systemd-oomd's constants, kept: the reclaim gate and the swap floor.
constexpr const char* kReclaimWindow = "30s";
constexpr const char* kSwapCandidateFloor = "5%";
// Stall is measured over 1 s windows from PSI totals at every sample: a unit
// is killed when every such second of the duration was over its limit. That
// is what ManagedOOMMemoryPressureDurationSec= promises, without avg10's
// seconds of lag; a short spike cannot hold a whole duration the way it holds
// up a 10 s average.
constexpr Duration kPressureWindow = std::chrono::seconds(1);

std::string percentText(double p) {
  std::string s = strprintf("%.2f", p);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s + "%";
}

// Exact and parseable (formatDuration rounds for people).
std::string durationArg(Duration d) {
  long long us = d.count();
  if (us % 1000000 == 0) return strprintf("%llds", us / 1000000);
  if (us % 1000 == 0) return strprintf("%lldms", us / 1000);
  return strprintf("%lldus", us);
}

ir::PluginCall call(std::string name, std::map<std::string, std::string> args, const std::string& origin) {
  ir::PluginCall c;
  c.name = std::move(name);
  c.args = std::move(args);
  c.where = ir::Location{origin, 0};
  return c;
}

// How a unit is named in ruleset names ("user@1001.service:app.slice" for a
// user manager's unit, which may share its name with a system unit) and in
// sentences ("app.slice of user@1001.service").
std::string rulesetPrefix(const UnitOomSettings& u) { return u.manager.empty() ? u.name : u.manager + ":" + u.name; }
std::string label(const UnitOomSettings& u) { return u.manager.empty() ? u.name : u.name + " of " + u.manager; }

ir::Ruleset pressureRuleset(const UnitOomSettings& u, const UnitPolicyDefaults& d, std::vector<std::string>& warnings) {
  double limit = u.managedOOMMemoryPressureLimit == 0 ? d.memoryPressureLimitPercent
                                                      : scaledFractionToPercent(u.managedOOMMemoryPressureLimit);
  Duration duration = d.memoryPressureDuration;
  const auto& du = u.managedOOMMemoryPressureDurationUSec;
  if (du && *du != UINT64_MAX) {
    if (*du < 1000000) warnings.push_back(label(u) + ": ManagedOOMMemoryPressureDurationSec= below 1s; using the default");
    else duration = Duration(static_cast<long long>(std::min<uint64_t>(*du, INT64_MAX)));
  }
  Duration window = kPressureWindow;

  ir::Ruleset rs;
  rs.name = rulesetPrefix(u) + "/ManagedOOMMemoryPressure";
  rs.origin = "unit " + label(u) + " (ManagedOOMMemoryPressure=kill)";
  rs.description = strprintf(
      "Memory pressure in %s above %s for %s while it reclaims: kill the candidate under it "
      "causing the pressure (ManagedOOMMemoryPressure=kill).",
      label(u).c_str(), percentText(limit).c_str(), formatDuration(duration).c_str());
  rs.hasDetectors = rs.hasActions = true;
  rs.where = ir::Location{rs.origin, 0};
  ir::DetectorGroup g;
  g.name = "memory pressure";
  g.where = rs.where;
  g.detectors.push_back(call("pressure_above",
                             {{"cgroup", u.cgroup},
                              {"resource", "memory"},
                              {"pressure", "full"},
                              {"threshold", strprintf("%.2f", limit)},
                              {"duration", durationArg(duration)},
                              {"window", durationArg(window)}},
                             rs.origin));
  g.detectors.push_back(call("memory_reclaim", {{"cgroup", u.cgroup}, {"duration", kReclaimWindow}}, rs.origin));
  rs.detectors.push_back(std::move(g));
  rs.actions.push_back(
      call("kill_by_pressure_cause",
           {{"cgroup", u.cgroup}, {"leaves", "true"}, {"method", d.killMethod}, {"stop_timeout", durationArg(d.stopTimeout)}},
           rs.origin));
  return rs;
}

ir::Ruleset swapRuleset(const UnitOomSettings& u, const UnitPolicyDefaults& d) {
  double used = d.swapUsedLimitPercent;
  ir::Ruleset rs;
  rs.name = rulesetPrefix(u) + "/ManagedOOMSwap";
  rs.origin = "unit " + label(u) + " (ManagedOOMSwap=kill)";
  rs.description = strprintf(
      "Memory and swap both more than %s used: kill the candidate under %s using the most swap "
      "(ManagedOOMSwap=kill).",
      percentText(used).c_str(), label(u).c_str());
  rs.hasDetectors = rs.hasActions = true;
  rs.where = ir::Location{rs.origin, 0};
  rs.postActionDelay = "0";  // as systemd-oomd: swap exhaustion does not wait
  ir::DetectorGroup g;
  g.name = "memory and swap used";
  g.where = rs.where;
  g.detectors.push_back(call("swap_free", {{"threshold_pct", strprintf("%.2f", 100 - used)}}, rs.origin));
  g.detectors.push_back(call("memory_above", {{"cgroup", "/"}, {"threshold", percentText(used)}}, rs.origin));
  rs.detectors.push_back(std::move(g));
  rs.actions.push_back(call("kill_by_swap_usage",
                            {{"cgroup", u.cgroup},
                             {"leaves", "true"},
                             {"threshold", kSwapCandidateFloor},
                             {"method", d.killMethod},
                             {"stop_timeout", durationArg(d.stopTimeout)},
                             {"machine_out_of_memory", "true"}},
                            rs.origin));
  return rs;
}

ir::Ruleset exhaustionRuleset(const UnitOomSettings& u, const UnitPolicyDefaults& d) {
  ir::Ruleset rs;
  rs.name = rulesetPrefix(u) + "/MemoryExhaustion";
  bool byDefault = u.managedOOMSwap != "kill";
  rs.origin = "unit " + label(u) +
              (byDefault ? " (no usable swap; on -.slice by default)" : " (ManagedOOMSwap=kill, no usable swap)");
  rs.description = strprintf(
      "No usable swap and memory predicted to run out within %s at the present rate: kill the "
      "candidate under %s growing fastest.",
      formatDuration(d.memoryExhaustion).c_str(), label(u).c_str());
  rs.hasDetectors = rs.hasActions = true;
  rs.where = ir::Location{rs.origin, 0};
  rs.postActionDelay = "0";  // the trend starts over once room comes back (memory_exhaustion.cpp)
  ir::DetectorGroup g;
  g.name = "memory runs out";
  g.where = rs.where;
  g.detectors.push_back(call("memory_exhaustion",
                             {{"cgroup", "/"}, {"threshold", durationArg(d.memoryExhaustion)}, {"without_swap", "true"}},
                             rs.origin));
  rs.detectors.push_back(std::move(g));
  rs.actions.push_back(call("kill_by_memory_size_or_growth",
                            {{"cgroup", u.cgroup},
                             {"leaves", "true"},
                             {"growth_rate", "true"},
                             {"method", d.killMethod},
                             {"stop_timeout", durationArg(d.stopTimeout)},
                             {"machine_out_of_memory", "true"}},
                            rs.origin));
  return rs;
}

// The root slice of the system manager: the whole machine.
bool isSystemRootSlice(const UnitOomSettings& u) { return u.name == "-.slice" && u.manager.empty() && !u.claimedByUser; }

}  // namespace

double scaledFractionToPercent(uint32_t scaled) {
  double permyriad = std::round(static_cast<double>(scaled) * 10000.0 / static_cast<double>(UINT32_MAX));
  return permyriad / 100.0;
}

bool isLiveState(const std::string& s) {
  return s == "active" || s == "activating" || s == "reloading" || s == "deactivating" || s == "refreshing";
}

UnitPolicy synthesizeUnitPolicy(const std::vector<UnitOomSettings>& units, const UnitPolicyDefaults& defaults,
                                const RunningFingerprint& running) {
  UnitPolicy out;
  auto add = [&](ir::Ruleset rs) {
    if (uint64_t fp = running ? running(rs) : 0) {
      ir::Ruleset given;
      given.name = std::move(rs.name);
      given.running = fp;
      out.rulesets.rulesets.push_back(std::move(given));
    } else {
      out.rulesets.rulesets.push_back(std::move(rs));
    }
  };
  std::vector<const UnitOomSettings*> sorted;
  for (const auto& u : units) sorted.push_back(&u);
  std::sort(sorted.begin(), sorted.end(),
            [](auto* a, auto* b) { return std::tie(a->manager, a->name) < std::tie(b->manager, b->name); });
  for (const UnitOomSettings* u : sorted) {
    // Unit cgroup paths never hold glob characters (unit names cannot), so
    // they are used as literal patterns.
    if (u->cgroup.empty() || u->cgroup.find_first_of("*?[{") != std::string::npos) continue;
    // The tracker refuses such claims as they come; this keeps a user's
    // claim from reaching a system cgroup whatever the path it came by.
    if (u->claimedByUser && refusalOfUserUnit(*u->claimedByUser, *u)) continue;
    auto& preferences = u->claimedByUser ? out.userPreferences : out.preferences;
    if (u->managedOOMPreference == "avoid") preferences[u->cgroup] = Preference::Avoid;
    else if (u->managedOOMPreference == "omit") preferences[u->cgroup] = Preference::Omit;
    else if (u->managedOOMPreference != "none" && !u->managedOOMPreference.empty())
      out.warnings.push_back(label(*u) + ": unknown ManagedOOMPreference=" + u->managedOOMPreference + "; ignored");
    if (!isLiveState(u->activeState)) continue;
    if (u->managedOOMMemoryPressure == "kill") add(pressureRuleset(*u, defaults, out.warnings));
    if (u->managedOOMSwap == "kill") add(swapRuleset(*u, defaults));
    if (defaults.memoryExhaustion > Duration{0} && (u->managedOOMSwap == "kill" || isSystemRootSlice(*u)))
      add(exhaustionRuleset(*u, defaults));
  }
  return out;
}

}  // namespace unitoomd
