#include <gtest/gtest.h>

#include <limits>

#include "observe/parsers.h"
#include "observe/pressure_window.h"
#include "util/parse.h"

using namespace unitoomd;

TEST(Psi, ParsesSomeAndFull) {
  auto p = parsePsi("some avg10=1.50 avg60=0.20 avg300=0.01 total=12345\nfull avg10=0.75 avg60=0.10 avg300=0.00 total=999\n");
  ASSERT_TRUE(p);
  EXPECT_DOUBLE_EQ(p->some.avg10, 1.5);
  EXPECT_EQ(p->some.totalUsec, 12345u);
  ASSERT_TRUE(p->full);
  EXPECT_DOUBLE_EQ(p->full->avg10, 0.75);
  EXPECT_EQ(p->full->totalUsec, 999u);
}

TEST(Psi, CpuFileWithoutFullLineIsFine) {
  auto p = parsePsi("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->full);
}

TEST(Psi, HostileInputIsUnknownNotACrash) {
  EXPECT_FALSE(parsePsi(""));
  EXPECT_FALSE(parsePsi("some avg10=1.50 avg60=0.20"));                                     // truncated
  EXPECT_FALSE(parsePsi("some avg10=abc avg60=0.20 avg300=0.01 total=1\n"));                // garbage
  EXPECT_FALSE(parsePsi("some avg10=1 avg60=1 avg300=1 total=99999999999999999999999\n"));  // overflow
  EXPECT_FALSE(parsePsi("some avg10=150 avg60=1 avg300=1 total=1\n"));                      // not a percentage
  EXPECT_FALSE(parsePsi("full avg10=1 avg60=1 avg300=1 total=1\n"));                        // no some line
  EXPECT_FALSE(parsePsi("\x01\x02\xff garbage\n"));
}

TEST(FlatKeyed, ParsesMemoryStatAndRejectsGarbage) {
  auto kv = parseFlatKeyed("anon 4096\nfile 8192\npgscan 7\n");
  ASSERT_TRUE(kv);
  EXPECT_EQ(kv->at("anon"), 4096u);
  EXPECT_EQ(kv->at("pgscan"), 7u);
  EXPECT_FALSE(parseFlatKeyed("anon 4096\nfile\n"));
  EXPECT_FALSE(parseFlatKeyed("anon -1\n"));
  EXPECT_FALSE(parseFlatKeyed(""));
}

TEST(SingleValue, MaxIsUnlimited) {
  EXPECT_EQ(parseSingleValue("max\n"), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(parseSingleValue("1048576\n"), 1048576u);
  EXPECT_FALSE(parseSingleValue("12abc"));
  EXPECT_FALSE(parseSingleValue(""));
}

TEST(Meminfo, ConvertsKilobytes) {
  auto m = parseMeminfo("MemTotal:       16384 kB\nMemAvailable:    8192 kB\nHugePages_Total:       0\n");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->at("MemTotal"), 16384u * 1024);
  EXPECT_EQ(m->at("HugePages_Total"), 0u);
  EXPECT_FALSE(parseMeminfo("MemTotal 16384 kB\n"));
  EXPECT_FALSE(parseMeminfo("MemTotal: 16384 MB\n"));
}

TEST(Swaps, SumsEveryDeviceAndKnowsNoSwap) {
  auto s = parseSwaps(
      "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
      "/dev/vdb                                partition\t524284\t\t1024\t\t-2\n"
      "/swapfile                               file\t\t1000\t\t0\t\t-3\n");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->totalBytes, (524284u + 1000u) * 1024);
  EXPECT_EQ(s->usedBytes, 1024u * 1024);
  auto none = parseSwaps("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->totalBytes, 0u);
  EXPECT_FALSE(parseSwaps("garbage\n"));
}

TEST(Pids, RejectsNonNumbers) {
  auto p = parsePids("1\n23\n456\n");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->size(), 3u);
  EXPECT_FALSE(parsePids("12\nabc\n"));
  EXPECT_FALSE(parsePids("0\n"));
}

TEST(Units, DurationsLikeSystemd) {
  EXPECT_EQ(parseDuration("30s")->count(), 30000000);
  EXPECT_EQ(parseDuration("250ms")->count(), 250000);
  EXPECT_EQ(parseDuration("1min 30s")->count(), 90000000);
  EXPECT_EQ(parseDuration("2.5")->count(), 2500000);  // bare number: seconds
  EXPECT_FALSE(parseDuration("soon"));
  EXPECT_FALSE(parseDuration("-3s"));
  EXPECT_FALSE(parseDuration("5 parsecs"));
}

TEST(Units, FractionsAreNotTruncated) {
  // oomd parsed min_growth_ratio with stoi: 1.25 became 1.
  EXPECT_DOUBLE_EQ(*parseDouble("1.25"), 1.25);
  EXPECT_DOUBLE_EQ(*parsePercent("60.5%"), 60.5);
  EXPECT_DOUBLE_EQ(*parsePercent("5000\u2031"), 50.0);
  EXPECT_FALSE(parsePercent("101%"));
  EXPECT_FALSE(parseDouble("nan"));
  EXPECT_FALSE(parseDouble("inf"));
}

