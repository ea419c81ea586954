// kill_by_pressure_cause: the candidate that causes the memory pressure,
// not the one that merely suffers it. Pressure is hierarchical, so a slice's
// stall says nothing about which child is thrashing; a candidate's own
// stall and refaults do. Order, each step a tier:
//   1. own memory stall (some, 1 s; avg10 before history covers it) >= 1 %
//   2. refaulting (memory.stat workingset_refault_*), by refaults/s (rates
//      need two samples of the candidate; a first look ranks by 1 and 4)
//   3. reclaim scans (pgscan/s), as systemd-oomd ranks
//   4. the rest by memory.current
// Without memory.stat (kernels or hierarchies without the memory
// controller) only step 1 and size apply, and the ranking says so.
#include "plugins/plugin_factories.h"

#include "plugins/kill_base.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

constexpr double kCausingStallPercent = 1.0;
constexpr Duration kRateWindow = std::chrono::seconds(2);

class KillByPressureCause : public KillPlugin {
 public:
  explicit KillByPressureCause(PluginArgs& args) : KillPlugin(args) {}

 protected:
  std::string rank(SampleContext& ctx, std::vector<Candidate>& cands) override {
    bool haveStat = false;
    for (auto& c : cands) {
      double stall = ownMemoryStall(*c.cg);
      auto rates = c.cg->counterRates(kRateWindow);
      auto current = c.cg->memoryCurrent();
      if (c.cg->counters()) haveStat = true;
      c.figures.emplace_back("OWN_MEMORY_STALL_PCT", strprintf("%.2f", stall));
      if (rates) {
        c.figures.emplace_back("REFAULTS_PER_SEC", strprintf("%.0f", rates->refaultsPerSec));
        c.figures.emplace_back("PGSCAN_PER_SEC", strprintf("%.0f", rates->pgscanPerSec));
      }
      if (current) c.figures.emplace_back("MEMORY_CURRENT", std::to_string(*current));
      if (stall >= kCausingStallPercent) {
        c.tier = 0;
        c.score = stall;
      } else if (rates && rates->refaultsPerSec > 0) {
        c.tier = 1;
        c.score = rates->refaultsPerSec;
      } else if (rates && rates->pgscanPerSec > 0) {
        c.tier = 2;
        c.score = rates->pgscanPerSec;
      } else {
        c.tier = 3;
        c.score = static_cast<double>(current.value_or(0));
      }
    }
    if (!haveStat && !cands.empty()) {
      ctx.noteUnavailable("memory.stat", "kill_by_pressure_cause ranks by the candidates' own memory stall only");
      return "by own memory stall, then size (memory.stat unavailable: no refault or scan rates)";
    }
    return "by own memory stall, then refaults/s, then pgscan/s, then size";
  }
};

}  // namespace

std::unique_ptr<Plugin> makeKillByPressureCause(PluginArgs& args) { return std::make_unique<KillByPressureCause>(args); }

}  // namespace unitoomd
