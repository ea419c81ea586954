#include "api/metrics.h"

#include <cstdio>

#include "util/display_text.h"
#include "util/parse.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

std::string number(double v) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// A label value: valid UTF-8 whatever the cgroup's bytes (OpenMetrics
// requires it), then the three escapes both formats define.
std::string labelValue(const std::string& raw) {
  std::string out;
  for (char c : utf8Safe(raw, shown::kPathBytes)) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

using Labels = std::vector<std::pair<std::string, std::string>>;

std::string labels(const Labels& l) {
  if (l.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < l.size(); ++i) out += (i ? "," : "") + l[i].first + "=\"" + labelValue(l[i].second) + "\"";
  return out + "}";
}

class Writer {
 public:
  explicit Writer(MetricsFormat f) : format_(f) {}

  // type: counter, gauge or histogram. A counter's samples end in _total;
  // OpenMetrics names the family without it, the older format with it.
  void family(const std::string& name, const char* type, const std::string& help) {
    std::string family = name;
    if (std::string(type) == "counter" && format_ == MetricsFormat::Prometheus) family += "_total";
    out_ += "# HELP " + family + " " + help + "\n";
    out_ += "# TYPE " + family + " " + type + "\n";
  }
  void sample(const std::string& name, const Labels& l, double v) { out_ += name + labels(l) + " " + number(v) + "\n"; }
  void histogram(const std::string& name, const Histogram& h) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < h.bounds().size(); ++i) {
      cumulative += h.counts()[i];
      sample(name + "_bucket", {{"le", number(h.bounds()[i])}}, static_cast<double>(cumulative));
    }
    sample(name + "_bucket", {{"le", "+Inf"}}, static_cast<double>(h.count()));
    sample(name + "_sum", {}, h.sum());
    sample(name + "_count", {}, static_cast<double>(h.count()));
  }
  std::string finish() {
    if (format_ == MetricsFormat::OpenMetrics) out_ += "# EOF\n";
    return out_;
  }

 private:
  MetricsFormat format_;
  std::string out_;
};

}  // namespace

Histogram::Histogram(std::vector<double> upperBounds) : bounds_(std::move(upperBounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  ++counts_[i];
  ++count_;
  sum_ += value;
}

std::string killMethodLabel(const std::string& method) {
  size_t end = method.find_first_of(" (,;");
  std::string head = method.substr(0, end);
  return head.empty() ? "none" : head;
}

std::string renderMetrics(const Metrics& m, MetricsFormat format) {
  Writer w(format);
  w.family("unitoomd_build_info", "gauge", "unitoomd's version, as a label; the value is always 1.");
  w.sample("unitoomd_build_info", {{"version", m.version}}, 1);

  w.family("unitoomd_kills", "counter",
           "Kills since start, by ruleset, method (KillUnit, StopUnit, RestartUnit, "
           "cgroup.kill, kill: one process) and outcome (killed, failed, dry_run).");
  for (const auto& [k, n] : m.kills)
    w.sample("unitoomd_kills_total", {{"ruleset", k.ruleset}, {"method", k.method}, {"outcome", k.outcome}},
             static_cast<double>(n));

  w.family("unitoomd_kernel_oom_kills", "counter",
           "Processes the kernel's OOM killer killed in the monitored cgroups since start (memory.events oom_kill).");
  w.sample("unitoomd_kernel_oom_kills_total", {}, static_cast<double>(m.kernelOomKills));

  w.family("unitoomd_rulesets", "gauge", "Rulesets running: from the config files and synthesized from units.");
  w.sample("unitoomd_rulesets", {}, static_cast<double>(m.rulesets));
  if (m.unitsFollowed >= 0) {
    w.family("unitoomd_units_followed", "gauge", "Units with ManagedOOM* settings that unitoomd follows.");
    w.sample("unitoomd_units_followed", {}, static_cast<double>(m.unitsFollowed));
  }

  w.family("unitoomd_memory_pressure_avg10_ratio", "gauge",
           "Memory pressure of each monitored cgroup over the last 10 s (PSI avg10, as a fraction), some and full.");
  for (const auto& c : m.cgroups) {
    if (c.someAvg10 >= 0)
      w.sample("unitoomd_memory_pressure_avg10_ratio", {{"cgroup", c.cgroup}, {"kind", "some"}}, c.someAvg10 / 100);
    if (c.fullAvg10 >= 0)
      w.sample("unitoomd_memory_pressure_avg10_ratio", {{"cgroup", c.cgroup}, {"kind", "full"}}, c.fullAvg10 / 100);
  }
  w.family("unitoomd_memory_stall_seconds", "counter",
           "Time the tasks of each monitored cgroup stalled on memory (PSI total), some and full.");
  for (const auto& c : m.cgroups) {
    if (c.someStallSeconds >= 0)
      w.sample("unitoomd_memory_stall_seconds_total", {{"cgroup", c.cgroup}, {"kind", "some"}}, c.someStallSeconds);
    if (c.fullStallSeconds >= 0)
      w.sample("unitoomd_memory_stall_seconds_total", {{"cgroup", c.cgroup}, {"kind", "full"}}, c.fullStallSeconds);
  }

  w.family("unitoomd_samples", "counter", "Samples taken: every ruleset evaluated once over fresh readings.");
  w.sample("unitoomd_samples_total", {}, static_cast<double>(m.samples));
  w.family("unitoomd_sample_duration_seconds", "histogram", "How long one sample took.");
  w.histogram("unitoomd_sample_duration_seconds", m.sampleSeconds);

  w.family("unitoomd_psi_triggers_armed", "gauge", "PSI triggers armed: the kernel wakes unitoomd when their stall is crossed.");
  w.sample("unitoomd_psi_triggers_armed", {}, static_cast<double>(m.triggersArmed));

  w.family("unitoomd_kill_time_to_death_seconds", "histogram",
           "From the kill's signal (systemd's answer to KillUnit, or cgroup.kill) until the victim's processes were all "
           "gone, for kills that succeeded (UNITOOMD_TIME_TO_DEATH_USEC of the kill report).");
  w.histogram("unitoomd_kill_time_to_death_seconds", m.timeToDeathSeconds);

  if (m.residentBytes >= 0) {
    w.family("process_resident_memory_bytes", "gauge", "unitoomd's resident memory.");
    w.sample("process_resident_memory_bytes", {}, m.residentBytes);
  }
  if (m.cpuSeconds >= 0) {
    w.family("process_cpu_seconds", "counter", "CPU time unitoomd used, user and system.");
    w.sample("process_cpu_seconds_total", {}, m.cpuSeconds);
  }
  return w.finish();
}

bool parseOwnUsage(const std::string& statText, long ticksPerSecond, long pageBytes, double& cpuSeconds, double& residentBytes) {
  // The command name (field 2) may hold spaces and ')': the fields that
  // follow start after its last ')'.
  size_t close = statText.rfind(')');
  if (close == std::string::npos || ticksPerSecond <= 0 || pageBytes <= 0) return false;
  std::vector<std::string_view> f = splitBlanks(std::string_view(statText).substr(close + 1));  // f[0] is field 3
  if (f.size() < 22) return false;
  auto utime = parseUnsigned(f[11]), stime = parseUnsigned(f[12]);
  auto rss = parseSigned(f[21]);
  if (!utime || !stime || !rss) return false;
  cpuSeconds = static_cast<double>(*utime + *stime) / static_cast<double>(ticksPerSecond);
  residentBytes = static_cast<double>(*rss) * static_cast<double>(pageBytes);
  return true;
}

}  // namespace unitoomd
