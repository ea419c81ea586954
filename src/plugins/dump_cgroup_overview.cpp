// dump_cgroup_overview: logs memory use, pressure and swap of the matching
// cgroups when they are under some pressure (or always). Always Continue.
#include "plugins/plugin_factories.h"

#include "util/log.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

class DumpCgroupOverview : public Plugin {
 public:
  explicit DumpCgroupOverview(PluginArgs& args) {
    cgroups_ = args.cgroups("cgroup");
    always_ = args.flag("always", false);
  }

  PluginResult run(SampleContext& ctx) override {
    for (CgroupView* cg : ctx.resolve(cgroups_)) {
      const Psi* psi = cg->pressure(Resource::Memory);
      if (!psi) continue;
      const PsiLine& f = psi->full ? *psi->full : psi->some;
      if (!always_ && !(f.avg10 >= 1 && f.avg60 > 0)) continue;
      auto cur = cg->memoryCurrent();
      auto swap = cg->swapCurrent();
      LOG_INFO("cgroup overview %s: memory %s, swap %s, memory full pressure avg10 %.2f avg60 %.2f avg300 %.2f",
               cg->path().c_str(), cur ? formatBytes(*cur).c_str() : "unknown", swap ? formatBytes(*swap).c_str() : "unknown",
               f.avg10, f.avg60, f.avg300);
    }
    return PluginResult::Continue;
  }

 private:
  CgroupPatterns cgroups_;
  bool always_ = false;
};

}  // namespace

std::unique_ptr<Plugin> makeDumpCgroupOverview(PluginArgs& args) { return std::make_unique<DumpCgroupOverview>(args); }

}  // namespace unitoomd
