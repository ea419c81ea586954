// kill_by_memory_size_or_growth: oomd's three phases. (1) a cgroup using at
// least size_threshold % of what all candidates use, largest first; (2) a
// cgroup growing fast (memory.current over its decaying average >=
// min_growth_ratio -- parsed as the float it is) among the largest
// (growing_size_percentile); (3) the rest, largest first. Sizes are usage
// beyond memory.min/low protection. Without memory.current, candidates are
// ranked by their own memory stall, and the report says so.
//
// "growth_rate": true ranks by how fast memory.current plus
// memory.swap.current grow instead (bytes per second over the last seconds,
// engine/trend.h; swap counts: a cgroup held at memory.high grows there):
// those growing at least min_growth_rate first, fastest first, then the rest
// by size. It is what memory_exhaustion pairs with: when memory is about to
// run out, the cgroup taking it is the one to stop, not the largest one
// sitting still.
#include "plugins/plugin_factories.h"

#include <algorithm>

#include "plugins/kill_base.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

class KillByMemorySizeOrGrowth : public KillPlugin {
 public:
  explicit KillByMemorySizeOrGrowth(PluginArgs& args) : KillPlugin(args) {
    sizeThreshold_ = args.number("size_threshold", 50, 0, 100);
    minGrowthRatio_ = args.number("min_growth_ratio", 1.25, 0, 1e6);
    growingSizePercentile_ = args.number("growing_size_percentile", 80, 0, 100);
    byRate_ = args.flag("growth_rate", false);
    if (auto r = args.size("min_growth_rate")) {
      if (r->isPercent) args.error("min_growth_rate", "a size per second (\"1M\"), not a percentage");
      minGrowthRate_ = static_cast<double>(r->bytes);
    }
  }

  // The decaying average (or the growth trend) must see every sample, not
  // only the killing one.
  void prerun(SampleContext& ctx) override {
    if (byRate_) {
      for (CgroupView* cg : candidateCgroups(ctx)) cg->growthBytesPerSecond();
      return;
    }
    for (CgroupView* cg : ctx.resolve(cgroups_)) cg->growthRatio();
  }

 protected:
  std::string rank(SampleContext& ctx, std::vector<Candidate>& cands) override {
    if (byRate_) return rankByRate(ctx, cands);
    return rankBySizeOrGrowth(cands);
  }

 private:
  std::string rankByRate(SampleContext&, std::vector<Candidate>& cands) {
    bool anyUsage = false;
    for (auto& c : cands) {
      auto usage = c.cg->effectiveUsage();
      if (!usage) continue;
      anyUsage = true;
      double rate = c.cg->growthBytesPerSecond().value_or(0);
      c.figures.emplace_back("MEMORY_CURRENT", std::to_string(c.cg->memoryCurrent().value_or(0)));
      c.figures.emplace_back("MEMORY_GROWTH_BYTES_PER_SEC", strprintf("%.0f", rate));
      if (rate >= minGrowthRate_) c.tier = 0, c.score = rate;
      else c.tier = 1, c.score = static_cast<double>(*usage);
    }
    if (!anyUsage) {
      for (auto& c : cands) {
        c.score = ownMemoryStall(*c.cg);
        c.figures.emplace_back("MEMORY_STALL_PERCENT", strprintf("%.1f", c.score));
      }
      return "by own memory pressure (memory.current unavailable)";
    }
    return strprintf("by memory growth (fastest first, >= %s/s), then size",
                     formatBytes(static_cast<uint64_t>(minGrowthRate_)).c_str());
  }

  std::string rankBySizeOrGrowth(std::vector<Candidate>& cands) {
    bool anyUsage = false;
    double total = 0;
    for (auto& c : cands)
      if (auto u = c.cg->effectiveUsage()) anyUsage = true, total += static_cast<double>(*u);
    if (!anyUsage) {
      for (auto& c : cands) {
        c.score = ownMemoryStall(*c.cg);
        c.figures.emplace_back("MEMORY_STALL_PERCENT", strprintf("%.1f", c.score));
      }
      return "by own memory pressure (memory.current unavailable)";
    }
    std::vector<double> sizes;
    for (auto& c : cands) sizes.push_back(static_cast<double>(c.cg->effectiveUsage().value_or(0)));
    std::sort(sizes.begin(), sizes.end());
    double cut = sizes.empty() ? 0 : sizes[static_cast<size_t>((sizes.size() - 1) * growingSizePercentile_ / 100.0)];
    for (auto& c : cands) {
      double usage = static_cast<double>(c.cg->effectiveUsage().value_or(0));
      double growth = c.cg->growthRatio().value_or(1.0);
      c.figures.emplace_back("MEMORY_CURRENT", std::to_string(c.cg->memoryCurrent().value_or(0)));
      c.figures.emplace_back("MEMORY_GROWTH_RATIO", strprintf("%.2f", growth));
      if (total > 0 && usage >= total * sizeThreshold_ / 100.0) c.tier = 0, c.score = usage;
      else if (usage >= cut && growth >= minGrowthRatio_) c.tier = 1, c.score = growth;
      else c.tier = 2, c.score = usage;
    }
    return strprintf("by memory size (>= %g%% of candidates' use) or growth (>= %.2fx)", sizeThreshold_, minGrowthRatio_);
  }

  double sizeThreshold_ = 50;
  bool byRate_ = false;
  double minGrowthRate_ = 1024 * 1024;
  double minGrowthRatio_ = 1.25;
  double growingSizePercentile_ = 80;
};

}  // namespace

std::unique_ptr<Plugin> makeKillByMemorySizeOrGrowth(PluginArgs& args) {
  return std::make_unique<KillByMemorySizeOrGrowth>(args);
}

}  // namespace unitoomd
