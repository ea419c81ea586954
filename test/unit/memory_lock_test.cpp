#include "daemon/memory_lock.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/mman.h>

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

}  // namespace
}  // namespace unitoomd
