// kill_by_swap_usage: the cgroup using the most swap, among those above
// `threshold` (a size, or N% of the swap total at the time of the kill).
// biased_swap_kill discounts swap in proportion to memory.min/low
// protection, so protected workloads are chosen later.
#include "plugins/plugin_factories.h"

#include <algorithm>

#include "plugins/kill_base.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

class KillBySwapUsage : public KillPlugin {
 public:
  explicit KillBySwapUsage(PluginArgs& args) : KillPlugin(args) {
    if (auto t = args.size("threshold")) threshold_ = *t;
    else threshold_.bytes = 1;
    biased_ = args.flag("biased_swap_kill", false);
  }

 protected:
  std::string rank(SampleContext& ctx, std::vector<Candidate>& cands) override {
    auto swaps = ctx.swaps();
    uint64_t limit = threshold_.resolve(swaps ? swaps->totalBytes : 0);
    bool anyKnown = false;
    for (auto& c : cands) {
      auto swap = c.cg->swapCurrent();
      if (!swap) {
        c.eligible = false;
        continue;
      }
      anyKnown = true;
      c.eligible = *swap >= limit && *swap > 0;
      double score = static_cast<double>(*swap);
      if (biased_) {
        double cur = static_cast<double>(c.cg->memoryCurrent().value_or(0));
        double prot = static_cast<double>(std::max(c.cg->memoryMin().value_or(0), c.cg->memoryLow().value_or(0)));
        if (cur > 0) score -= score * std::min(1.0, prot / cur);
      }
      c.score = score;
      c.figures.emplace_back("MEMORY_SWAP_CURRENT", std::to_string(*swap));
    }
    if (!anyKnown && !cands.empty()) {
      ctx.noteUnavailable("memory.swap.current", "kill_by_swap_usage has no candidates");
      return "by swap use (memory.swap.current unavailable: no candidate)";
    }
    return strprintf("by swap use (>= %s)%s", formatBytes(limit).c_str(), biased_ ? ", discounted by protection" : "");
  }

 private:
  SizeOrPercent threshold_;
  bool biased_ = false;
};

}  // namespace

std::unique_ptr<Plugin> makeKillBySwapUsage(PluginArgs& args) { return std::make_unique<KillBySwapUsage>(args); }

}  // namespace unitoomd
