// kill_by_pg_scan: the cgroup whose reclaim scanned the most pages since the
// previous sample. Scan counters are only collected while killing: the first
// run records them and pauses (AsyncPaused), the next one ranks by the
// increase. Without memory.stat, candidates are ranked by their own memory
// stall, and the report says so.
#include "plugins/plugin_factories.h"

#include "plugins/kill_base.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

class KillByPgScan : public KillPlugin {
 public:
  explicit KillByPgScan(PluginArgs& args) : KillPlugin(args) {}

  PluginResult run(SampleContext& ctx) override {
    if (!collected_) {
      bool any = false;
      for (CgroupView* cg : ctx.resolve(cgroups_)) any = cg->counters().has_value() || any;
      if (any) {
        collected_ = true;
        return PluginResult::AsyncPaused;
      }
    }
    collected_ = false;
    return KillPlugin::run(ctx);
  }

 protected:
  std::string rank(SampleContext&, std::vector<Candidate>& cands) override {
    bool anyStat = false;
    for (auto& c : cands) {
      auto rates = c.cg->counterRates(Duration{0});
      if (!rates) continue;
      anyStat = true;
      c.score = rates->pgscanPerSec;
      c.eligible = rates->pgscanPerSec > 0;
      c.figures.emplace_back("PGSCAN_PER_SEC", strprintf("%.0f", rates->pgscanPerSec));
    }
    if (anyStat) return "by pages scanned since the previous sample";
    for (auto& c : cands) {
      c.eligible = true;
      c.score = ownMemoryStall(*c.cg);
      c.figures.emplace_back("MEMORY_STALL_PERCENT", strprintf("%.1f", c.score));
    }
    return "by own memory pressure (memory.stat unavailable)";
  }

 private:
  bool collected_ = false;
};

}  // namespace

std::unique_ptr<Plugin> makeKillByPgScan(PluginArgs& args) { return std::make_unique<KillByPgScan>(args); }

}  // namespace unitoomd
