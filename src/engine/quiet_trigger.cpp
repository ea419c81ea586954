#include "engine/quiet_trigger.h"

#include <algorithm>

namespace unitoomd {

std::optional<double> stallCeiling(const QuietTrigger& trigger, StallKind kind, Duration window, TimePoint now) {
  if (trigger.window.count() <= 0 || window.count() <= 0) return std::nullopt;
  if (kind == StallKind::Some && trigger.kind == StallKind::Full) return std::nullopt;
  // Both: the window must begin after `since`, and a firing held back for
  // one trigger window after the last must have had its chance to come.
  if (now - trigger.since < std::max(window, trigger.window)) return std::nullopt;
  long long windows = (window.count() + trigger.window.count() - 1) / trigger.window.count() + 1;
  double ceiling = trigger.percent * static_cast<double>(windows) * static_cast<double>(trigger.window.count()) /
                   static_cast<double>(window.count());
  return std::min(ceiling, 100.0);
}

bool quietForAWindow(const QuietTrigger& trigger, TimePoint now) {
  return trigger.window.count() > 0 && now - trigger.since >= trigger.window;
}

}  // namespace unitoomd
