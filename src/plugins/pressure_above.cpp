// pressure_above: stall of the most-pressured matching cgroup above a
// threshold for a duration. Unlike oomd, the stall is measured from the PSI
// `total` counter over a short window (default 1 s) rather than the lagging
// avg10; `window=avg10` restores oomd's behaviour.
#include "plugins/plugin_factories.h"

#include "plugins/detector_util.h"
#include "util/log.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

class PressureAbove : public Plugin {
 public:
  explicit PressureAbove(PluginArgs& args) {
    cgroups_ = args.cgroups("cgroup");
    resource_ = parseResource(args);
    threshold_ = args.requiredNumber("threshold", 0, 100);
    duration_ = args.duration("duration", Duration{0});
    kind_ = args.choice("pressure", {"full", "some"}, "full") == "some" ? StallKind::Some : StallKind::Full;
    auto w = args.string("window");
    if (w && *w == "avg10") {
      useAvg10_ = true;
    } else if (w) {
      auto d = parseDuration(*w);
      if (!d || d->count() <= 0) args.error("window", "argument 'window': a time span or 'avg10', not '" + *w + "'");
      else window_ = *d;
    }
    for (const auto& pattern : cgroups_)
      bounds_.push_back({CalmGate{boundingAncestorPath(pattern), resource_, useAvg10_ ? Duration{0} : window_},
                         hasGlob(pattern) ? std::string() : literalPrefix(pattern)});
  }

  PluginResult run(SampleContext& ctx) override {
    double worst = -1;
    std::string worstPath;
    bool worstFellBack = false;
    uint64_t worstInode = 0;
    const StallProof* worstProof = nullptr;
    bool proven = false;  // the kernel's trigger says: at least the limit
    // While timing, every reading of the cgroup that is above counts: the
    // duration and a proven wake's crossing are placed from its own
    // consecutive readings, so no bound stands in for them then.
    bool timingNow = sustained_.active() || wake_.has_value();
    for (size_t i = 0; i < cgroups_.size(); ++i) {
      const std::string& pattern = cgroups_[i];
      if (!timingNow && calmBeneath(ctx, bounds_[i])) continue;
      for (CgroupView* cg : ctx.resolveOne(pattern)) {
        std::optional<double> v;
        bool fellBack = false;
        if (useAvg10_) {
          v = avg10(*cg, kind_);
        } else {
          v = cg->stall(resource_, kind_, window_, &fellBack);
        }
        // Woken by a trigger that proves the limit was crossed within its
        // window: above now, though this detector's own measure knows only
        // what it reads from now on (and avg10 trails by seconds).
        const StallProof* proof = applicableProof(ctx, cg->path(), resource_, kind_, threshold_);
        bool byProof = proof && (!v || *v <= threshold_);
        if (byProof) v = proof->percent;
        if (v && (*v > worst || (byProof && !proven && *v >= worst))) {
          worst = *v;
          worstPath = cg->path();
          worstInode = cg->inode();
          worstProof = proof;
          worstFellBack = fellBack;
          proven = byProof;
        }
      }
    }
    bool above = worst > threshold_ || proven;
    // What each sample saw, for a late decision to be placed against the
    // stall itself (the time is the sample's, not the journal's receipt).
    if (!worstPath.empty())
      LOG_DEBUG("pressure_above at %.3f: %s %.1f%% (%s), limit %g%%%s", std::chrono::duration<double>(ctx.now().time_since_epoch()).count(),
                worstPath.c_str(), worst, measuredBy(proven ? worstProof : nullptr, worstFellBack).c_str(), threshold_,
                above ? ", above" : "");
    bool starting = above && !sustained_.active();
    bool held = sustained_.update(above, ctx.now(), duration_);
    const CgroupHistory* h = worstInode ? ctx.history().find(worstInode) : nullptr;
    const StallHistory* stall = h ? &h->stall[static_cast<int>(resource_)] : nullptr;
    if (!above) wake_.reset();
    if (starting && worstProof && stall) wake_ = ProvenWake::start(*worstProof, *stall, kind_, window_);
    if (!held && wake_ && stall && sustained_.active()) {
      if (auto crossed = wake_->crossedAt(*stall, kind_, threshold_, window_)) {
        sustained_.backdate(*crossed);
        wake_.reset();
        held = sustained_.heldFor(ctx.now()) >= duration_;
      }
    }
    if (!held) return PluginResult::Stop;
    ctx.addFinding(strprintf("%s %s pressure of %s %.1f%% > %g%% for %s (%s)", resourceName(resource_),
                             kind_ == StallKind::Full ? "full" : "some", worstPath.c_str(), worst, threshold_,
                             formatDuration(sustained_.heldFor(ctx.now())).c_str(),
                             measuredBy(proven ? worstProof : nullptr, worstFellBack).c_str()));
    return PluginResult::Continue;
  }