TEST(Units, SizesAndPercentOfATotalResolvedLate) {
  auto s = parseSizeOrPercent("1.5G");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->resolve(0), 1536ull * 1024 * 1024);
  EXPECT_EQ(parseSizeOrPercent("100")->resolve(0), 100ull << 20);  // bare number: MiB, as oomd
  auto p = parseSizeOrPercent("10%");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->resolve(1000), 100u);
  EXPECT_EQ(p->resolve(2000), 200u);  // the total at the time of use, not at start-up
  EXPECT_FALSE(parseSizeOrPercent("12Q"));
}

TEST(StallWindow, MeasuresTheLastWindowFromTotals) {
  StallHistory h;
  auto t0 = TimePoint(std::chrono::seconds(100));
  auto ms = [&](int m) { return t0 + std::chrono::milliseconds(m); };
  recordStall(h, {ms(0), 0, 0}, std::chrono::seconds(10));
  recordStall(h, {ms(250), 10000, 10000}, std::chrono::seconds(10));
  recordStall(h, {ms(500), 20000, 20000}, std::chrono::seconds(10));
  recordStall(h, {ms(750), 30000, 30000}, std::chrono::seconds(10));
  recordStall(h, {ms(1000), 130000, 120000}, std::chrono::seconds(10));
  recordStall(h, {ms(1250), 380000, 370000}, std::chrono::seconds(10));
  // last second: 370000 - 10000 us of full stall over 1 s = 36 %
  EXPECT_NEAR(*stallPercent(h, StallKind::Full, std::chrono::seconds(1)), 36.0, 0.01);
  EXPECT_NEAR(*stallPercent(h, StallKind::Some, std::chrono::seconds(1)), 37.0, 0.01);
}

// Child on CPU 0 stalled the whole second; a sibling kept CPU 1 busy: the
// parent shows (1 s * 1 s + 0 * 1 s) / 2 s = 50 %, the child 100 % =
// sqrt(2 * 50 %). The bound is tight there and never below the truth.
TEST(StallBound, DescendantsOfAnAncestorWithoutStallHaveNone) {
  EXPECT_EQ(descendantStallBound(0, 64), 0);
  EXPECT_NEAR(descendantStallBound(50, 2), 100, 1e-9);
  EXPECT_NEAR(descendantStallBound(1, 4), 20, 1e-9);
  EXPECT_NEAR(descendantStallBound(25, 1), 50, 1e-9);
  EXPECT_EQ(descendantStallBound(90, 8), 100);
  EXPECT_NEAR(descendantStallBound(1, 0), 10, 1e-9) << "no CPU count: at least one";
}

// Woken from idle 30 s after the last reading: the 60 ms of stall since
// may all have been in the last second (6 %), never more.
TEST(StallBound, WorstWindowAfterAGap) {
  StallHistory h;
  auto t0 = TimePoint(std::chrono::seconds(100));
  recordStall(h, {t0, 1000, 500}, std::chrono::seconds(10));
  EXPECT_FALSE(worstWindowStall(h, StallKind::Some, std::chrono::seconds(1))) << "one reading says nothing";
  recordStall(h, {t0 + std::chrono::seconds(30), 61000, 500}, std::chrono::seconds(10));
  EXPECT_NEAR(*worstWindowStall(h, StallKind::Some, std::chrono::seconds(1)), 6.0, 1e-9);
  EXPECT_NEAR(*worstWindowStall(h, StallKind::Full, std::chrono::seconds(1)), 0.0, 1e-9);
  recordStall(h, {t0 + std::chrono::seconds(60), 3061000, 500}, std::chrono::seconds(10));
  EXPECT_EQ(*worstWindowStall(h, StallKind::Some, std::chrono::seconds(1)), 100.0);
  recordStall(h, {t0 + std::chrono::milliseconds(60250), 3061000, 500}, std::chrono::seconds(10));
  EXPECT_FALSE(worstWindowStall(h, StallKind::Some, std::chrono::seconds(1))) << "closer than a window: stallPercent's part";
}

TEST(StallWindow, UnknownUntilHistoryCoversAQuarterWindow) {
  StallHistory h;
  auto t0 = TimePoint(std::chrono::seconds(100));
  recordStall(h, {t0, 5000, 5000}, std::chrono::seconds(10));
  recordStall(h, {t0 + std::chrono::milliseconds(200), 9000, 9000}, std::chrono::seconds(10));
  EXPECT_FALSE(stallPercent(h, StallKind::Full, std::chrono::seconds(1)));
  recordStall(h, {t0 + std::chrono::milliseconds(300), 59000, 39000}, std::chrono::seconds(10));
  EXPECT_NEAR(*stallPercent(h, StallKind::Full, std::chrono::seconds(1)), 34000.0 / 300000 * 100, 0.01);
}

