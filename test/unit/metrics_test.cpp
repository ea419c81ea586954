// The metrics text: both formats' rules for counters, histograms and label
// values, whatever bytes a cgroup's name holds.
#include <gtest/gtest.h>

#include "api/metrics.h"

namespace unitoomd {
namespace {

bool has(const std::string& text, const std::string& line) { return text.find(line + "\n") != std::string::npos; }

TEST(Metrics, OpenMetricsCountersNameTheFamilyWithoutTotalAndEndWithEof) {
  Metrics m;
  m.kills[{"work.slice/ManagedOOMMemoryPressure", "KillUnit", "killed"}] = 2;
  std::string t = renderMetrics(m, MetricsFormat::OpenMetrics);
  EXPECT_TRUE(has(t, "# TYPE unitoomd_kills counter")) << t;
  EXPECT_TRUE(
      has(t, "unitoomd_kills_total{ruleset=\"work.slice/ManagedOOMMemoryPressure\",method=\"KillUnit\",outcome=\"killed\"} 2"))
      << t;
  EXPECT_TRUE(t.ends_with("\n# EOF\n")) << t;
}

TEST(Metrics, PrometheusFormatNamesTheCounterFamilyWithTotalAndHasNoEof) {
  Metrics m;
  std::string t = renderMetrics(m, MetricsFormat::Prometheus);
  EXPECT_TRUE(has(t, "# TYPE unitoomd_kills_total counter")) << t;
  EXPECT_TRUE(has(t, "unitoomd_kernel_oom_kills_total 0")) << t;
  EXPECT_EQ(t.find("# EOF"), std::string::npos);
}

TEST(Metrics, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Metrics m;
  m.timeToDeathSeconds.observe(0.02);
  m.timeToDeathSeconds.observe(0.3);
  m.timeToDeathSeconds.observe(100);
  std::string t = renderMetrics(m, MetricsFormat::OpenMetrics);
  EXPECT_TRUE(has(t, "unitoomd_kill_time_to_death_seconds_bucket{le=\"0.01\"} 0")) << t;
  EXPECT_TRUE(has(t, "unitoomd_kill_time_to_death_seconds_bucket{le=\"0.025\"} 1")) << t;
  EXPECT_TRUE(has(t, "unitoomd_kill_time_to_death_seconds_bucket{le=\"0.5\"} 2")) << t;
  EXPECT_TRUE(has(t, "unitoomd_kill_time_to_death_seconds_bucket{le=\"30\"} 2")) << t;
  EXPECT_TRUE(has(t, "unitoomd_kill_time_to_death_seconds_bucket{le=\"+Inf\"} 3")) << t;
  EXPECT_TRUE(has(t, "unitoomd_kill_time_to_death_seconds_count 3")) << t;
  EXPECT_TRUE(has(t, "unitoomd_kill_time_to_death_seconds_sum 100.32")) << t;
}

TEST(Metrics, AHostileCgroupNameIsOneEscapedValidUtf8LabelValue) {
  Metrics m;
  m.cgroups.push_back({"/evil\"}\n\\x\xff", 12.5, 3, 1.5, 0.25});
  std::string t = renderMetrics(m, MetricsFormat::OpenMetrics);
  EXPECT_TRUE(has(t, "unitoomd_memory_pressure_avg10_ratio{cgroup=\"/evil\\\"}\\n\\\\x\\\\xff\",kind=\"some\"} 0.125")) << t;
  EXPECT_TRUE(has(t, "unitoomd_memory_stall_seconds_total{cgroup=\"/evil\\\"}\\n\\\\x\\\\xff\",kind=\"full\"} 0.25")) << t;
}

TEST(Metrics, UnreadableFiguresAreLeftOutNotZero) {
  Metrics m;
  m.cgroups.push_back({"/gone.slice"});
  std::string t = renderMetrics(m, MetricsFormat::OpenMetrics);
  EXPECT_EQ(t.find("/gone.slice"), std::string::npos) << t;
  EXPECT_EQ(t.find("process_resident_memory_bytes"), std::string::npos) << t;
  EXPECT_EQ(t.find("unitoomd_units_followed"), std::string::npos) << "not following systemd: " << t;
}

TEST(Metrics, KillMethodLabelIsTheFirstStep) {
  EXPECT_EQ(killMethodLabel("KillUnit(all, SIGKILL)"), "KillUnit");
  EXPECT_EQ(killMethodLabel("StopUnit(replace), then KillUnit(all, SIGKILL) after 10s"), "StopUnit");
  EXPECT_EQ(killMethodLabel("cgroup.kill (the unit is not the cgroup's)"), "cgroup.kill");
  EXPECT_EQ(killMethodLabel(""), "none");
}

TEST(Metrics, OwnUsageFromProcSelfStatWithAHostileCommandName) {
  std::string stat =
      "4242 (a) b) (c) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 123 10000000 512 18446744073709551615";
  double cpu = -1, rss = -1;
  ASSERT_TRUE(parseOwnUsage(stat, 100, 4096, cpu, rss));
  EXPECT_DOUBLE_EQ(cpu, 3.0);
  EXPECT_DOUBLE_EQ(rss, 512.0 * 4096);
  EXPECT_FALSE(parseOwnUsage("4242 (x) S 1", 100, 4096, cpu, rss));
}

}  // namespace
}  // namespace unitoomd
