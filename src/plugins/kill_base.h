// What every kill plugin shares: its arguments (cgroup, recursive, leaves,
// method, dry, post_action_delay, always_continue, reap_memory,
// lift_memory_high), candidate
// filtering (empty and `omit` cgroups never), ordering (prefer first, avoid
// last, then the plugin's own rank), the kill itself as an operation that
// lasts several samples (the chain stays paused on it), moving on to the
// next candidate when a kill fails or the victim survives, and the report.
// A plugin supplies only its ranking.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "act/killer.h"
#include "engine/plugin.h"
#include "engine/plugin_args.h"

namespace unitoomd {

struct Candidate {
  CgroupView* cg = nullptr;
  Preference preference = Preference::None;  // as this plugin's rulesets see it
  bool eligible = true;                      // a plugin may rule a candidate out (e.g. no swap use)
  int tier = 0;                              // lower tiers go first (a plugin's phases)
  double score = 0;                          // higher goes first within a tier
  std::vector<std::pair<std::string, std::string>> figures;
};

// Sorts: preference (prefer, none, avoid), tier, score (desc), path. Pure.
void orderCandidates(std::vector<Candidate>& candidates);

class KillPlugin : public Plugin {
 public:
  explicit KillPlugin(PluginArgs& args);
  PluginResult run(SampleContext& ctx) override;
  const KillOperation* killInFlight() const override { return attempt_ ? attempt_->op.get() : nullptr; }

 protected:
  // Fills tier/score/figures/eligible; returns how it ranked, in words (a
  // fallback, e.g. to PSI where memory.stat is missing, must say so).
  virtual std::string rank(SampleContext& ctx, std::vector<Candidate>& candidates) = 0;

  std::vector<Candidate> candidatesOf(SampleContext& ctx, const std::vector<CgroupView*>& cgroups);
  // The cgroups ranking will look at (the leaves, with "leaves"), unfiltered:
  // for histories that must be fed before a kill is due.
  std::vector<CgroupView*> candidateCgroups(SampleContext& ctx);
  CgroupPatterns cgroups_;
  CgroupPatterns watched_;  // the literal cgroups (glob prefixes) it watches; cgroups_ itself when no glob

 private:
  // What a user's manager says of `cg` counts only if this plugin watches
  // inside that user's subtree alone.
  Preference preferenceOf(CgroupView* cg) const;
  // A candidate as remembered across samples while kills are in flight.
  struct Chosen {
    std::string path;
    uint64_t inode = 0;
    std::string preference;
    std::vector<std::pair<std::string, std::string>> figures;
  };
  struct Attempt {
    std::vector<Chosen> order;
    size_t next = 0;
    std::string ranking;
    std::unique_ptr<KillOperation> op;
    const Chosen* current = nullptr;
  };

  std::vector<Candidate> leavesUnder(SampleContext& ctx, const std::vector<CgroupView*>& roots);
  std::vector<CgroupView*> leafCgroups(SampleContext& ctx, const std::vector<CgroupView*>& roots);
  std::unique_ptr<Attempt> choose(SampleContext& ctx);
  PluginResult advance(SampleContext& ctx);
  PluginResult finished(SampleContext& ctx, bool killed);
  void report(SampleContext& ctx, const Chosen& c, bool dryRun, const KillOperation* op);

  bool recursive_ = false;
  bool leaves_ = false;
  bool dry_ = false;
  bool alwaysContinue_ = false;
  KillOptions options_;
  std::optional<Duration> postActionDelay_;
  // only while a kill is under way: 1,000 unit rulesets' kill plugins wait
  std::unique_ptr<Attempt> attempt_;
  std::optional<TimePoint> nothingSaidAt_;
  std::set<std::string> spared_;  // protected candidates passed over, for "nothing to kill"
};

// Helpers for rankings that fall back to the candidate's own memory stall.
double ownMemoryStall(CgroupView& cg);

}  // namespace unitoomd
