// Small pieces shared by detectors.
#pragma once

#include <optional>
#include <string>
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
      return false;
    }
    if (!since_) since_ = now;
    return now - *since_ >= duration;
  }
  bool active() const { return since_.has_value(); }
  Duration heldFor(TimePoint now) const {
    return since_ ? std::chrono::duration_cast<Duration>(now - *since_) : Duration{0};
  }

 private:
  std::optional<TimePoint> since_;
};

// The deepest part of a pattern without glob characters: "system.slice/*"
// -> "/system.slice". Stall anywhere below shows in its PSI.
std::string literalPrefix(const std::string& pattern);

// The cgroup that every match of a glob lies under (its literal prefix):
// its stall and reclaim counters add up theirs. Null for a pattern without
// glob characters (it names one cgroup) or a prefix that does not exist.
CgroupView* globAncestor(SampleContext& ctx, const std::string& pattern);

void addWakeSources(std::vector<WakeSource>& out, const std::vector<std::string>& patterns, Resource r, double thresholdPercent);

Resource parseResource(class PluginArgs& args);

}  // namespace unitoomd
