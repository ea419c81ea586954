// What every kill plugin shares: its arguments (cgroup, recursive, dry,
// post_action_delay, always_continue, reap_memory), candidate filtering
// (empty and `omit` cgroups never), ordering (prefer first, avoid last, then
// the plugin's own rank), the try-next-candidate-on-failure loop and the
// kill report. A plugin supplies only its ranking.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/plugin.h"
#include "engine/plugin_args.h"

namespace unitoomd {

struct Candidate {
  CgroupView* cg = nullptr;
  bool eligible = true;  // a plugin may rule a candidate out (e.g. no swap use)
  int tier = 0;          // lower tiers go first (a plugin's phases)
  double score = 0;      // higher goes first within a tier
  std::vector<std::pair<std::string, std::string>> figures;
};

// Sorts: preference (prefer, none, avoid), tier, score (desc), path. Pure.
void orderCandidates(std::vector<Candidate>& candidates);

class KillPlugin : public Plugin {
 public:
  explicit KillPlugin(PluginArgs& args);
  PluginResult run(SampleContext& ctx) override;

 protected:
  // Fills tier/score/figures/eligible; returns how it ranked, in words (a
  // fallback, e.g. to PSI where memory.stat is missing, must say so).
  virtual std::string rank(SampleContext& ctx, std::vector<Candidate>& candidates) = 0;

  std::vector<Candidate> candidatesOf(SampleContext& ctx, const std::vector<CgroupView*>& cgroups);
  std::vector<std::string> cgroups_;

 private:
  bool tryKill(SampleContext& ctx, const Candidate& c, const std::string& ranking);

  bool recursive_ = false;
  bool dry_ = false;
  bool alwaysContinue_ = false;
  bool reapMemory_ = true;
  std::optional<Duration> postActionDelay_;
};

// Helpers for rankings that fall back to the candidate's own memory stall.
double ownMemoryStall(CgroupView& cg);

}  // namespace unitoomd
