#include "daemon/announcer.h"

#include <cstring>

#include "desktop/session_words.h"
#include "util/log.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

// The rulesets that are not calm (PressureWarnings::update needs no more):
// their names are copied at every sample, 10,000 calm ones' are not.
std::vector<RulesetPressure> pressureOf(const Engine& engine) {
  std::vector<RulesetPressure> out;
  engine.forEachNotRuledOut([&](const Ruleset& r) {
    bool timing = r.timing(), pending = r.actionPending();
    if (!timing && !pending) return;
    RulesetPressure p{r.name, r.description, timing, pending, std::nullopt};
    if (p.timing && !p.actionPending) p.secondsLeft = r.secondsLeft();
    out.push_back(std::move(p));
  });
  return out;
}

const Ruleset* findRuleset(const Engine& engine, const std::string& name) {
  for (const auto& r : engine.rulesets())
    if (r->name == name) return r.get();
  return nullptr;
}

std::vector<std::string> cgroupsWatchedBy(const Ruleset& r) {
  std::vector<WakeSource> sources;
  for (const auto& g : r.groups)
    for (const auto& d : g.detectors) d->wakeSources(sources);
  std::vector<std::string> out;
  for (const auto& s : sources) out.push_back(s.cgroup);
  if (out.empty()) out.push_back("/");  // system-wide detectors (swap, /proc/meminfo)
  return out;
}

}  // namespace

void Announcer::tellUsers(const Warning& w, const Engine& engine) {
  const Ruleset* r = findRuleset(engine, w.ruleset);
  if (!r) return;
  for (uid_t uid : usersConcerned(cgroupsWatchedBy(*r), sessions_->followed()))
    sessions_->pressureWarning(uid, w.ruleset, w.description, w.reason, w.secondsLeft.value_or(-1));
}

void Announcer::pressure(const Engine& engine) {
  for (const auto& w : decide_.update(pressureOf(engine))) {
    if (w.kind == Warning::Kind::KillUnderway) {
      if (api_) api_->lowMemoryWarning(static_cast<uint8_t>(w.lowMemoryLevel));
      continue;
    }
    LOG_NOTICE("ruleset '%s' is %s", w.ruleset.c_str(),
               w.secondsLeft ? w.reason.c_str() : "over its limits and timing towards a kill");
    if (sessions_) tellUsers(w, engine);
    if (!api_) continue;
    api_->lowMemoryWarning(static_cast<uint8_t>(w.lowMemoryLevel));
    if (!api_->object()) continue;
    if (int r = api_->object()->emitPressureWarning(w.ruleset, w.description, w.reason, w.secondsLeft.value_or(-1)); r < 0)
      LOG_DEBUG("PressureWarning not sent: %s", strerror(-r));
  }
}

void Announcer::killed(const KillReport& report, bool notifyUsers) {
  if (api_ && api_->object()) {
    if (int r = api_->object()->emitKilled(report.unit, report.victim, report.ruleset, join(report.reasons, "; ")); r < 0)
      LOG_DEBUG("Killed signal not sent: %s", strerror(-r));
  }
  auto uid = uidOfCgroup(report.victim);
  if (uid && sessions_ && notifyUsers) sessions_->notify(*uid, notificationFor(report));
}

// The kernel's kills in a user's session reach the user as ours do.
void Announcer::kernelKilled(const std::string& cgroup, uint64_t processes, bool notifyUsers) {
  auto uid = uidOfCgroup(cgroup);
  if (uid && sessions_ && notifyUsers) sessions_->notify(*uid, notificationForKernelOomKill(processes));
}

}  // namespace unitoomd
