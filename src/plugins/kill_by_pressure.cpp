// kill_by_pressure: the cgroup under the most pressure of `resource`
// (avg10/2 + avg60/2 of its full stall, as oomd).
#include "plugins/plugin_factories.h"

#include "plugins/detector_util.h"
#include "plugins/kill_base.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

class KillByPressure : public KillPlugin {
 public:
  explicit KillByPressure(PluginArgs& args) : KillPlugin(args) { resource_ = parseResource(args); }

 protected:
  std::string rank(SampleContext&, std::vector<Candidate>& cands) override {
    for (auto& c : cands) {
      const Psi* psi = c.cg->pressure(resource_);
      if (!psi) {
        c.eligible = false;
        continue;
      }
      const PsiLine& l = psi->full ? *psi->full : psi->some;
      c.score = l.avg10 / 2 + l.avg60 / 2;
      c.figures.emplace_back(std::string(resource_ == Resource::Memory ? "MEMORY" : "IO") + "_PRESSURE_AVG10",
                             strprintf("%.2f", l.avg10));
    }
    return strprintf("by %s pressure (avg10/2 + avg60/2)", resourceName(resource_));
  }

 private:
  Resource resource_ = Resource::Memory;
};

}  // namespace

std::unique_ptr<Plugin> makeKillByPressure(PluginArgs& args) { return std::make_unique<KillByPressure>(args); }

}  // namespace unitoomd
