// nr_dying_descendants: a matching cgroup has at most `count` dying
// descendants (or more than `count` with lte=false).
#include "plugins/plugin_factories.h"

#include "util/strings.h"

namespace unitoomd {
namespace {

class NrDyingDescendants : public Plugin {
 public:
  explicit NrDyingDescendants(PluginArgs& args) {
    cgroups_ = args.cgroups("cgroup");
    count_ = static_cast<uint64_t>(args.requiredNumber("count", 0, 1e12));
    lte_ = args.flag("lte", true);
  }

  PluginResult run(SampleContext& ctx) override {
    for (CgroupView* cg : ctx.resolve(cgroups_)) {
      auto n = cg->nrDyingDescendants();
      if (!n) continue;
      if (lte_ ? *n <= count_ : *n > count_) {
        ctx.addFinding(strprintf("%s has %llu dying descendants (%s %llu)", cg->path().c_str(),
                                 static_cast<unsigned long long>(*n), lte_ ? "<=" : ">",
                                 static_cast<unsigned long long>(count_)));
        return PluginResult::Continue;
      }
    }
    return PluginResult::Stop;
  }

 private:
  CgroupPatterns cgroups_;
  uint64_t count_ = 0;
  bool lte_ = true;
};

}  // namespace

std::unique_ptr<Plugin> makeNrDyingDescendants(PluginArgs& args) { return std::make_unique<NrDyingDescendants>(args); }

}  // namespace unitoomd
