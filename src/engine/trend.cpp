#include "engine/trend.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace unitoomd {

void Trend::add(TimePoint at, double value) {
  // A clock that went back (a test's, or a restarted history) starts over.
  if (!points_.empty() && at <= points_.back().at) points_.clear();
  points_.push_back({at, value});
  size_t drop = 0;
  while (points_.size() - drop > kMaxPoints || (points_.size() - drop > 1 && at - points_[drop].at > window_)) ++drop;
  points_.erase(points_.begin(), points_.begin() + static_cast<std::ptrdiff_t>(drop));
}

std::optional<Trend::Fit> Trend::fit() const {
  if (points_.size() < minPoints_) return std::nullopt;
  if (minPoints_ >= 3 && (points_.back().at - points_.front().at) * 3 < window_) return std::nullopt;
  std::vector<double> slopes;
  slopes.reserve(points_.size() * (points_.size() - 1) / 2);
  for (size_t i = 0; i < points_.size(); ++i)
    for (size_t j = i + 1; j < points_.size(); ++j) {
      double dt = toSeconds(std::chrono::duration_cast<Duration>(points_[j].at - points_[i].at));
      slopes.push_back((points_[j].value - points_[i].value) / dt);
    }
  auto mid = slopes.begin() + static_cast<std::ptrdiff_t>(slopes.size() / 2);
  std::nth_element(slopes.begin(), mid, slopes.end());
  Fit f;
  f.slopePerSecond = *mid;
  if (slopes.size() % 2 == 0) f.slopePerSecond = (*mid + *std::max_element(slopes.begin(), mid)) / 2;
  size_t agree = 0;
  for (double s : slopes)
    if ((s < 0 && f.slopePerSecond < 0) || (s > 0 && f.slopePerSecond > 0) || (s == 0 && f.slopePerSecond == 0)) ++agree;
  f.agreement = static_cast<double>(agree) / static_cast<double>(slopes.size());
  double score = 0;  // rising pairs minus falling pairs
  for (double s : slopes) score += s > 0 ? 1 : s < 0 ? -1 : 0;
  double n = static_cast<double>(points_.size());
  double sd = std::sqrt(n * (n - 1) * (2 * n + 5) / 18);
  f.mannKendallZ = score > 0 ? (score - 1) / sd : score < 0 ? (score + 1) / sd : 0;
  return f;
}

std::optional<double> Trend::lastSlopePerSecond() const {
  if (points_.size() < 2) return std::nullopt;
  const auto& a = points_[points_.size() - 2];
  const auto& b = points_.back();
  return (b.value - a.value) / toSeconds(std::chrono::duration_cast<Duration>(b.at - a.at));
}

std::optional<double> secondsUntilExhausted(double room, double slope, double minDeclinePerSecond) {
  if (-slope < minDeclinePerSecond || slope >= 0) return std::nullopt;
  if (room <= 0) return 0.0;
  return room / -slope;
}

}  // namespace unitoomd
