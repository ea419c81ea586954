// The oomd2 rule engine: a ruleset fires when any of its detector groups
// fires (OR); a group fires when all of its detectors say Continue (AND).
// Every detector runs on every sample, fired or not, so sliding windows stay
// right. Actions run as a chain: Continue goes on, Stop ends the chain and
// pauses the ruleset's actions for its post-action delay, AsyncPaused
// resumes at the same action on the next sample.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/plugin.h"
#include "util/time.h"

namespace unitoomd {

struct DetectorGroup {
  std::string name;
  std::vector<std::unique_ptr<Plugin>> detectors;
};

enum class RulesetState { Armed, Paused, ActionPending, Disabled };
const char* rulesetStateName(RulesetState s);

class Ruleset {
 public:
  std::string name;
  std::string description;
  std::string origin;
  uint64_t fingerprint = 0;  // of the IR it came from (see compiler.h)
  Duration postActionDelay = std::chrono::seconds(15);
  bool silenceEngineLogs = false;
  bool disabled = false;  // disable-on-drop-in while a drop-in targets it
  std::vector<DetectorGroup> groups;
  std::vector<std::unique_ptr<Plugin>> actions;

  // `ruledOut`: by its calm gate this sample, so timing nothing (its
  // detectors' prerun still runs: they may follow a trend).
  void prerun(SampleContext& ctx, bool ruledOut = false);
  // Returns true when actions ran.
  bool runOnce(SampleContext& ctx);
  // Between samples: takes the paused action's next step (a kill in flight
  // was answered, its victim died, a deadline passed) without running a
  // detector. Nothing to do unless an action is pending.
  void resumePendingAction(SampleContext& ctx);
  const KillOperation* killInFlight() const;

  RulesetState state(TimePoint now) const;
  bool timing() const;  // a detector is mid-duration or an action is paused async
  bool detectorsTiming() const;  // a detector is mid-duration
  // How long none of its groups can fire: each group waits for its slowest
  // detector (Plugin::quietFor); zero when any group may fire now. While
  // its action waits on a kill under way (and no detector times a
  // duration), Duration::max(): the daemon's KillWatch follows the kill,
  // and nothing here can fire before it ends.
  Duration quietFor() const;
  // The soonest any detector wants its next sample (Plugin::sampleWithin).
  std::optional<Duration> sampleWithin() const;
  // The soonest a detector timing a duration holds it (Plugin::decidesAt).
  std::optional<TimePoint> decidesAt() const;
  // The shortest time left any detector predicts (Plugin::secondsLeft).
  std::optional<double> secondsLeft() const;
  bool actionPending() const { return !disabled && resumeAt_.has_value(); }  // e.g. a kill in flight
  std::optional<TimePoint> pausedUntil() const { return pausedUntil_; }
  void adoptStateFrom(const Ruleset& old);

 private:
  void runActions(SampleContext& ctx, size_t start);

  std::optional<TimePoint> pausedUntil_;
  std::optional<size_t> resumeAt_;  // async-paused action index
  // The context kept for the resumed chain, only while one is paused: held
  // inline it made each of 1,000 unit rulesets 160 B larger.
  std::unique_ptr<ActionContext> pendingAction_;
};

class Engine {
 public:
  explicit Engine(std::vector<std::unique_ptr<Ruleset>> rulesets) : rulesets_(std::move(rulesets)) { indexCalmGates(); }

  void runOnce(SampleContext& ctx);
  const std::vector<std::unique_ptr<Ruleset>>& rulesets() const { return rulesets_; }
  // For the compiler, which takes unchanged rulesets over (compiler.h's
  // carryFrom): an engine left with empty slots is only to be dropped.
  std::vector<std::unique_ptr<Ruleset>>& rulesetSlots() { return rulesets_; }

  // What should wake the daemon, and whether some group can only be checked
  // by sampling on a timer.
  std::vector<WakeSource> wakeSources() const;
  bool hasUntriggeredGroups() const;
  bool timing() const;
  // Only detectors timing a duration: what keeps the daemon at the short
  // sample interval (a kill under way alone does not, see Ruleset::quietFor).
  bool detectorsTiming() const;
  // The shortest Ruleset::quietFor (Duration::max(): none can fire, ever).
  Duration quietFor() const;
  std::optional<Duration> sampleWithin() const;
  std::optional<TimePoint> decidesAt() const;
  bool actionPending() const;
  // Advances only the rulesets whose actions are paused on a kill in
  // flight: cheap, for the moments between samples when a kill moves on.
  void resumePendingActions(SampleContext& ctx);
  std::vector<const KillOperation*> killsInFlight() const;
  // The rulesets not ruled out by their calm gate at the last sample, in
  // order. One ruled out has not run since: it times nothing, has no
  // action under way, and asks nothing of the sampler (it waits on its
  // gate's stall, which PSI triggers watch), so the questions above and
  // the announcer look only at these: what an idle sample costs follows
  // what stalls, not the 10,000 rulesets that exist.
  template <typename F>
  void forEachNotRuledOut(F&& f) const {
    for (size_t i = 0; i < rulesets_.size(); ++i)
      if (!ruledOut_[i]) f(*rulesets_[i]);
  }
  // Across a reload: a ruleset that did not change is carried over whole
  // (detectors mid-duration keep timing, a kill in flight goes on); one that
  // changed keeps only its pause.
  void adoptStateFrom(Engine& old);

 private:
  // Rulesets whose every detector group has a detector behind one calm
  // gate (engine/calm_gate.h), by gate: each gate's ancestor is read once
  // a sample, and the rulesets it rules out are not run.
  struct GatedRuleset {
    size_t ruleset;                // index into rulesets_
    std::vector<Plugin*> gated;    // one detector a group
  };
  void indexCalmGates();
  // Which rulesets this sample need not run (ruledOut_): their gated
  // detectors said Stop already (Plugin::stoppedByCalm).
  void ruleOutCalm(SampleContext& ctx);

  std::vector<std::unique_ptr<Ruleset>> rulesets_;
  std::vector<std::pair<CalmGate, std::vector<GatedRuleset>>> calmGates_;
  std::vector<bool> ruledOut_;  // by index, at the last sample
};

}  // namespace unitoomd
