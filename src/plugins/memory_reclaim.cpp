// memory_reclaim: the matching cgroups reclaimed memory (pgscan rose) within
// the last `duration`. Where memory.stat is not offered, memory stall in PSI
// stands in: the kernel counts memory stall only while tasks reclaim or wait
// for refaults, so a rising stall total means reclaim.
#include "plugins/plugin_factories.h"

#include "plugins/detector_util.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

class MemoryReclaim : public Plugin {
 public:
  explicit MemoryReclaim(PluginArgs& args) {
    cgroups_ = args.cgroups("cgroup");
    for (const auto& pattern : cgroups_) ancestors_.push_back(Ancestor{boundingAncestorPath(pattern), {}, false});
    duration_ = args.duration("duration", std::chrono::seconds(10));
  }

  PluginResult run(SampleContext& ctx) override {
    bool rose = false;
    bool usedPsi = false;
    for (size_t i = 0; i < cgroups_.size(); ++i) {
      Ancestor& ancestor = ancestors_[i];
      if (ancestorStill(ctx, ancestor)) continue;
      bool childrenByPsi = false;
      for (CgroupView* cg : ctx.resolveOne(cgroups_[i])) rose = observe(ctx, *cg, last_[cg->inode()], childrenByPsi) || rose;
      ancestor.childrenByPsi = childrenByPsi;
      usedPsi = usedPsi || childrenByPsi;
    }
    if (rose) lastReclaim_ = ctx.now();
    if (!lastReclaim_ || ctx.now() - *lastReclaim_ > duration_) return PluginResult::Stop;
    ctx.addFinding(strprintf("reclaim activity in %s within %s%s", join(cgroups_, ",").c_str(), formatDuration(duration_).c_str(),
                             usedPsi ? " (from PSI: memory.stat unavailable)" : ""));
    return PluginResult::Continue;
  }
  bool prerunsWhileSkipped() const override { return false; }

 private:
  struct Last {
    std::optional<uint64_t> pgscan;
    std::optional<uint64_t> stall;
  };

  // Whether the cgroup reclaimed since `last` was taken; `last` moves on.
  static bool observe(SampleContext& ctx, CgroupView& cg, Last& last, bool& usedPsi) {
    bool rose = false;
    if (auto c = cg.counters()) {
      if (last.pgscan && c->pgscan > *last.pgscan) rose = true;
      else if (!last.pgscan && !last.stall && c->pgscan > 0) rose = true;  // first sight: any scan counts, as oomd
      last.pgscan = c->pgscan;
    } else if (const Psi* psi = cg.pressure(Resource::Memory)) {
      ctx.noteUnavailable("memory.stat", "memory_reclaim falls back to PSI memory stall");
      usedPsi = true;
      if (last.stall && psi->some.totalUsec > *last.stall) rose = true;
      last.stall = psi->some.totalUsec;
    }
    return rose;
  }

  // The bounding ancestor of a pattern (a glob's literal prefix, an exact
  // cgroup's parent) and what it showed at the last sample.
  struct Ancestor {
    std::string path;
    Last last;
    // The matches measured reclaim by PSI when last read (no memory.stat
    // there): the ancestor's own PSI must then be still too. The root's
    // counters come from /proc/vmstat with or without the memory
    // controller, and memory stall without a scan (a refault of a page
    // evicted long ago) would slip past its pgscan alone.
    bool childrenByPsi = false;
  };

  // memory.stat's reclaim counters and PSI's stall totals add up a whole
  // subtree: while the ancestor has not reclaimed, none of the cgroups below
  // it has, and they need not be read (a counter read later, against its
  // value from before, still shows what rose meanwhile: it rose since the
  // ancestor last moved). Beside a pressure_above whose calm gate ruled the
  // ruleset out, this does not run (engine/calm_gate.h); the first run
  // after counts a rise since its last reading as now, as a first sight
  // counts any scan: it can only matter once the stall is over the limit.
  static bool ancestorStill(SampleContext& ctx, Ancestor& a) {
    CgroupView* ancestor = boundingAncestor(ctx, a.path);
    if (!ancestor) return false;
    Last now;
    if (auto c = ancestor->counters()) now.pgscan = c->pgscan;
    if (!now.pgscan || a.childrenByPsi)
      if (const Psi* psi = ancestor->pressure(Resource::Memory)) now.stall = psi->some.totalUsec;
    // unchanged, not merely not risen: a recreated ancestor counts from 0
    bool seen = a.last.pgscan || a.last.stall;
    bool still = seen && now.pgscan == a.last.pgscan && now.stall == a.last.stall;
    a.last = now;
    return still;
  }

  CgroupPatterns cgroups_;
  Duration duration_;
  std::map<uint64_t, Last> last_;
  std::vector<Ancestor> ancestors_;  // of each pattern
  std::optional<TimePoint> lastReclaim_;
};

}  // namespace

std::unique_ptr<Plugin> makeMemoryReclaim(PluginArgs& args) { return std::make_unique<MemoryReclaim>(args); }

}  // namespace unitoomd