TEST(StallWindow, AfterWakingFromIdleTheRecentPointsMeasureTheStall) {
  // Idle: the previous sample is 30 s old. Woken by a trigger at t0, the
  // daemon samples every 250 ms; half a second of 60 % stall must show as
  // such, not as nothing (or as a lagging avg10).
  StallHistory h;
  auto t0 = TimePoint(std::chrono::seconds(100));
  auto ms = [&](int m) { return t0 + std::chrono::milliseconds(m); };
  recordStall(h, {ms(-30000), 1000, 1000}, std::chrono::seconds(60));
  recordStall(h, {ms(0), 101000, 101000}, std::chrono::seconds(60));
  recordStall(h, {ms(250), 251000, 251000}, std::chrono::seconds(60));
  EXPECT_FALSE(stallPercent(h, StallKind::Full, std::chrono::seconds(2))) << "250 ms is under a quarter of 2 s";
  recordStall(h, {ms(500), 401000, 401000}, std::chrono::seconds(60));
  EXPECT_NEAR(*stallPercent(h, StallKind::Full, std::chrono::seconds(2)), 60.0, 0.01);
}

TEST(StallWindow, ANeverStalledCgroupMayReachBackBeforeItsFirstPoint) {
  StallHistory h;
  auto t0 = TimePoint(std::chrono::seconds(100));
  recordStall(h, {t0, 0, 0}, std::chrono::seconds(10));
  recordStall(h, {t0 + std::chrono::milliseconds(400), 200000, 150000}, std::chrono::seconds(10));
  EXPECT_NEAR(*stallPercent(h, StallKind::Full, std::chrono::seconds(1)), 15.0, 0.01);
}

TEST(StallWindow, AStaleBaseIsNotDilutedIntoAFigure) {
  StallHistory h;
  auto t0 = TimePoint(std::chrono::seconds(100));
  recordStall(h, {t0, 5000, 5000}, std::chrono::seconds(60));
  recordStall(h, {t0 + std::chrono::seconds(30), 900000, 900000}, std::chrono::seconds(60));
  EXPECT_FALSE(stallPercent(h, StallKind::Full, std::chrono::seconds(1)));
}

TEST(Zram, MmStatAndDeviceNames) {
  auto z = parseZramMmStat("  4096000   1024000   1200000   8000000   1300000      10        0        0        0\n");
  ASSERT_TRUE(z);
  EXPECT_EQ(z->origDataBytes, 4096000u);
  EXPECT_EQ(z->comprDataBytes, 1024000u);
  EXPECT_EQ(z->memUsedTotalBytes, 1200000u);
  EXPECT_EQ(z->memLimitBytes, 8000000u);
  EXPECT_FALSE(parseZramMmStat("1 2 3\n"));
  EXPECT_FALSE(parseZramMmStat("1 2 x 4 5\n"));
  EXPECT_EQ(zramDeviceName("/dev/zram0"), "zram0");
  EXPECT_EQ(zramDeviceName("/dev/zram12"), "zram12");
  EXPECT_FALSE(zramDeviceName("/dev/zram"));
  EXPECT_FALSE(zramDeviceName("/dev/zram0/../../sda"));
  EXPECT_FALSE(zramDeviceName("/dev/vdb"));
  EXPECT_FALSE(zramDeviceName("/swapfile"));
}

TEST(Zram, FreeSpaceIsWhatItsMemoryRoomHoldsNotItsSize) {
  constexpr uint64_t MiB = 1024 * 1024;
  // 1 GiB device, 300 MiB swapped out in 100 MiB of memory (3:1), limit 128 MiB:
  // 28 MiB of memory left holds 84 MiB more, whatever its size says
  SwapDevice d{"/dev/zram0", 1024 * MiB, 300 * MiB};
  auto e = zramEffective(d, ZramStat{300 * MiB, 95 * MiB, 100 * MiB, 128 * MiB}, 2048 * MiB);
  EXPECT_EQ(e.usedBytes, 300 * MiB);
  EXPECT_EQ(e.sizeBytes, 384 * MiB);
  // no mem_limit: RAM is its limit (MemAvailable 50 MiB left -> 150 MiB)
  e = zramEffective(d, ZramStat{300 * MiB, 95 * MiB, 100 * MiB, 0}, 50 * MiB);
  EXPECT_EQ(e.sizeBytes, 450 * MiB);
  // same-filled pages cost nothing: the size is the bound
  e = zramEffective(SwapDevice{"/dev/zram0", 1024 * MiB, 1000 * MiB}, ZramStat{1000 * MiB, 0, 1 * MiB, 128 * MiB}, 2048 * MiB);
  EXPECT_EQ(e.sizeBytes, 1024 * MiB);
  // empty: no compression known, one byte per byte
  e = zramEffective(SwapDevice{"/dev/zram0", 1024 * MiB, 0}, ZramStat{0, 0, 0, 128 * MiB}, 2048 * MiB);
  EXPECT_EQ(e.sizeBytes, 128 * MiB);
}
