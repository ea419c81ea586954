#include "observe/pressure_window.h"

namespace unitoomd {

std::optional<double> stallPercent(const std::deque<StallPoint>& history, StallKind kind, Duration window) {
  if (history.empty() || window.count() <= 0) return std::nullopt;
  const StallPoint& last = history.back();
  auto total = [kind](const StallPoint& p) { return kind == StallKind::Some ? p.someUsec : p.fullUsec; };
  const StallPoint* base = nullptr;
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    if (last.at - it->at >= window) {
      base = &*it;
      break;
    }
  }
  double spanUs = 0;
  double stalledUs = 0;
  if (base) {
    spanUs = static_cast<double>(std::chrono::duration_cast<Duration>(last.at - base->at).count());
    if (spanUs > 3.0 * static_cast<double>(window.count())) return std::nullopt;
    if (total(last) < total(*base)) return std::nullopt;  // counter went back: a different cgroup
    stalledUs = static_cast<double>(total(last) - total(*base));
  } else if (total(history.front()) == 0 && history.front().someUsec == 0) {
    spanUs = static_cast<double>(window.count());
    stalledUs = static_cast<double>(total(last));
  } else {
    return std::nullopt;
  }
  if (spanUs <= 0) return std::nullopt;
  double pct = 100.0 * stalledUs / spanUs;
  return pct > 100.0 ? 100.0 : pct;
}

void recordStall(std::deque<StallPoint>& history, StallPoint point, Duration keep) {
  if (!history.empty() && point.at <= history.back().at) return;  // one point per sample
  history.push_back(point);
  // keep one point older than `keep` so a full window stays measurable
  while (history.size() > 2 && point.at - history[1].at > keep) history.pop_front();
}

}  // namespace unitoomd
