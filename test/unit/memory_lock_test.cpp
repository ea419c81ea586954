#include "daemon/memory_lock.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace unitoomd {
namespace {

TEST(MemoryLock, WithCapIpcLockEverythingItWillUseIsLockedAsItIsTouched) {
  EXPECT_EQ(planMemoryLock(true, uint64_t{8} << 20).flags, MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT);
  EXPECT_EQ(planMemoryLock(true, std::nullopt).flags, MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT);
}

TEST(MemoryLock, AnUnlimitedLimitNeedsNoCapability) {
  EXPECT_EQ(planMemoryLock(false, std::nullopt).flags, MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT);
}

// MCL_FUTURE under a finite limit would make later allocations fail once
// the limit is reached: never without the capability.
TEST(MemoryLock, AFiniteLimitWithoutTheCapabilityNeverLocksFutureMappings) {
  MemoryLockPlan p = planMemoryLock(false, uint64_t{8} << 20);
  EXPECT_EQ(p.flags, MCL_CURRENT | MCL_ONFAULT);
  EXPECT_NE(p.reason.find("(LimitMEMLOCK=) of 8.0 MiB"), std::string::npos) << p.reason;
  EXPECT_EQ(planMemoryLock(false, uint64_t{1} << 40).flags & MCL_FUTURE, 0);
}

TEST(MemoryLock, AZeroLimitWithoutTheCapabilityLocksNothing) {
  MemoryLockPlan p = planMemoryLock(false, uint64_t{0});
  EXPECT_EQ(p.flags, 0);
  EXPECT_NE(p.reason.find("(LimitMEMLOCK=) of 0"), std::string::npos) << p.reason;
}

// The daemon's heap in 4 KiB pages, whatever the machine's THP setting.
TEST(MemoryLock, TheProcessRefusesTransparentHugePages) {
  ASSERT_TRUE(refuseHugePages());
  EXPECT_EQ(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), 1);
}

TEST(MemoryLock, FreedHeapIsHandedBackAroundALockOfEveryMapping) {
  EXPECT_EQ(planHeapTrim(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT), HeapTrim::UnlockAround);
}

// Under MCL_CURRENT alone the heap grown since start was never locked (it
// trims as it is); unlocking and locking all of it again would charge it
// against the limit.
TEST(MemoryLock, WithoutALockOfFutureMappingsTheTrimIsPlain) {
  EXPECT_EQ(planHeapTrim(MCL_CURRENT | MCL_ONFAULT), HeapTrim::Plain);
  EXPECT_EQ(planHeapTrim(0), HeapTrim::Plain);
}

// An idle sample trims although no activity came before it once what is
// resident grew by more than the slack since the last trim (a served dump
// of 1,000 units' state left 2 MiB more for good).
TEST(MemoryLock, AnIdleSampleTrimsWhenWhatIsResidentGrewSinceTheLastTrim) {
  constexpr uint64_t MiB = 1 << 20;
  EXPECT_TRUE(grewSinceTrim(11 * MiB, 9 * MiB));
  EXPECT_FALSE(grewSinceTrim(9 * MiB + MiB / 2, 9 * MiB)) << "within the slack";
  EXPECT_FALSE(grewSinceTrim(8 * MiB, 9 * MiB)) << "smaller";
  EXPECT_FALSE(grewSinceTrim(std::nullopt, 9 * MiB)) << "unknown now";
  EXPECT_FALSE(grewSinceTrim(11 * MiB, std::nullopt)) << "no trim yet: the first idle sample does it";
  EXPECT_TRUE(grewSinceTrim(3 * MiB, MiB, MiB / 2)) << "another slack";
}

TEST(MemoryLock, TheResidentSizeIsReadable) {
  auto r = residentBytes();
  ASSERT_TRUE(r.has_value());
  EXPECT_GT(*r, 0u);
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;  // gcc
#elif defined(__has_feature)
constexpr bool kAddressSanitizer = __has_feature(address_sanitizer);  // clang
#else
constexpr bool kAddressSanitizer = false;
#endif

struct HeapPages {
  long residentKib = -1;
  long lockedKib = -1;
};

HeapPages heapPages() {
  std::ifstream smaps("/proc/self/smaps");
  HeapPages h;
  bool inHeap = false;
  for (std::string line; std::getline(smaps, line);) {
    std::istringstream in(line);
    std::string key;
    in >> key;
    if (key.find('-') != std::string::npos) inHeap = line.find("[heap]") != std::string::npos;
    else if (inHeap && key == "Rss:") in >> h.residentKib;
    else if (inHeap && key == "Locked:") in >> h.lockedKib;
  }
  return h;
}

// The kernel refuses MADV_DONTNEED on locked pages: a plain malloc_trim
// under mlockall(MCL_FUTURE) gives back only the heap's top.
TEST(MemoryLock, FreedHeapGoesBackAndWhatIsLeftStaysLocked) {
  if (kAddressSanitizer) GTEST_SKIP() << "AddressSanitizer's allocator replaces glibc's: no [heap] for malloc_trim to give back";
  const int flags = MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT;
  if (mlockall(flags) != 0) GTEST_SKIP() << "cannot lock memory here: " << strerror(errno);
  // 12 MiB of small records, then one in 128 kept: four pages apart, as
  // what taking in 1,000 units leaves live among what it freed
  std::vector<void*> records(100000);
  for (void*& r : records) {
    r = malloc(120);
    memset(r, 1, 120);
  }
  for (size_t i = 0; i < records.size(); ++i)
    if (i % 128 != 0) {
      free(records[i]);
      records[i] = nullptr;
    }
  HeapPages before = heapPages();
  trimHeap(flags);
  HeapPages after = heapPages();
  munlockall();
  for (void* r : records) free(r);
  ASSERT_GT(before.residentKib, 8 * 1024);
  EXPECT_LT(after.residentKib, before.residentKib - 4 * 1024) << "resident before " << before.residentKib << " KiB";
  EXPECT_EQ(after.lockedKib, after.residentKib);
}

}  // namespace
}  // namespace unitoomd
