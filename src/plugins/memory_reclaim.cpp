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
    duration_ = args.duration("duration", std::chrono::seconds(10));
  }

  PluginResult run(SampleContext& ctx) override {
    bool rose = false;
    bool usedPsi = false;
    for (const auto& pattern : cgroups_) {
      if (ancestorStill(ctx, pattern)) continue;
      for (CgroupView* cg : ctx.resolveOne(pattern)) rose = observe(ctx, *cg, last_[cg->inode()], usedPsi) || rose;
    }
    if (rose) lastReclaim_ = ctx.now();
    if (!lastReclaim_ || ctx.now() - *lastReclaim_ > duration_) return PluginResult::Stop;
    ctx.addFinding(strprintf("reclaim activity in %s within %s%s", join(cgroups_, ",").c_str(), formatDuration(duration_).c_str(),
                             usedPsi ? " (from PSI: memory.stat unavailable)" : ""));
    return PluginResult::Continue;
  }

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

  // memory.stat's reclaim counters and PSI's stall totals add up a whole
  // subtree: while a glob's literal prefix has not reclaimed, none of the
  // cgroups below it has, and they need not be read.
  bool ancestorStill(SampleContext& ctx, const std::string& pattern) {
    CgroupView* ancestor = globAncestor(ctx, pattern);
    if (!ancestor) return false;
    bool usedPsi = false;
    Last& last = ancestors_[pattern];
    Last before = last;
    observe(ctx, *ancestor, last, usedPsi);
    // unchanged, not merely not risen: a recreated ancestor counts from 0
    bool seen = before.pgscan || before.stall;
    return seen && before.pgscan == last.pgscan && before.stall == last.stall;
  }

  std::vector<std::string> cgroups_;
  Duration duration_;
  std::map<uint64_t, Last> last_;
  std::map<std::string, Last> ancestors_;  // by pattern
  std::optional<TimePoint> lastReclaim_;
};

}  // namespace

std::unique_ptr<Plugin> makeMemoryReclaim(PluginArgs& args) { return std::make_unique<MemoryReclaim>(args); }

}  // namespace unitoomd
