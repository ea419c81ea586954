#include "plugins/kill_base.h"

#include <algorithm>

#include "act/killer.h"
#include "engine/report.h"
#include "util/log.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

int preferenceRank(Preference p) {
  switch (p) {
    case Preference::Prefer: return 0;
    case Preference::None: return 1;
    case Preference::Avoid: return 2;
    case Preference::Omit: return 3;
  }
  return 1;
}

}  // namespace

void orderCandidates(std::vector<Candidate>& candidates) {
  std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    int pa = preferenceRank(a.cg->preference()), pb = preferenceRank(b.cg->preference());
    if (pa != pb) return pa < pb;
    if (a.tier != b.tier) return a.tier < b.tier;
    if (a.score != b.score) return a.score > b.score;
    return a.cg->path() < b.cg->path();
  });
}

double ownMemoryStall(CgroupView& cg) {
  return cg.stall(Resource::Memory, StallKind::Some, std::chrono::seconds(1)).value_or(0);
}

KillPlugin::KillPlugin(PluginArgs& args) {
  cgroups_ = args.cgroups("cgroup");
  recursive_ = args.flag("recursive", false);
  dry_ = args.flag("dry", false);
  alwaysContinue_ = args.flag("always_continue", false);
  reapMemory_ = args.flag("reap_memory", true);
  if (args.has("post_action_delay")) postActionDelay_ = args.duration("post_action_delay", Duration{0});
  // oomd arguments with no effect here: cgroup.kill is used whenever the
  // kernel has it (kernelkill), and logging is always structured.
  args.ignore("kernelkill");
  args.ignore("debug");
  args.ignore("log_kmemalloc_prekill");
}

std::vector<Candidate> KillPlugin::candidatesOf(SampleContext&, const std::vector<CgroupView*>& cgroups) {
  std::vector<Candidate> out;
  for (CgroupView* cg : cgroups) {
    if (cg->gone()) continue;  // vanished between listing and now: not a crash, not a candidate
    if (cg->populated() == false) continue;
    if (cg->preference() == Preference::Omit) continue;
    if (cg->memoryCurrent() == std::optional<uint64_t>(0)) continue;
    Candidate c;
    c.cg = cg;
    out.push_back(std::move(c));
  }
  return out;
}

PluginResult KillPlugin::run(SampleContext& ctx) {
  auto candidates = candidatesOf(ctx, ctx.resolve(cgroups_));
  std::string ranking = rank(ctx, candidates);
  std::erase_if(candidates, [](const Candidate& c) { return !c.eligible; });
  orderCandidates(candidates);

  // recursive: descend into the winner until a leaf or a memory.oom.group cgroup
  while (recursive_ && !candidates.empty()) {
    CgroupView* top = candidates.front().cg;
    if (top->oomGroup() == true) break;
    std::vector<CgroupView*> children;
    for (const auto& p : top->childPaths())
      if (CgroupView* v = ctx.cgroup(p)) children.push_back(v);
    auto next = candidatesOf(ctx, children);
    if (next.empty()) break;
    ranking = rank(ctx, next);
    std::erase_if(next, [](const Candidate& c) { return !c.eligible; });
    if (next.empty()) break;
    orderCandidates(next);
    candidates = std::move(next);
  }

  for (const Candidate& c : candidates) {
    if (tryKill(ctx, c, ranking)) {
      if (postActionDelay_) ctx.action().postActionDelayOverride = postActionDelay_;
      return alwaysContinue_ ? PluginResult::Continue : PluginResult::Stop;
    }
  }
  LOG_NOTICE("ruleset '%s': %s found nothing to kill among %s", ctx.action().ruleset.c_str(), name().c_str(),
             join(cgroups_, ",").c_str());
  return PluginResult::Continue;
}

bool KillPlugin::tryKill(SampleContext& ctx, const Candidate& c, const std::string& ranking) {
  KillReport report;
  report.at = ctx.now();
  report.ruleset = ctx.action().ruleset;
  report.description = ctx.action().description;
  report.origin = ctx.action().origin;
  report.group = ctx.action().group;
  report.plugin = name();
  report.victim = c.cg->path();
  report.victimInode = c.cg->inode();
  report.reasons = ctx.action().findings;
  report.ranking = ranking;
  report.figures = c.figures;
  if (c.cg->preference() != Preference::None) report.figures.emplace_back("PREFERENCE", preferenceName(c.cg->preference()));
  report.dryRun = dry_ || ctx.dryRun;
  if (report.dryRun) {
    report.ok = true;
  } else if (!ctx.killer) {
    report.error = "no killer configured";
  } else {
    auto outcome = ctx.killer->kill(c.cg->dir(), KillOptions{reapMemory_});
    report.ok = outcome.ok();
    if (outcome) {
      report.processes = outcome->processes;
      report.method = outcome->method;
    } else {
      report.error = outcome.error().message;
    }
  }
  if (ctx.reports) ctx.reports->killAttempted(report);
  return report.ok;
}

}  // namespace unitoomd
