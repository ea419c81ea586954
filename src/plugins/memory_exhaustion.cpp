// memory_exhaustion: memory is predicted to run out within `threshold` at
// the rate it is going now. Where PSI warns late -- no swap, or swap on zram:
// a fast anonymous grower takes free memory without stalling anyone until
// the kernel's OOM killer is a fraction of a second away -- this looks at
// the room left and how fast it shrinks.
//
// Room: MemAvailable minus `reserve` (5 % of MemTotal by default: below
// that a machine without swap thrashes on its file pages, the grower slows
// with everyone else, and the kernel may take minutes to act); for a matched cgroup with
// a memory.max, also its room under that limit (less `reserve` of it),
// whichever is smaller. The rate is a robust slope (engine/trend.h) of the
// room over `window`; a decline slower than `min_rate` is no prediction.
// With "without_swap": true it watches only while the system has no usable
// swap (free swap, zram's by what it really holds, below `reserve`): with
// room in swap, the kernel swaps and PSI and the swap rules see it coming.
#include "plugins/plugin_factories.h"

#include <algorithm>
#include <map>

#include "engine/trend.h"
#include "plugins/detector_util.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

// How fast memory may fill between two samples (earlyoom assumes more of
// bare metal; this is what unitoomd plans its sampling for): with room R
// the next sample comes within R / this.
constexpr double kFastestGrowthBytesPerSecond = 2.0 * 1024 * 1024 * 1024;
// "Closing in": a quick prediction under this many thresholds makes the
// ruleset time towards a kill (short samples, growth histories, a warning).
constexpr double kApproach = 3.0;
// A fall counts when it is significant (Trend::Fit, Mann-Kendall, one-sided
// 95 %): noise has a slope too.
constexpr double kSignificantFall = -1.645;

class MemoryExhaustion : public Plugin {
 public:
  explicit MemoryExhaustion(PluginArgs& args) {
    cgroups_ = args.cgroups("cgroup", false);
    if (cgroups_.empty()) cgroups_ = CgroupPatterns({"/"});
    threshold_ = args.duration("threshold", std::chrono::seconds(10));
    if (threshold_ <= Duration{0}) args.error("threshold", "must be above 0 (seconds left)");
    window_ = args.duration("window", std::chrono::seconds(2));
    if (window_ < std::chrono::milliseconds(500)) args.error("window", "must be at least 500ms");
    duration_ = args.duration("duration", Duration{0});
    if (auto r = args.size("reserve")) reserve_ = *r;
    if (auto r = args.size("min_rate")) {
      if (r->isPercent) args.error("min_rate", "a size per second (\"4M\"), not a percentage");
      minRate_ = static_cast<double>(r->bytes);
    }
    withoutSwap_ = args.flag("without_swap", false);
  }

  // Fed before any ruleset runs, so that the kill plugin beside it starts its
  // growth histories as soon as this one is closing in (engine.cpp: actions'
  // prerun follows the detectors' timing).
  void prerun(SampleContext& ctx) override {
    seen_.clear();
    gateOpen_ = !withoutSwap_ || !usableSwap(ctx);
    if (!gateOpen_) {
      tracks_.clear();
      return;
    }
    const FlatKeyed* mi = ctx.meminfo();
    auto field = [&](std::string_view k) -> std::optional<double> {
      if (!mi) return std::nullopt;
      auto it = mi->find(k);
      return it == mi->end() ? std::nullopt : std::optional<double>(static_cast<double>(it->second));
    };
    auto avail = field("MemAvailable"), total = field("MemTotal");
    if (!avail || !total) {
      ctx.noteUnavailable("MemAvailable in /proc/meminfo", "memory_exhaustion cannot predict");
      tracks_.clear();
      return;
    }
    double systemRoom = *avail - static_cast<double>(reserve_.resolve(static_cast<uint64_t>(*total)));
    for (CgroupView* cg : ctx.resolve(cgroups_)) {
      double room = systemRoom;
      if (!cg->isRoot()) {
        auto max = cg->memoryMax();
        auto cur = cg->memoryCurrent();
        if (max && cur && *max != UINT64_MAX)
          room = std::min(room,
                          static_cast<double>(*max) - static_cast<double>(*cur) - static_cast<double>(reserve_.resolve(*max)));
      }
      Track& t = tracks_.try_emplace(cg->inode(), window_).first->second;
      // Room back above all the window saw, by more than noise: whatever was
      // eating it stopped (or was killed); the old decline predicts nothing.
      double highest = -1e18;
      for (const auto& p : t.trend.points()) highest = std::max(highest, p.value);
      if (!t.trend.points().empty() && room > highest + minRate_ * toSeconds(window_)) t.trend.clear();
      t.trend.add(ctx.now(), room);
      t.path = cg->path();
      t.room = room;
      auto fit = t.trend.fit();
      t.rate = fit ? -fit->slopePerSecond : 0;
      bool steady = fit && fit->mannKendallZ <= kSignificantFall;
      t.secondsLeft = steady ? secondsUntilExhausted(room, fit->slopePerSecond, minRate_) : std::nullopt;
      auto quick = t.trend.lastSlopePerSecond();
      double approach = kApproach * toSeconds(threshold_);
      t.quickSecondsLeft = quick ? secondsUntilExhausted(room, *quick, minRate_) : std::nullopt;
      bool closing = t.quickSecondsLeft.value_or(1e18) < approach || t.secondsLeft.value_or(1e18) < approach;
      // held for a window: one calm sample amid a fall is no end of it (nor
      // a new warning)
      if (closing) t.closingUntil = ctx.now() + window_;
      t.closing = ctx.now() < t.closingUntil;
      seen_.push_back(cg->inode());
    }
    std::erase_if(tracks_, [&](const auto& kv) { return std::find(seen_.begin(), seen_.end(), kv.first) == seen_.end(); });
  }

