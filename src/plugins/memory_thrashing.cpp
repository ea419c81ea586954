// memory_thrashing: tells harmful reclaim from harmless reclaim.
//
// Reclaim is harmless when it drops cold page cache: pages are stolen
// (pgsteal) and never asked for again. It is harmful -- thrashing -- when the
// workload re-reads what was just evicted: the kernel notices such
// "workingset refaults" (memory.stat workingset_refault_anon/_file). So over
// a window (default 2 s) of samples:
//
//   refault rate = d(workingset_refault_*) / dt        (pages per second)
//   refault ratio = d(workingset_refault_*) / d(pgsteal)
//
// and a cgroup thrashes when refault rate >= min_refault_rate (default 256
// pages/s, 1 MiB/s of 4 KiB pages) and refault ratio >= ratio (default 0.3:
// almost a third of what reclaim takes comes straight back), for `duration`.
// Without memory.stat, the cgroup's PSI memory stall stands in (above
// stall_threshold, default 10 %): the kernel accounts memory stall exactly
// for direct reclaim and refaults of recently evicted pages, not for
// background dropping of cold cache.
#include "plugins/plugin_factories.h"

#include "plugins/detector_util.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

class MemoryThrashing : public Plugin {
 public:
  explicit MemoryThrashing(PluginArgs& args) {
    cgroups_ = args.cgroups("cgroup");
    ratio_ = args.number("ratio", 0.3, 0, 1e6);
    minRate_ = args.number("min_refault_rate", 256, 0, 1e12);
    window_ = args.duration("window", std::chrono::seconds(2));
    duration_ = args.duration("duration", Duration{0});
    stallThreshold_ = args.number("stall_threshold", 10, 0, 100);
  }

  PluginResult run(SampleContext& ctx) override {
    std::string finding;
    for (CgroupView* cg : ctx.resolve(cgroups_)) {
      if (cg->counters()) {
        auto rates = cg->counterRates(window_);
        if (!rates || rates->span < window_ / 2) continue;
        double ratio = rates->pgstealPerSec > 0 ? rates->refaultsPerSec / rates->pgstealPerSec
                                                : (rates->refaultsPerSec > 0 ? 1e9 : 0);
        if (rates->refaultsPerSec >= minRate_ && ratio >= ratio_ && finding.empty())
          finding = strprintf("%s thrashing: %.0f refaults/s, %.0f%% of reclaimed pages come back", cg->path().c_str(),
                              rates->refaultsPerSec, std::min(ratio, 99.99) * 100);
      } else {
        ctx.noteUnavailable("memory.stat", "memory_thrashing uses PSI memory stall instead of refault rates");
        bool avg10 = false;
        auto stall = cg->stall(Resource::Memory, StallKind::Some, window_, &avg10);
        if (stall && *stall > stallThreshold_ && finding.empty())
          finding = strprintf("%s thrashing: memory stall %.1f%% > %g%% (PSI; memory.stat unavailable)", cg->path().c_str(),
                              *stall, stallThreshold_);
      }
    }
    if (!sustained_.update(!finding.empty(), ctx.now(), duration_)) return PluginResult::Stop;
    ctx.addFinding(finding);
    return PluginResult::Continue;
  }

  // Thrashing is memory stall by definition: the trigger covers it.
  void wakeSources(std::vector<WakeSource>& out) const override {
    addWakeSources(out, cgroups_, Resource::Memory, stallThreshold_);
  }
  // Nothing is timed without a duration: it fires, or it does not.
  bool timing() const override { return duration_ > Duration{0} && sustained_.active(); }

 private:
  CgroupPatterns cgroups_;
  double ratio_ = 0.3;
  double minRate_ = 256;
  Duration window_;
  Duration duration_;
  double stallThreshold_ = 10;
  Sustained sustained_;
};

}  // namespace

std::unique_ptr<Plugin> makeMemoryThrashing(PluginArgs& args) { return std::make_unique<MemoryThrashing>(args); }

}  // namespace unitoomd
