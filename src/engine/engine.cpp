#include "engine/engine.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <string_view>
#include <unordered_map>

#include "util/log.h"
#include "util/strings.h"

namespace unitoomd {

const char* rulesetStateName(RulesetState s) {
  switch (s) {
    case RulesetState::Armed: return "armed";
    case RulesetState::Paused: return "paused";
    case RulesetState::ActionPending: return "action-pending";
    case RulesetState::Disabled: return "disabled";
  }
  return "?";
}

// Actions keep history (memory growth) only while it can matter: while a
// detector holds its duration towards a kill, or a kill is under way. A
// glob over thousands of cgroups is then not read at every calm sample.
void Ruleset::prerun(SampleContext& ctx, bool ruledOut) {
  for (auto& g : groups)
    for (auto& d : g.detectors) d->prerun(ctx);
  if (ruledOut || !timing()) return;
  for (auto& a : actions) a->prerun(ctx);
}

bool Ruleset::runOnce(SampleContext& ctx) {
  if (disabled) return false;
  // Every detector of every group runs, even after a group has fired.
  const DetectorGroup* fired = nullptr;
  std::vector<std::string> firedFindings;
  for (auto& group : groups) {
    bool all = true;
    ctx.takeFindings();
    for (auto& d : group.detectors) {
      if (d->run(ctx) != PluginResult::Continue) all = false;
    }
    auto findings = ctx.takeFindings();
    if (all && !group.detectors.empty() && !fired) {
      fired = &group;
      firedFindings = std::move(findings);
    }
  }

  size_t start = 0;
  if (resumeAt_) {
    start = *resumeAt_;  // an async action resumes even if the detectors calmed down
    ctx.action() = std::move(*pendingAction_);
  } else {
    if (!fired) return false;
    if (pausedUntil_ && ctx.now() < *pausedUntil_) return false;
    ctx.action() = ActionContext{name, description, origin, fired->name, std::move(firedFindings), std::nullopt};
    if (!silenceEngineLogs)
      LOG_INFO("ruleset '%s': detector group '%s' fired%s%s", name.c_str(), fired->name.c_str(),
               ctx.action().findings.empty() ? "" : ": ", join(ctx.action().findings, "; ").c_str());
  }
  runActions(ctx, start);
  return true;
}

void Ruleset::resumePendingAction(SampleContext& ctx) {
  if (disabled || !resumeAt_) return;
  ctx.action() = std::move(*pendingAction_);
  runActions(ctx, *resumeAt_);
}

void Ruleset::runActions(SampleContext& ctx, size_t start) {
  resumeAt_.reset();
  pendingAction_.reset();
  for (size_t i = start; i < actions.size(); ++i) {
    PluginResult r = actions[i]->run(ctx);
    if (r == PluginResult::Continue) continue;
    if (r == PluginResult::AsyncPaused) {
      resumeAt_ = i;
      pendingAction_ = std::make_unique<ActionContext>(ctx.action());
      return;
    }
    Duration delay = ctx.action().postActionDelayOverride.value_or(postActionDelay);
    pausedUntil_ = ctx.now() + delay;
    break;
  }
}

const KillOperation* Ruleset::killInFlight() const {
  if (disabled || !resumeAt_ || *resumeAt_ >= actions.size()) return nullptr;
  return actions[*resumeAt_]->killInFlight();
}

RulesetState Ruleset::state(TimePoint now) const {
  if (disabled) return RulesetState::Disabled;
  if (resumeAt_) return RulesetState::ActionPending;
  if (pausedUntil_ && now < *pausedUntil_) return RulesetState::Paused;
  return RulesetState::Armed;
}

bool Ruleset::timing() const {
  if (disabled) return false;
  return resumeAt_ || detectorsTiming();
}

bool Ruleset::detectorsTiming() const {
  if (disabled) return false;
  for (const auto& g : groups)
    for (const auto& d : g.detectors)
      if (d->timing()) return true;
  return false;
}

Duration Ruleset::quietFor() const {
  if (disabled) return Duration::max();
  // A sample every 250 ms while the victim dies took CPU from its exit in
  // the VM lab (a swap hog's exit there waits for a CPU most of the time).
  if (killInFlight() && !detectorsTiming()) return Duration::max();
  if (timing()) return Duration{0};
  Duration shortest = Duration::max();
  for (const auto& g : groups) {
    Duration group{0};
    for (const auto& d : g.detectors) group = std::max(group, d->quietFor().value_or(Duration{0}));
    shortest = std::min(shortest, group);
  }
  return shortest;
}

std::optional<Duration> Ruleset::sampleWithin() const {
  std::optional<Duration> out;
  if (disabled) return out;
  for (const auto& g : groups)
    for (const auto& d : g.detectors)
      if (auto w = d->sampleWithin(); w && (!out || *w < *out)) out = w;
  return out;
}

std::optional<TimePoint> Ruleset::decidesAt() const {
  std::optional<TimePoint> out;
  if (disabled) return out;
  for (const auto& g : groups)
    for (const auto& d : g.detectors)
      if (auto t = d->decidesAt(); t && (!out || *t < *out)) out = t;
  return out;
}

std::optional<double> Ruleset::secondsLeft() const {
  std::optional<double> out;
  if (disabled) return out;
  for (const auto& g : groups)
    for (const auto& d : g.detectors)
      if (auto s = d->secondsLeft(); s && (!out || *s < *out)) out = s;
  return out;
}

void Ruleset::adoptStateFrom(const Ruleset& old) {
  pausedUntil_ = old.pausedUntil_;
  // A pending async action belongs to plugins that no longer exist: drop it.
}

void Engine::indexCalmGates() {
  calmGates_.clear();
  ruledOut_.assign(rulesets_.size(), false);
  std::map<CalmGate, std::vector<GatedRuleset>> byGate;
  for (size_t i = 0; i < rulesets_.size(); ++i) {
    const Ruleset& r = *rulesets_[i];
    if (r.groups.empty()) continue;
    std::optional<CalmGate> shared;
    GatedRuleset entry{i, {}};
    for (const auto& g : r.groups) {
      Plugin* gated = nullptr;
      for (const auto& d : g.detectors) {
        auto gate = d->calmGate();
        // one gate for the whole ruleset: read once, it decides at once
        if (gate && (!shared || !(*gate < *shared || *shared < *gate))) {
          shared = gate;
          gated = d.get();
          break;
        }
      }
      if (!gated) break;
      entry.gated.push_back(gated);
    }
    if (entry.gated.size() == r.groups.size()) byGate[*shared].push_back(std::move(entry));
  }
  calmGates_.assign(std::make_move_iterator(byGate.begin()), std::make_move_iterator(byGate.end()));
}

void Engine::ruleOutCalm(SampleContext& ctx) {
  std::vector<bool> wasRuledOut(rulesets_.size(), false);
  wasRuledOut.swap(ruledOut_);
  for (auto& [gate, members] : calmGates_) {
    try {
      std::optional<std::optional<double>> ceiling;  // read on first need
      for (const GatedRuleset& m : members) {
        Ruleset& r = *rulesets_[m.ruleset];
        // A ruleset timing anything or with an action under way runs (one
        // ruled out at the last sample has not run since: still neither).
        if (r.disabled || (!wasRuledOut[m.ruleset] && r.timing())) continue;
        if (!ceiling) ceiling = descendantCeiling(ctx, gate);
        bool all = true;
        for (Plugin* d : m.gated)
          if (!d->stoppedByCalm(ctx, *ceiling)) {
            all = false;
            break;
          }
        ruledOut_[m.ruleset] = all;
      }
    } catch (const std::exception& e) {
      // those not yet ruled out run as they would without the gate
      LOG_ERROR("calm gate on %s failed: %s", gate.ancestor.c_str(), e.what());
    }
  }
}

void Engine::runOnce(SampleContext& ctx) {
  // Before any ruleset runs (the gate only reads its ancestors). prerun is
  // for every sample: a ruled-out ruleset may hold a detector that follows
  // a trend beside its gated one.
  ruleOutCalm(ctx);
  for (size_t i = 0; i < rulesets_.size(); ++i)
    if (!rulesets_[i]->disabled) rulesets_[i]->prerun(ctx, ruledOut_[i]);
  for (size_t i = 0; i < rulesets_.size(); ++i) {
    if (ruledOut_[i]) continue;
    auto& r = rulesets_[i];
    try {
      r->runOnce(ctx);
    } catch (const std::exception& e) {
      // A broken invariant in one ruleset must not stop the others.
      LOG_ERROR("ruleset '%s' failed: %s", r->name.c_str(), e.what());
    }
  }
}

std::vector<WakeSource> Engine::wakeSources() const {
  std::vector<WakeSource> out;
  for (const auto& r : rulesets_) {
    if (r->disabled) continue;
    for (const auto& g : r->groups)
      for (const auto& d : g.detectors) d->wakeSources(out);
  }
  return out;
}

bool Engine::hasUntriggeredGroups() const {
  for (const auto& r : rulesets_) {
    if (r->disabled) continue;
    for (const auto& g : r->groups) {
      std::vector<WakeSource> ws;
      for (const auto& d : g.detectors) d->wakeSources(ws);
      if (ws.empty()) return true;
    }
  }
  return false;
}

Duration Engine::quietFor() const {
  Duration shortest = Duration::max();
  for (const auto& r : rulesets_) shortest = std::min(shortest, r->quietFor());
  return shortest;
}

bool Engine::timing() const {
  bool any = false;
  forEachNotRuledOut([&](const Ruleset& r) { any = any || r.timing(); });
  return any;
}

bool Engine::detectorsTiming() const {
  bool any = false;
  forEachNotRuledOut([&](const Ruleset& r) { any = any || r.detectorsTiming(); });
  return any;
}

void Engine::resumePendingActions(SampleContext& ctx) {
  for (size_t i = 0; i < rulesets_.size(); ++i) {
    auto& r = rulesets_[i];
    if (ruledOut_[i] || !r->actionPending()) continue;
    try {
      r->resumePendingAction(ctx);
    } catch (const std::exception& e) {
      LOG_ERROR("ruleset '%s' failed: %s", r->name.c_str(), e.what());
    }
  }
}

std::vector<const KillOperation*> Engine::killsInFlight() const {
  std::vector<const KillOperation*> out;
  forEachNotRuledOut([&](const Ruleset& r) {
    if (const KillOperation* op = r.killInFlight()) out.push_back(op);
  });
  return out;
}

std::optional<TimePoint> Engine::decidesAt() const {
  std::optional<TimePoint> out;
  forEachNotRuledOut([&](const Ruleset& r) {
    if (auto t = r.decidesAt(); t && (!out || *t < *out)) out = t;
  });
  return out;
}

std::optional<Duration> Engine::sampleWithin() const {
  std::optional<Duration> out;
  forEachNotRuledOut([&](const Ruleset& r) {
    if (auto w = r.sampleWithin(); w && (!out || *w < *out)) out = w;
  });
  return out;
}

bool Engine::actionPending() const {
  bool any = false;
  forEachNotRuledOut([&](const Ruleset& r) { any = any || r.actionPending(); });
  return any;
}

void Engine::adoptStateFrom(Engine& old) {
  // by name, in order: a thousand unit rulesets are matched in one pass
  std::unordered_map<std::string_view, std::vector<std::unique_ptr<Ruleset>*>> byName;
  for (auto& o : old.rulesets_)
    if (o) byName[o->name].push_back(&o);
  for (auto& r : rulesets_) {
    auto it = byName.find(r->name);
    if (it == byName.end()) continue;
    for (auto* slot : it->second) {
      auto& o = *slot;
      if (!o) continue;
      if (o->fingerprint != 0 && o->fingerprint == r->fingerprint) {
        o->disabled = r->disabled;  // drop-ins come and go independently of the base's text
        r = std::move(o);
      } else {
        r->adoptStateFrom(*o);
      }
      break;
    }
  }
  indexCalmGates();  // the rulesets carried over are other objects now
}

}  // namespace unitoomd
