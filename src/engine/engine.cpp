#include "engine/engine.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
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

namespace {

// The detector behind one gate in each group of `r`, the same gate for
// all (read once, it decides the whole ruleset at once); empty when a
// group has none.
std::vector<Plugin*> gatedDetectors(const Ruleset& r, std::optional<CalmGate>& shared) {
  std::vector<Plugin*> out;
  for (const auto& g : r.groups) {
    Plugin* gated = nullptr;
    for (const auto& d : g.detectors) {
      auto gate = d->calmGate();
      if (gate && (!shared || !(*gate < *shared || *shared < *gate))) {
        shared = gate;
        gated = d.get();
        break;
      }
    }
    if (!gated) return {};
    out.push_back(gated);
  }
  return out;
}

bool prerunsWhileSkipped(const Ruleset& r) {
  for (const auto& g : r.groups)
    for (const auto& d : g.detectors)
      if (d->prerunsWhileSkipped()) return true;
  return false;
}

}  // namespace

void Engine::indexCalmGates() {
  gates_.clear();
  ungated_.clear();
  prerunWhenOut_.clear();
  std::map<CalmGate, Gate> byGate;
  std::set<CalmGate> askEach;  // a detector there has no Plugin::calmBelow
  for (size_t i = 0; i < rulesets_.size(); ++i) {
    Ruleset& r = *rulesets_[i];
    std::optional<CalmGate> shared;
    std::vector<Plugin*> gated = r.disabled || r.groups.empty() ? std::vector<Plugin*>{} : gatedDetectors(r, shared);
    if (gated.empty()) {
      r.ruledOut_ = false;
      ungated_.push_back(i);
      continue;
    }
    Gate& gate = byGate[*shared];
    gate.key = *shared;
    for (Plugin* d : gated) {
      auto below = d->calmBelow();
      if (!below) askEach.insert(*shared);
      else if (!gate.calmBelow || *below < *gate.calmBelow) gate.calmBelow = below;
    }
    if (!r.ruledOut_) gate.awake.push_back(gate.members.size());
    gate.members.push_back(GatedRuleset{&r, i, std::move(gated)});
    if (prerunsWhileSkipped(r)) prerunWhenOut_.push_back(i);
  }
  for (auto& [key, gate] : byGate) {
    if (askEach.count(key)) gate.calmBelow.reset();
    gates_.push_back(std::move(gate));
  }
  indexCovers();
  running_ = ungated_;
  for (const Gate& g : gates_)
    for (size_t m : g.awake) running_.push_back(g.members[m].index);
  std::sort(running_.begin(), running_.end());
}

void Engine::indexCovers() {
  covers_.clear();
  uncovered_.clear();
  std::map<CalmGate, std::vector<size_t>> byParent;
  for (size_t g = 0; g < gates_.size(); ++g) {
    CalmGate parent = gates_[g].key;
    parent.ancestor = parentCgroup(parent.ancestor);
    if (parent.ancestor.empty()) uncovered_.push_back(g);
    else byParent[parent].push_back(g);
  }
  for (auto& [key, gates] : byParent) {
    if (gates.size() < 2) {  // the gate's own read is as cheap
      uncovered_.insert(uncovered_.end(), gates.begin(), gates.end());
      continue;
    }
    Cover c{key, gates_[gates[0]].calmBelow, gates};
    for (size_t g : gates)
      if (!gates_[g].calmBelow) c.calmBelow.reset();
      else if (c.calmBelow) c.calmBelow = std::min(*c.calmBelow, *gates_[g].calmBelow);
    covers_.push_back(std::move(c));
  }
}

void Engine::ruleOutCalm(SampleContext& ctx) {
  running_ = ungated_;
  for (const Cover& c : covers_) {
    if (allAsleepUnder(c, ctx)) {
      for (size_t g : c.gates) gates_[g].lastRuledOut = ctx.now();
    } else {
      for (size_t g : c.gates) ruleOutUnder(gates_[g], ctx);
    }
  }
  for (size_t g : uncovered_) ruleOutUnder(gates_[g], ctx);
  std::sort(running_.begin(), running_.end());
}

// Every ruleset under the cover's gates sleeps, and stays asleep: the
// parent bounds all of them as each gate's ancestor would (a descendant's
// stall is in every ancestor's), under the lowest of their limits.
bool Engine::allAsleepUnder(const Cover& cover, SampleContext& ctx) const {
  if (!cover.calmBelow) return false;
  for (size_t g : cover.gates)
    if (!gates_[g].awake.empty()) return false;
  if (provenBeneath(ctx, cover.key)) return false;
  try {
    auto ceiling = descendantCeiling(ctx, cover.key);
    return ceiling && *ceiling < *cover.calmBelow;
  } catch (const std::exception& e) {
    LOG_ERROR("calm gate on %s failed: %s", cover.key.ancestor.c_str(), e.what());
    return false;
  }
}

