// Skipping rulesets wholesale under a calm ancestor. 10,000 unit rulesets
// sit under a hundred slices; while a slice's stall bounds every cgroup
// below it under their limits, none of its rulesets can fire, and running
// each one to find that out made an idle sample cost what exists. A
// detector names the ancestor that bounds it (its gate); the engine reads
// each such ancestor once a sample and lets the detectors it rules out say
// Stop without running their rulesets.
#pragma once

#include <optional>
#include <string>
#include <tuple>

#include "engine/context.h"

namespace unitoomd {

// Which ancestor's stall bounds a detector, and measured how: the key the
// engine groups rulesets by (siblings share it).
struct CalmGate {
  std::string ancestor;  // non-empty: a cgroup path
  Resource resource = Resource::Memory;
  Duration window{0};  // zero: avg10
  bool operator<(const CalmGate& o) const {
    return std::tie(ancestor, resource, window) < std::tie(o.ancestor, o.resource, o.window);
  }
};

// The most stall (percent) any cgroup below the gate's ancestor can have
// shown over the gate's window, from the ancestor's `some` stall
// (descendantStallBound); nullopt when the ancestor cannot be read. Woken
// from idle, the ancestor's last reading is long ago: all of its stall
// since then may have been in the last window.
std::optional<double> descendantCeiling(SampleContext& ctx, const CalmGate& gate);

// The parent of a cgroup path; empty for "/" and for no path.
std::string parentCgroup(const std::string& path);

// A PSI trigger fired since the last sample on the gate's ancestor or a
// cgroup beneath it (for the gate's resource): what it proves is the
// cgroup's own reading, which no ceiling overrules.
bool provenBeneath(const SampleContext& ctx, const CalmGate& gate);

}  // namespace unitoomd
