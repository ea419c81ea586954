// A plugin does one thing. Detectors and actions share this one interface,
// as in oomd's model (`continue` and `stop` are both, `dump_cgroup_overview`
// is usually a detector).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/calm_gate.h"
#include "engine/context.h"
#include "engine/history.h"

namespace unitoomd {

class KillOperation;

enum class PluginResult { Continue, Stop, AsyncPaused };

// A pressure file whose PSI trigger wakes the daemon when this detector could
// start to matter. `cgroup` is a literal path (the deepest non-glob prefix of
// the detector's pattern: pressure is hierarchical, so stall in any match
// shows in it).
struct WakeSource {
  std::string cgroup;
  Resource resource = Resource::Memory;
  double thresholdPercent = 0;       // the detector's own limit
  StallKind kind = StallKind::Some;  // the stall the detector measures
  // The detector watches this very cgroup (not the ancestor of a glob's
  // matches): a trigger with its own kind and limit proves what it measures.
  bool exact = false;
};

class Plugin {
 public:
  virtual ~Plugin() = default;
  // Runs for every plugin on every sample before any ruleset, so counters
  // that need every sample (growth averages, scan rates) stay right.
  virtual void prerun(SampleContext&) {}
  virtual PluginResult run(SampleContext& ctx) = 0;
  // Detectors that measure stall declare what should wake the daemon. A
  // detector group with no such detector has to be sampled on a timer.
  virtual void wakeSources(std::vector<WakeSource>&) const {}
  // True while the plugin is timing something (e.g. "above for 30 s") that
  // needs samples at the short interval.
  virtual bool timing() const { return false; }
  // The kill an action has in flight while its chain is paused on it, so
  // the daemon can wait on the victim's death instead of sampling.
  virtual const KillOperation* killInFlight() const { return nullptr; }
  // A detector that follows a level towards its limit (swap filling up) may
  // say, after a run, how long it cannot fire at the fastest pace it has
  // seen, halved: its group cannot fire before. None: it may fire any time.
  virtual std::optional<Duration> quietFor() const { return std::nullopt; }
  // A detector that no PSI trigger can wake in time (memory filling fast
  // stalls nobody until the last moment) says how long the daemon may wait
  // for its next sample; nullopt: the usual idle interval will do.
  virtual std::optional<Duration> sampleWithin() const { return std::nullopt; }
  // A detector timing a duration ("above for 2 s"): when it will have held
  // it, if it goes on holding. A sample then can decide.
  virtual std::optional<TimePoint> decidesAt() const { return std::nullopt; }
  // A detector that predicts: seconds until what it watches runs out, as of
  // the last sample (for warnings that let applications free memory first).
  virtual std::optional<double> secondsLeft() const { return std::nullopt; }
  // A detector that cannot fire while one ancestor's stall stays low names
  // that ancestor (engine/calm_gate.h): the engine reads it once for all
  // the detectors that share it.
  virtual std::optional<CalmGate> calmGate() const { return std::nullopt; }
  // Instead of run(), given what the gate's ancestor bounds (nullopt:
  // nothing known): true when a run would surely say Stop now, having kept
  // what such a run keeps; the engine then skips the ruleset, unless
  // another of its groups still may fire. False: it must run.
  virtual bool stoppedByCalm(SampleContext&, std::optional<double> /*ancestorCeiling*/) { return false; }
  // The ceiling (as handed to stoppedByCalm) under which stoppedByCalm
  // surely says true while this detector times nothing and no trigger
  // fired beneath its gate: the engine then leaves it asleep, unasked,
  // with the other rulesets under that gate. nullopt: always ask.
  virtual std::optional<double> calmBelow() const { return std::nullopt; }
  // Left asleep that way, it was not asked at the samples up to `t`: keep
  // what stoppedByCalm would have kept then (called before it is next
  // asked or run).
  virtual void ruledOutAt(TimePoint /*t*/) {}
  // Whether prerun must see every sample even while the engine skips this
  // detector's ruleset (it follows a trend); false lets 10,000 skipped
  // rulesets cost nothing. Unless a detector knows better: true.
  virtual bool prerunsWhileSkipped() const { return true; }

  const char* name() const { return name_; }
  // The registry's own name for it (PluginInfo::name), which outlives
  // every plugin: 3,000 plugins of 1,000 unit rulesets need no copy.
  void setName(const char* n) { name_ = n; }

 private:
  const char* name_ = "";
};

}  // namespace unitoomd