  PluginResult run(SampleContext& ctx) override {
    const Track* worst = nullptr;
    for (const auto& [inode, t] : tracks_)
      if (t.secondsLeft && (!worst || *t.secondsLeft < *worst->secondsLeft)) worst = &t;
    bool under = worst && *worst->secondsLeft < toSeconds(threshold_);
    if (!sustained_.update(under, ctx.now(), duration_)) return PluginResult::Stop;
    ctx.addFinding(strprintf("memory of %s runs out in %.1f s at %s/s (%s left above the reserve%s) < %s", worst->path.c_str(),
                             *worst->secondsLeft, formatBytes(static_cast<uint64_t>(std::max(0.0, worst->rate))).c_str(),
                             formatBytes(static_cast<uint64_t>(std::max(0.0, worst->room))).c_str(),
                             withoutSwap_ ? "; no usable swap" : "", formatDuration(threshold_).c_str()));
    return PluginResult::Continue;
  }

  bool timing() const override {
    if (sustained_.active()) return true;
    for (const auto& [inode, t] : tracks_)
      if (t.closing) return true;
    return false;
  }

  std::optional<Duration> sampleWithin() const override {
    if (!gateOpen_ || tracks_.empty()) return std::nullopt;
    double room = 1e18;
    for (const auto& [inode, t] : tracks_) room = std::min(room, t.room);
    return fromSeconds(std::max(0.0, room / kFastestGrowthBytesPerSecond));
  }

  // For the daemon's watching interval (swap_free's quietFor): while swap is
  // usable it cannot fire before swap stops being usable, which the swap
  // rules watch, so it does not hold the daemon at the short interval; while
  // it watches, the room left at the fastest growth says how long.
  std::optional<Duration> quietFor() const override {
    if (!gateOpen_) return std::chrono::seconds(1);
    return sampleWithin();
  }

  // The robust prediction; while it needs more samples, the quick one (a
  // warning that says "about 5 s" early beats an exact one too late).
  std::optional<double> secondsLeft() const override {
    std::optional<double> best;
    for (const auto& [inode, t] : tracks_) {
      auto s = t.secondsLeft ? t.secondsLeft : t.closing ? t.quickSecondsLeft : std::nullopt;
      if (s && (!best || *s < *best)) best = s;
    }
    return best;
  }

 private:
  struct Track {
    explicit Track(Duration window) : trend(window) {}
    Trend trend;
    std::string path;
    double room = 0;
    double rate = 0;
    std::optional<double> secondsLeft;
    std::optional<double> quickSecondsLeft;  // from the last two samples only
    bool closing = false;
    TimePoint closingUntil{};
  };

  bool usableSwap(SampleContext& ctx) {
    auto swaps = ctx.swaps();
    if (!swaps || swaps->totalBytes == 0) return false;
    uint64_t memTotal = 0;
    if (const FlatKeyed* mi = ctx.meminfo())
      if (auto it = mi->find(std::string_view("MemTotal")); it != mi->end()) memTotal = it->second;
    return swaps->freeBytes() > reserve_.resolve(memTotal);
  }

  CgroupPatterns cgroups_;
  Duration threshold_{};
  Duration window_{};
  Duration duration_{0};
  SizeOrPercent reserve_{true, 5, 0};
  double minRate_ = 4.0 * 1024 * 1024;
  bool withoutSwap_ = false;
  bool gateOpen_ = false;
  std::map<uint64_t, Track> tracks_;
  std::vector<uint64_t> seen_;
  Sustained sustained_;
};

}  // namespace

std::unique_ptr<Plugin> makeMemoryExhaustion(PluginArgs& args) { return std::make_unique<MemoryExhaustion>(args); }

}  // namespace unitoomd
