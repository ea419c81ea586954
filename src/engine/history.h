// State that outlives one sample: stall and counter histories per cgroup,
// keyed by the cgroup's inode so that a cgroup removed and recreated under
// the same name starts a fresh history.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/trend.h"
#include "observe/pressure_window.h"
#include "util/time.h"

namespace unitoomd {

enum class Resource { Memory = 0, Io = 1 };
const char* resourceName(Resource r);

// What a PSI trigger that fired proves: stall of `kind` of at least
// `percent` of the `window` that ended `at` (the kernel measured the growth
// of `total` over that window). Without CAP_SYS_RESOURCE the window is 2 s
// and the kernel checks it only every 2 s, so the trigger fires up to 2 s
// after the stall began; what it proves reaches back that far.
struct StallProof {
  std::string cgroup;
  Resource resource = Resource::Memory;
  StallKind kind = StallKind::Some;
  double percent = 0;
  Duration window{0};
  TimePoint at{};
};

struct CounterPoint {
  TimePoint at;
  uint64_t pgscan = 0;
  uint64_t pgsteal = 0;
  uint64_t refaults = 0;  // workingset_refault_anon + workingset_refault_file
};

// Long enough for a median of several samples at the short interval, short
// enough that a grower that just started shows at its present speed.
inline constexpr Duration kUsageTrendWindow = std::chrono::seconds(2);

// Kept for every cgroup a sample read (1,000 unit cgroups while taking
// them in): no more than the rules need.
struct CgroupHistory {
  TimePoint lastSeen{};
  StallHistory stall[2];               // by Resource
  std::vector<CounterPoint> counters;  // oldest first
  std::optional<double> usageAverage;  // decaying average of memory.current, for growth
  TimePoint usageAverageAt{};
  // memory.current, for growth in bytes per second; two points suffice to
  // rank a fast grower above a still bystander
  Trend usage{kUsageTrendWindow, 2};
};

class History {
 public:
  CgroupHistory& at(uint64_t inode, TimePoint now);
  const CgroupHistory* find(uint64_t inode) const;
  // Drops cgroups not seen for `unused`.
  void prune(TimePoint now, Duration unused);
  // The same at most once per `unused`, for every sample: an episode may last
  // hours while cgroups come and go, and the daemon prunes at idle otherwise.
  void pruneIfDue(TimePoint now, Duration unused) {
    if (now - prunedAt_ >= unused) prune(now, unused);
  }
  size_t size() const { return byInode_.size(); }

  // "Say it once": true the first time a key is seen (e.g. a missing file
  // that a rule needs), so the log gets one line, not one per sample.
  bool firstTime(const std::string& key) { return once_.insert(key).second; }

 private:
  std::map<uint64_t, CgroupHistory> byInode_;
  std::set<std::string> once_;
  TimePoint prunedAt_{};
};

}  // namespace unitoomd
