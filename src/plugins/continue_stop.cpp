// continue and stop: fixed answers, for building chains and for tests.
#include "plugins/plugin_factories.h"

namespace unitoomd {
namespace {

class Fixed : public Plugin {
 public:
  explicit Fixed(PluginResult r) : result_(r) {}
  PluginResult run(SampleContext&) override { return result_; }

 private:
  PluginResult result_;
};

}  // namespace

std::unique_ptr<Plugin> makeContinue(PluginArgs&) { return std::make_unique<Fixed>(PluginResult::Continue); }
std::unique_ptr<Plugin> makeStop(PluginArgs&) { return std::make_unique<Fixed>(PluginResult::Stop); }

}  // namespace unitoomd