void Engine::ruleOutUnder(Gate& gate, SampleContext& ctx) {
  std::optional<std::optional<double>> ceiling;  // read on first need
  std::string failure;
  auto ceilingNow = [&]() -> std::optional<double> {
    if (!ceiling) {
      try {
        ceiling = descendantCeiling(ctx, gate.key);
      } catch (const std::exception& e) {
        failure = e.what();
        ceiling.emplace();  // nothing known: each ruleset decides on its own
      }
    }
    return *ceiling;
  };
  // The sleeping stay asleep without a look: their detectors time nothing
  // (they have not run since), the ancestor bounds every one of them below
  // its limit, and no trigger's proof speaks for one.
  bool sleepersStay = false;
  if (gate.calmBelow && !provenBeneath(ctx, gate.key)) {
    auto c = ceilingNow();
    sleepersStay = c && *c < *gate.calmBelow;
  }
  std::vector<size_t> awake;
  auto visit = [&](size_t m) {
    GatedRuleset& g = gate.members[m];
    Ruleset& r = *g.ruleset;
    bool out = false;
    // A ruleset timing anything or with an action under way runs (one
    // ruled out at the last sample has not run since: still neither).
    if (!r.disabled && (r.ruledOut_ || !r.timing())) {
      try {
        out = std::all_of(g.gated.begin(), g.gated.end(), [&](Plugin* d) { return d->stoppedByCalm(ctx, ceilingNow()); });
      } catch (const std::exception& e) {
        failure = e.what();  // it runs as it would without the gate
        out = false;
      }
    }
    r.ruledOut_ = out;
    if (!out) {
      awake.push_back(m);
      running_.push_back(g.index);
    }
  };
  if (sleepersStay) {
    for (size_t m : gate.awake) visit(m);
  } else {
    for (size_t m = 0; m < gate.members.size(); ++m) {
      GatedRuleset& g = gate.members[m];
      if (g.ruleset->ruledOut_ && gate.lastRuledOut)
        for (Plugin* d : g.gated) d->ruledOutAt(*gate.lastRuledOut);
      visit(m);
    }
  }
  gate.awake = std::move(awake);
  gate.lastRuledOut = ctx.now();  // every one asleep now was ruled out at this sample
  if (!failure.empty()) LOG_ERROR("calm gate on %s failed: %s", gate.key.ancestor.c_str(), failure.c_str());
}

void Engine::catchUpSleepers() {
  for (Gate& gate : gates_) {
    if (!gate.lastRuledOut) continue;
    for (GatedRuleset& g : gate.members)
      if (g.ruleset->ruledOut_)
        for (Plugin* d : g.gated) d->ruledOutAt(*gate.lastRuledOut);
    gate.lastRuledOut.reset();
  }
}

void Engine::runOnce(SampleContext& ctx) {
  // Before any ruleset runs (the gate only reads its ancestors). prerun is
  // for every sample: a ruled-out ruleset may hold a detector that follows
  // a trend beside its gated one (prerunWhenOut_), in the order of all.
  ruleOutCalm(ctx);
  auto prerun = [&](size_t i) {
    Ruleset& r = *rulesets_[i];
    if (!r.disabled) r.prerun(ctx, r.ruledOut_);
  };
  size_t w = 0;
  for (size_t i : running_) {
    for (; w < prerunWhenOut_.size() && prerunWhenOut_[w] < i; ++w)
      if (rulesets_[prerunWhenOut_[w]]->ruledOut_) prerun(prerunWhenOut_[w]);
    prerun(i);
  }
  for (; w < prerunWhenOut_.size(); ++w)
    if (rulesets_[prerunWhenOut_[w]]->ruledOut_) prerun(prerunWhenOut_[w]);
  for (size_t i : running_) {
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

// A ruleset ruled out cannot fire before its gate's stall rises, which
// its PSI trigger reports: it asks for no sample of its own.
Duration Engine::quietFor() const {
  Duration shortest = Duration::max();
  forEachNotRuledOut([&](const Ruleset& r) { shortest = std::min(shortest, r.quietFor()); });
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
  for (size_t i : running_) {
    auto& r = rulesets_[i];
    if (!r->actionPending()) continue;
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
  old.catchUpSleepers();  // they sleep on under new gates
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
