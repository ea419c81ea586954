// What woke the daemon, and what each wake-up cost: the dump's "Woken by"
// must put the CPU time on the source whose callback spent it.
#include <gtest/gtest.h>

#include <time.h>

#include "util/event_names.h"

namespace unitoomd {
namespace {

double threadCpu() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

void spendCpu(double seconds) {
  double until = threadCpu() + seconds;
  volatile unsigned sink = 0;
  while (threadCpu() < until) sink = sink + 1;
}

const WakeCount* find(const std::vector<WakeCount>& v, const std::string& name) {
  for (const auto& w : v)
    if (w.source == name) return &w;
  return nullptr;
}

TEST(EventNames, CpuTimeGoesToTheSourceThatSpentIt) {
  sd_event* event = nullptr;
  ASSERT_GE(sd_event_new(&event), 0);
  sd_event_source *busy = nullptr, *cheap = nullptr;
  auto nothing = [](sd_event_source*, void*) { return 0; };
  ASSERT_GE(sd_event_add_defer(event, &busy, nothing, nullptr), 0);
  ASSERT_GE(sd_event_add_defer(event, &cheap, nothing, nullptr), 0);
  nameSource(busy, "test-busy");
  nameSource(cheap, "test-cheap");

  countWake(busy);
  spendCpu(0.05);
  countWake(cheap);
  countWake(busy);
  spendCpu(0.05);
  countWake(cheap);

  auto woken = busiestWakeSources(10);
  const WakeCount* b = find(woken, "test-busy");
  const WakeCount* c = find(woken, "test-cheap");
  ASSERT_TRUE(b && c);
  EXPECT_EQ(b->count, 2u);
  EXPECT_EQ(c->count, 2u);
  EXPECT_GE(b->cpuSeconds, 0.09);
  EXPECT_LT(c->cpuSeconds, 0.02);
  sd_event_source_unref(busy);
  sd_event_source_unref(cheap);
  sd_event_unref(event);
}

}  // namespace
}  // namespace unitoomd
