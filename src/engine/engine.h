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
  friend class Engine;
  void runActions(SampleContext& ctx, size_t start);

  // By its calm gate at the last sample (Engine keeps it; on the ruleset,
  // so that it outlives a reload that carries the ruleset over).
  bool ruledOut_ = false;

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
    for (size_t i : running_) f(*rulesets_[i]);
  }
  // Across a reload: a ruleset that did not change is carried over whole
  // (detectors mid-duration keep timing, a kill in flight goes on, ruled
  // out stays ruled out); one that changed keeps only its pause.
  void adoptStateFrom(Engine& old);

 private:
  // A ruleset whose every detector group has a detector behind one calm
  // gate (engine/calm_gate.h).
  struct GatedRuleset {
    Ruleset* ruleset;
    size_t index;                // into rulesets_
    std::vector<Plugin*> gated;  // one detector a group
  };
  // The rulesets behind one gate. Those ruled out at the last sample
  // sleep: while the gate's ancestor stays under `calmBelow` and no
  // trigger fired beneath it, a sample looks only at the `awake` ones,
  // so a calm slice over 100 sleeping rulesets costs one read.
  struct Gate {
    CalmGate key;
    std::optional<double> calmBelow;  // the lowest Plugin::calmBelow of its detectors; none: each is asked
    std::vector<GatedRuleset> members;
    std::vector<size_t> awake;             // into members: not ruled out at the last sample
    std::optional<TimePoint> lastRuledOut;  // the last sample that ruled the sleeping ones out
  };
  // Gates whose ancestors share a parent (b.slice over b-0.slice ...
  // b-99.slice): while every rule under them sleeps, the parent's ceiling
  // alone keeps them asleep, one read for 10,000 rulesets.
  struct Cover {
    CalmGate key;                     // the shared parent
    std::optional<double> calmBelow;  // the lowest of its gates'; none: each gate is read
    std::vector<size_t> gates;        // into gates_
  };
  void indexCalmGates();
  void indexCovers();
  bool allAsleepUnder(const Cover& cover, SampleContext& ctx) const;
  // Which rulesets this sample need not run: their gated detectors said
  // Stop already (Plugin::stoppedByCalm), or they sleep under a calm gate.
  // Leaves running_ the others, in order.
  void ruleOutCalm(SampleContext& ctx);
  void ruleOutUnder(Gate& gate, SampleContext& ctx);
  // What the sleeping rulesets of an old engine would have kept had they
  // been asked at each sample that ruled them out (Plugin::ruledOutAt).
  void catchUpSleepers();

  std::vector<std::unique_ptr<Ruleset>> rulesets_;
  std::vector<Gate> gates_;
  std::vector<Cover> covers_;
  std::vector<size_t> uncovered_;      // gates_ under no cover
  std::vector<size_t> ungated_;        // run at every sample, in order
  std::vector<size_t> prerunWhenOut_;  // gated, with a detector whose prerun sees every sample
  std::vector<size_t> running_;        // not ruled out at the last sample, in order
};

}  // namespace unitoomd