  void wakeSources(std::vector<WakeSource>& out) const override {
    addProvableWakeSources(out, cgroups_, resource_, threshold_, kind_);
  }
  // Nothing is timed without a duration: it fires, or it does not.
  bool timing() const override { return duration_ > Duration{0} && sustained_.active(); }
  std::optional<TimePoint> decidesAt() const override {
    return timing() ? sustained_.heldAt(duration_) : std::nullopt;
  }
  // One pattern bounded by an ancestor: siblings under one slice share it.
  std::optional<CalmGate> calmGate() const override {
    if (bounds_.size() != 1 || bounds_[0].gate.ancestor.empty()) return std::nullopt;
    return bounds_[0].gate;
  }
  // What run() does when calmBeneath rules its one pattern out: nothing
  // read, nothing above.
  bool stoppedByCalm(SampleContext& ctx, std::optional<double> ancestorCeiling) override {
    if (bounds_.size() != 1 || sustained_.active() || wake_) return false;
    if (!calmBeneath(ctx, bounds_[0], &ancestorCeiling)) return false;
    sustained_.update(false, ctx.now(), duration_);
    return true;
  }
  // Below half the threshold calmBeneath needs nothing more.
  std::optional<double> calmBelow() const override {
    if (!calmGate()) return std::nullopt;
    return threshold_ / 2;
  }
  // The last sample that saw it calm: a proven wake's crossing is never
  // placed before it (Sustained::backdate).
  void ruledOutAt(TimePoint t) override { sustained_.update(false, t, duration_); }
  bool prerunsWhileSkipped() const override { return false; }

 private:
  // Said only when it fires (or at debug level): most samples of most
  // rulesets find nothing above, and 1,000 unit rulesets would format it
  // 1,000 times a sample.
  std::string measuredBy(const StallProof* proof, bool fellBack) const {
    if (proof) return formatDuration(proof->window) + " PSI trigger";
    return useAvg10_ || fellBack ? "avg10" : formatDuration(window_) + " window";
  }

  std::optional<double> avg10(CgroupView& cg, StallKind kind) const {
    const Psi* psi = cg.pressure(resource_);
    if (!psi) return std::nullopt;
    if (kind == StallKind::Some) return psi->some.avg10;
    return psi->full ? std::optional<double>(psi->full->avg10) : std::nullopt;
  }

  // Thousands of cgroups need not be read at every sample: when the stall of
  // their bounding ancestor (a glob's literal prefix, an exact cgroup's
  // parent) bounds every descendant's well below the threshold, none of
  // them can be above it. Half the threshold leaves room for the kernel
  // aggregating each group at its own moments, and lets the descendants'
  // windows fill before one could cross. A trigger that fired on the
  // cgroup itself is read whatever the bound: what it proves is the
  // cgroup's own reading at the wake (ProvenWake).
  struct Bound {
    CalmGate gate;      // its ancestor: boundingAncestorPath
    std::string exact;  // the cgroup an exact pattern names; empty for a glob
  };
  // `ancestorCeiling`: what the ancestor bounds, when the engine has read
  // it already for every detector under it.
  bool calmBeneath(SampleContext& ctx, const Bound& bound, const std::optional<double>* ancestorCeiling = nullptr) const {
    if (!bound.exact.empty() && ctx.stallProof(bound.exact, resource_)) return false;
    auto belowHalf = [&](const std::optional<double>& ceiling) { return ceiling && *ceiling < threshold_ / 2; };
    if (ancestorCeiling && belowHalf(*ancestorCeiling)) return true;  // read already: no trigger looked up
    if (quietBelowThreshold(ctx, bound)) return true;
    return !ancestorCeiling && belowHalf(descendantCeiling(ctx, bound.gate));
  }

  // An exact cgroup's own trigger, armed and quiet over the whole window,
  // bounds its stall better than any ancestor: the parent of a unit's
  // cgroup is often "/", whose stall is the whole machine's. (Not for
  // avg10: it reaches back further than any trigger's quiet.)
  bool quietBelowThreshold(const SampleContext& ctx, const Bound& bound) const {
    if (bound.exact.empty() || useAvg10_) return false;
    auto quiet = ctx.quietTrigger(bound.exact, resource_);
    if (!quiet) return false;
    auto ceiling = stallCeiling(*quiet, kind_, window_, ctx.now());
    return ceiling && *ceiling < threshold_;
  }

  CgroupPatterns cgroups_;
  std::vector<Bound> bounds_;  // of each pattern
  Resource resource_ = Resource::Memory;
  double threshold_ = 0;
  Duration duration_{0};
  StallKind kind_ = StallKind::Full;
  Duration window_ = std::chrono::seconds(1);
  bool useAvg10_ = false;
  Sustained sustained_;
  std::optional<ProvenWake> wake_;  // woken by a trigger's proof, crossing not yet placed
};

}  // namespace

std::unique_ptr<Plugin> makePressureAbove(PluginArgs& args) { return std::make_unique<PressureAbove>(args); }

}  // namespace unitoomd
