// What a PSI trigger that has not fired says about its cgroup: an upper
// bound on the stall, known without reading the cgroup. 1,000 unit
// rulesets each have their cgroup's trigger armed; while those stay quiet
// an idle sample need not read one of the 1,000 pressure files.
#pragma once

#include <optional>
#include <string>

#include "engine/history.h"
#include "util/time.h"

namespace unitoomd {

// A trigger armed on a cgroup, quiet since `since`: when it was armed, or
// when it last fired. (A removed cgroup's trigger reports EPOLLERR and is
// dropped; one made again under the same path has no trigger until the
// next re-arm, so none speaks for it meanwhile.)
//
// What the kernel guarantees (kernel/sched/psi.c, update_triggers): from
// arming on, time is cut into consecutive tracking windows of at least
// `window` each (a window ends at the first update after `window` has
// passed); every new stall is checked against the window it falls in, and
// a window whose growth reaches `percent` of `window` fires the trigger,
// at once or, within one window of the last firing, one window after it
// (held back, never dropped). So while no firing came, no window that
// began after `since` (and none at all after a firing a window ago) has
// stalled `percent`. The stall of the last moments that the kernel's
// poller has not yet accounted can still fire it: that firing then wakes
// a sample of its own.
struct QuietTrigger {
  StallKind kind = StallKind::Some;
  double percent = 0;
  Duration window{0};
  TimePoint since{};
};

// The triggers' side of a sample (the daemon's armed triggers; a plain map
// in tests).
class QuietTriggers {
 public:
  virtual ~QuietTriggers() = default;
  // The trigger armed on this cgroup for `r`, quiet since it was armed or
  // last fired; nullopt when none is armed there.
  virtual std::optional<QuietTrigger> quiet(const std::string& cgroup, Resource r) const = 0;
};

// The most `kind` stall (percent of wall time) the cgroup can have shown
// over the `window` ending at `now`, given its quiet trigger; nullopt when
// the trigger does not cover that window (armed or fired too recently) or
// speaks of another kind (a `full` trigger bounds no `some` stall; a
// `some` one bounds both). The window ending now meets at most
// ceil(window / trigger window) + 1 of the kernel's tracking windows, each
// below the trigger's stall.
std::optional<double> stallCeiling(const QuietTrigger& trigger, StallKind kind, Duration window, TimePoint now);

// The trigger has been quiet for at least one of its windows as of `now`:
// by the kernel's own measure, no stall reached its threshold then.
bool quietForAWindow(const QuietTrigger& trigger, TimePoint now);

}  // namespace unitoomd
