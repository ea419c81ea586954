// memory_above: the largest memory use (memory.current, or anon with
// threshold_anon) among matching cgroups above a threshold for a duration.
// "N%" is of MemTotal as read at each sample, never frozen at start-up.
#include "plugins/plugin_factories.h"

#include "plugins/detector_util.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

class MemoryAbove : public Plugin {
 public:
  explicit MemoryAbove(PluginArgs& args) {
    cgroups_ = args.cgroups("cgroup");
    auto anon = args.size("threshold_anon");
    auto total = args.size("threshold");
    if (anon) {  // threshold_anon wins, as in oomd
      threshold_ = *anon;
      anon_ = true;
    } else if (total) {
      threshold_ = *total;
    } else if (args.ok()) {
      args.error("threshold", "missing argument 'threshold' or 'threshold_anon'");
    }
    duration_ = args.duration("duration", Duration{0});
    args.ignore("debug");
    args.ignore("meminfo_location");
  }

  PluginResult run(SampleContext& ctx) override {
    uint64_t worst = 0;
    std::string worstPath;
    bool known = false;
    for (CgroupView* cg : ctx.resolve(cgroups_)) {
      std::optional<uint64_t> use = anon_ ? cg->memoryStatField("anon") : cg->memoryCurrent();
      if (!use) continue;
      known = true;
      if (*use >= worst) worst = *use, worstPath = cg->path();
    }
    if (!known && !cgroups_.empty()) {
      ctx.noteUnavailable(anon_ ? "memory.stat (anon)" : "memory.current", "memory_above cannot fire");
    }
    uint64_t memTotal = 0;
    if (const FlatKeyed* mi = ctx.meminfo())
      if (auto it = mi->find(std::string_view("MemTotal")); it != mi->end()) memTotal = it->second;
    uint64_t limit = threshold_.resolve(memTotal);
    if (threshold_.isPercent && memTotal == 0) known = false;
    if (!sustained_.update(known && worst > limit, ctx.now(), duration_)) return PluginResult::Stop;
    ctx.addFinding(strprintf("%s of %s %s > %s for %s", anon_ ? "anonymous memory" : "memory use", worstPath.c_str(),
                             formatBytes(worst).c_str(), formatBytes(limit).c_str(),
                             formatDuration(sustained_.heldFor(ctx.now())).c_str()));
    return PluginResult::Continue;
  }

  // Nothing is timed without a duration: it fires, or it does not.
  bool timing() const override { return duration_ > Duration{0} && sustained_.active(); }

 private:
  CgroupPatterns cgroups_;
  SizeOrPercent threshold_;
  bool anon_ = false;
  Duration duration_{0};
  Sustained sustained_;
};

}  // namespace

std::unique_ptr<Plugin> makeMemoryAbove(PluginArgs& args) { return std::make_unique<MemoryAbove>(args); }

}  // namespace unitoomd
