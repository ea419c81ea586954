#include "plugins/plugin_factories.h"

#include "plugins/detector_util.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

// pressure_rising_beyond: avg60 above the threshold for the duration, avg10
// above it too, and avg10 not falling fast (>= fast_fall_ratio of the last
// sample's): pressure that is high and not going away by itself.
class PressureRisingBeyond : public Plugin {
 public:
  explicit PressureRisingBeyond(PluginArgs& args) {
    cgroups_ = args.cgroups("cgroup");
    resource_ = parseResource(args);
    threshold_ = args.requiredNumber("threshold", 0, 100);
    duration_ = args.duration("duration", Duration{0});
    fastFallRatio_ = args.number("fast_fall_ratio", 0.85, 0, 1);
  }

  PluginResult run(SampleContext& ctx) override {
    const Psi* best = nullptr;
    std::string bestPath;
    double bestScore = -1;
    for (CgroupView* cg : ctx.resolve(cgroups_)) {
      const Psi* psi = cg->pressure(resource_);
      if (!psi || !psi->full) continue;
      const PsiLine& f = *psi->full;
      double score = 3 * f.avg10 + 2 * f.avg60 + f.avg300;
      if (score > bestScore) {
        bestScore = score;
        best = psi;
        bestPath = cg->path();
      }
    }
    if (!best) {
      sustained_.update(false, ctx.now(), duration_);
      prevAvg10_.reset();
      return PluginResult::Stop;
    }
    const PsiLine& f = *best->full;
    bool held = sustained_.update(f.avg60 > threshold_, ctx.now(), duration_);
    bool fallingFast = prevAvg10_ && f.avg10 < *prevAvg10_ * fastFallRatio_;
    prevAvg10_ = f.avg10;
    if (!held || f.avg10 <= threshold_ || fallingFast) return PluginResult::Stop;
    ctx.addFinding(strprintf("%s pressure of %s rising: avg60 %.1f%% > %g%% for %s, avg10 %.1f%%", resourceName(resource_),
                             bestPath.c_str(), f.avg60, threshold_, formatDuration(sustained_.heldFor(ctx.now())).c_str(),
                             f.avg10));
    return PluginResult::Continue;
  }

  void wakeSources(std::vector<WakeSource>& out) const override { addWakeSources(out, cgroups_, resource_, threshold_); }
  // Nothing is timed without a duration: it fires, or it does not.
  bool timing() const override { return duration_ > Duration{0} && sustained_.active(); }

 private:
  CgroupPatterns cgroups_;
  Resource resource_ = Resource::Memory;
  double threshold_ = 0;
  Duration duration_{0};
  double fastFallRatio_ = 0.85;
  std::optional<double> prevAvg10_;
  Sustained sustained_;
};

}  // namespace

std::unique_ptr<Plugin> makePressureRisingBeyond(PluginArgs& args) { return std::make_unique<PressureRisingBeyond>(args); }

}  // namespace unitoomd
