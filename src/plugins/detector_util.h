// Small pieces shared by detectors.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/plugin.h"
#include "util/time.h"

namespace unitoomd {

// "Condition held without a break for at least `duration`."
class Sustained {
 public:
  // Returns true when the condition has held for `duration` as of `now`.
  bool update(bool holds, TimePoint now, Duration duration) {
    if (!holds) {
      since_.reset();
      lastNotHeld_ = now;
      return false;
    }
    if (!since_) since_ = now;
    return now - *since_ >= duration;
  }
  // Evidence that the condition held since `t`, before it was first seen:
  // never before the last sample that saw it not hold.
  void backdate(TimePoint t) {
    if (since_) since_ = std::max(lastNotHeld_, std::min(*since_, t));
  }
  bool active() const { return since_.has_value(); }
  // When it will have held for `duration`, if it goes on holding.
  std::optional<TimePoint> heldAt(Duration duration) const {
    return since_ ? std::optional<TimePoint>(*since_ + duration) : std::nullopt;
  }
  Duration heldFor(TimePoint now) const { return since_ ? std::chrono::duration_cast<Duration>(now - *since_) : Duration{0}; }

 private:
  std::optional<TimePoint> since_;
  TimePoint lastNotHeld_{};
};

// A detector woken by a trigger whose firing proves its limit was crossed
// within the trigger's window: the detector's own window then lay inside it
// no earlier than `earliest` (the trigger's window less the detector's
// window before the wake). Where in that span: the stall counted between
// the reading before the wake and the one at it, spent at the rate seen
// since the wake, began `stalled / rate` before it, and the detector's
// window crossed the limit `limit x window / rate` after that.
struct ProvenWake {
  TimePoint earliest{};
  TimePoint at{};            // the sample at the wake
  uint64_t stalledUsec = 0;  // between the reading before the wake and the one at it

  static std::optional<ProvenWake> start(const StallProof& proof, const StallHistory& history, StallKind kind, Duration window);
  // nullopt until a reading after the wake gives the rate
  std::optional<TimePoint> crossedAt(const StallHistory& history, StallKind kind, double thresholdPercent, Duration window) const;
};

// The deepest part of a pattern without glob characters: "system.slice/*"
// -> "/system.slice". Stall anywhere below shows in its PSI.
std::string literalPrefix(const std::string& pattern);

// The path of the cgroup whose stall and reclaim counters bound those of
// every cgroup a pattern matches (pressure and memory.stat add up a
// subtree): a glob's literal prefix, or an exact cgroup's parent. The
// parent, not a deeper bound, because siblings share it: within a sample it
// is read once for all of them, so 1,000 units' rulesets under one slice
// cost one read of that slice while it is calm. Empty for "/" (nothing is
// above it).
std::string boundingAncestorPath(const std::string& pattern);

// That cgroup, in this sample; null when the path is empty or does not exist.
CgroupView* boundingAncestor(SampleContext& ctx, const std::string& ancestorPath);

bool hasGlob(std::string_view pattern);

void addWakeSources(std::vector<WakeSource>& out, const std::vector<std::string>& patterns, Resource r, double thresholdPercent);
// The same for a detector that takes what a trigger at its own limit and
// kind proves (applicableProof): patterns that name one cgroup may get one.
void addProvableWakeSources(std::vector<WakeSource>& out, const std::vector<std::string>& patterns, Resource r,
                            double thresholdPercent, StallKind kind);

// The trigger that fired on `cgroup` since the last sample, if what it
// proves (its kind, at least its percent) is what the detector asks.
const StallProof* applicableProof(const SampleContext& ctx, const std::string& cgroup, Resource r, StallKind kind,
                                  double thresholdPercent);

Resource parseResource(class PluginArgs& args);

}  // namespace unitoomd
