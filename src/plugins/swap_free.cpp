// swap_free: free swap below threshold_pct of total swap, and (optionally)
// swapping out at least swapout_bps_threshold bytes/s. Sizes come from
// /proc/swaps, not /proc/meminfo: during swapoff meminfo's SwapFree drops to
// zero while SwapTotal shrinks slowly, which looked like a full swap.
// Without swap it never fires.
#include "plugins/plugin_factories.h"

#include "plugins/detector_util.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

class SwapFree : public Plugin {
 public:
  explicit SwapFree(PluginArgs& args) {
    thresholdPct_ = args.requiredNumber("threshold_pct", 0, 100);
    swapoutBps_ = args.number("swapout_bps_threshold", 0, 0, 1e15);
  }

  PluginResult run(SampleContext& ctx) override {
    // /proc/vmstat (some 170 lines) only where a swap-out rate is asked for
    double rate = swapoutBps_ > 0 ? swapoutRate(ctx) : 0;
    auto swaps = ctx.swaps();
    quiet_.reset();
    if (!swaps || swaps->totalBytes == 0) {
      lastUsed_.reset();
      return PluginResult::Stop;
    }
    double freePct = 100.0 * static_cast<double>(swaps->freeBytes()) / static_cast<double>(swaps->totalBytes);
    followFill(ctx.now(), *swaps);
    if (freePct >= thresholdPct_) return PluginResult::Stop;
    if (swapoutBps_ > 0 && rate < swapoutBps_) return PluginResult::Stop;
    ctx.addFinding(strprintf("swap free %.1f%% (%s of %s) < %g%%", freePct, formatBytes(swaps->freeBytes()).c_str(),
                             formatBytes(swaps->totalBytes).c_str(), thresholdPct_));
    return PluginResult::Continue;
  }

 private:
  double swapoutRate(SampleContext& ctx) {
    const FlatKeyed* vm = ctx.vmstat();
    if (!vm) return 0;
    auto it = vm->find(std::string_view("pswpout"));
    if (it == vm->end()) return 0;
    double rate = 0;
    if (lastPswpout_ && ctx.now() > lastAt_ && it->second >= *lastPswpout_)
      rate = static_cast<double>(it->second - *lastPswpout_) * 4096.0 /
             toSeconds(std::chrono::duration_cast<Duration>(ctx.now() - lastAt_));
    lastPswpout_ = it->second;
    lastAt_ = ctx.now();
    return rate;
  }

  // Swap cannot reach the threshold before its headroom is filled at the
  // fastest pace seen lately: half that time is quiet (the pace may rise).
  // Nothing filling: quiet without end (the daemon bounds its own waits).
  void followFill(TimePoint now, const SwapInfo& s) {
    uint64_t used = s.usedBytes;
    double headroom = static_cast<double>(s.freeBytes()) - thresholdPct_ / 100.0 * static_cast<double>(s.totalBytes);
    if (lastUsed_ && now > lastUsedAt_) {
      double pace = (static_cast<double>(used) - static_cast<double>(*lastUsed_)) /
                    toSeconds(std::chrono::duration_cast<Duration>(now - lastUsedAt_));
      // the fastest pace decays by half each sample, so one burst does not
      // keep the daemon sampling fast for the rest of the episode
      fastest_ = std::max(pace, fastest_ / 2);
    }
    lastUsed_ = used;
    lastUsedAt_ = now;
    if (headroom <= 0) quiet_ = Duration{0};
    else if (fastest_ <= 0) quiet_ = Duration::max();
    else quiet_ = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(std::min(headroom / fastest_ / 2, 3600.0)));
  }

 public:
  std::optional<Duration> quietFor() const override { return quiet_; }

 private:
  std::optional<uint64_t> lastUsed_;
  TimePoint lastUsedAt_{};
  double fastest_ = 0;  // bytes/s
  std::optional<Duration> quiet_;
  double thresholdPct_ = 0;
  double swapoutBps_ = 0;
  std::optional<uint64_t> lastPswpout_;
  TimePoint lastAt_{};
};

}  // namespace

std::unique_ptr<Plugin> makeSwapFree(PluginArgs& args) { return std::make_unique<SwapFree>(args); }

}  // namespace unitoomd
