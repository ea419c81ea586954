#include "observe/pressure_window.h"

#include <algorithm>
#include <cmath>

namespace unitoomd {

std::optional<double> stallPercent(const StallHistory& history, StallKind kind, Duration window) {
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
  auto measureFrom = [&](const StallPoint& from) {
    if (total(last) < total(from)) return false;  // counter went back: a different cgroup
    spanUs = static_cast<double>(std::chrono::duration_cast<Duration>(last.at - from.at).count());
    stalledUs = static_cast<double>(total(last) - total(from));
    return true;
  };
  bool baseUsable = base && static_cast<double>(std::chrono::duration_cast<Duration>(last.at - base->at).count()) <=
                                3.0 * static_cast<double>(window.count());
  if (baseUsable) {
    if (!measureFrom(*base)) return std::nullopt;
  } else if (!base && total(history.front()) == 0 && history.front().someUsec == 0) {
    spanUs = static_cast<double>(window.count());
    stalledUs = static_cast<double>(total(last));
  } else {
    // A gap in the history (the daemon slept on its PSI triggers until the
    // stall began): the points since then give the stall over a shorter
    // span, down to a quarter of the window, instead of nothing (and avg10's
    // seconds of lag).
    const StallPoint* recent = nullptr;
    for (auto it = history.rbegin() + 1; it != history.rend() && last.at - it->at < window; ++it) recent = &*it;
    if (!recent || (last.at - recent->at) * 4 < window || !measureFrom(*recent)) return std::nullopt;
  }
  if (spanUs <= 0) return std::nullopt;
  double pct = 100.0 * stalledUs / spanUs;
  return pct > 100.0 ? 100.0 : pct;
}

std::optional<double> worstWindowStall(const StallHistory& history, StallKind kind, Duration window) {
  if (history.size() < 2 || window.count() <= 0) return std::nullopt;
  const StallPoint& last = history.back();
  const StallPoint& prev = history[history.size() - 2];
  if (last.at - prev.at < window) return std::nullopt;
  uint64_t a = kind == StallKind::Some ? prev.someUsec : prev.fullUsec;
  uint64_t b = kind == StallKind::Some ? last.someUsec : last.fullUsec;
  if (b < a) return std::nullopt;  // counter went back: a different cgroup
  double stalledUs = static_cast<double>(b - a);
  return std::min(100.0, 100.0 * stalledUs / static_cast<double>(window.count()));
}

double descendantStallBound(double ancestorSomePercent, unsigned cpus) {
  double fraction = std::clamp(ancestorSomePercent / 100.0, 0.0, 1.0);
  return 100.0 * std::min(1.0, std::sqrt(std::max(1u, cpus) * fraction));
}

void recordStall(StallHistory& history, StallPoint point, Duration keep) {
  if (!history.empty() && point.at <= history.back().at) return;  // one point per sample
  history.push_back(point);
  // keep one point older than `keep` so a full window stays measurable
  size_t drop = 0;
  while (history.size() - drop > 2 && point.at - history[drop + 1].at > keep) ++drop;
  history.erase(history.begin(), history.begin() + static_cast<std::ptrdiff_t>(drop));
}

}  // namespace unitoomd
