// exists: any matching cgroup exists (or, with negate, none does). The usual
// way to switch a ruleset off while some workload runs.
#include "plugins/plugin_factories.h"

#include "util/strings.h"

namespace unitoomd {
namespace {

class Exists : public Plugin {
 public:
  explicit Exists(PluginArgs& args) {
    cgroups_ = args.cgroups("cgroup");
    negate_ = args.flag("negate", false);
  }

  PluginResult run(SampleContext& ctx) override {
    bool any = !ctx.resolve(cgroups_).empty();
    if (any == negate_) return PluginResult::Stop;
    ctx.addFinding(strprintf("%s %s", join(cgroups_, ",").c_str(), negate_ ? "does not exist" : "exists"));
    return PluginResult::Continue;
  }

 private:
  CgroupPatterns cgroups_;
  bool negate_ = false;
};

}  // namespace

std::unique_ptr<Plugin> makeExists(PluginArgs& args) { return std::make_unique<Exists>(args); }

}  // namespace unitoomd
