// unitoomd's numbers for fleet monitoring (`unitoomctl metrics`, the D-Bus
// method Metrics, node_exporter's textfile collector): a plain record the
// daemon fills, and its rendering as OpenMetrics text (or as Prometheus'
// older text format, which node_exporter's textfile collector reads). Pure:
// no bus, no clock, no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace unitoomd {

// Cumulative buckets, as Prometheus and OpenMetrics count them.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upperBounds);
  void observe(double value);
  const std::vector<double>& bounds() const { return bounds_; }
  const std::vector<uint64_t>& counts() const { return counts_; }  // per bucket, not cumulative; last: above all
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  double sum_ = 0;
};

struct CgroupPressureMetric {
  std::string cgroup;
  double someAvg10 = -1, fullAvg10 = -1;                // percent; -1: unreadable
  double someStallSeconds = -1, fullStallSeconds = -1;  // PSI totals; -1: unreadable
};

struct Metrics {
  struct KillKey {
    std::string ruleset, method, outcome;  // outcome: killed, failed, dry_run
    auto operator<=>(const KillKey&) const = default;
  };
  std::string version;
  std::map<KillKey, uint64_t> kills;
  uint64_t kernelOomKills = 0;
  uint64_t rulesets = 0;
  int64_t unitsFollowed = -1;  // -1: not following systemd
  std::vector<CgroupPressureMetric> cgroups;
  uint64_t samples = 0;
  Histogram sampleSeconds{{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1}};
  uint64_t triggersArmed = 0;
  Histogram timeToDeathSeconds{{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}};
  double residentBytes = -1, cpuSeconds = -1;  // the daemon's own; -1: unreadable
};

// The short method label of a kill report's method ("KillUnit(all, SIGKILL)
// (...)" -> "KillUnit", "cgroup.kill", "stop timed out, then ..." -> its
// first step): few distinct values, as a label should have.
std::string killMethodLabel(const std::string& method);

enum class MetricsFormat { OpenMetrics, Prometheus };
std::string renderMetrics(const Metrics& m, MetricsFormat format);

// From /proc/self/stat's text (fields 14, 15: utime, stime in clock ticks;
// 24: rss in pages): the daemon's CPU seconds and resident bytes.
bool parseOwnUsage(const std::string& statText, long ticksPerSecond, long pageBytes, double& cpuSeconds, double& residentBytes);

}  // namespace unitoomd
