#include "plugins/kill_base.h"

#include <algorithm>
#include <cstdlib>

#include "desktop/protection.h"
#include "engine/report.h"
#include "plugins/detector_util.h"
#include "policy/untrusted_units.h"
#include "util/log.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

// "Found nothing to kill" is said once per episode, then at most this often.
constexpr Duration kNothingToKillRepeat = std::chrono::seconds(60);

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
    int pa = preferenceRank(a.preference), pb = preferenceRank(b.preference);
    if (pa != pb) return pa < pb;
    if (a.tier != b.tier) return a.tier < b.tier;
    if (a.score != b.score) return a.score > b.score;
    return a.cg->path() < b.cg->path();
  });
}

// $UNITOOMD_LAB_KILL_AIDS ("reap", "nolift", comma-separated) turns an
// aid to a victim's death on or off where no ruleset says: the VM lab
// measures each (issue 16) with one build, the variants differing only in
// this.
bool labAid(std::string_view aid) {
  const char* v = getenv("UNITOOMD_LAB_KILL_AIDS");
  if (!v) return false;
  for (std::string_view word : split(v, ','))
    if (trim(word) == aid) return true;
  return false;
}
bool labTurnedOn(std::string_view aid) { return labAid(aid); }
bool labTurnedOff(std::string_view aid) { return labAid(aid); }

double ownMemoryStall(CgroupView& cg) { return cg.stall(Resource::Memory, StallKind::Some, std::chrono::seconds(1)).value_or(0); }

KillPlugin::KillPlugin(PluginArgs& args) {
  cgroups_ = args.cgroups("cgroup");
  std::vector<std::string> watched;
  for (const auto& pattern : cgroups_) watched.push_back(literalPrefix(pattern));
  watched_ = watched == cgroups_.list() ? cgroups_ : CgroupPatterns(std::move(watched));
  recursive_ = args.flag("recursive", false);
  leaves_ = args.flag("leaves", false);
  if (recursive_ && leaves_) args.error("leaves", "'recursive' and 'leaves' choose candidates in different ways: pick one");
  dry_ = args.flag("dry", false);
  alwaysContinue_ = args.flag("always_continue", false);
  // Off unless a ruleset asks: in the VM lab it did not shorten the
  // victim's death and its threads' CPU delayed the daemon's own signal
  // (BENCHMARKS.md, issue 16); it had never run in the shipped unit before.
  options_.reapMemory = args.flag("reap_memory", labTurnedOn("reap"));
  options_.liftMemoryHigh = args.flag("lift_memory_high", !labTurnedOff("nolift"));
  options_.machineOutOfMemory = args.flag("machine_out_of_memory", false);
  std::string method = args.choice("method", {"kill", "stop", "restart"}, "kill");
  options_.method = method == "stop" ? KillMethod::Stop : method == "restart" ? KillMethod::Restart : KillMethod::Kill;
  options_.stopTimeout = args.duration("stop_timeout", options_.stopTimeout);
  options_.confirmTimeout = args.duration("confirm_timeout", options_.confirmTimeout);
  if (args.has("post_action_delay")) postActionDelay_ = args.duration("post_action_delay", Duration{0});
  // oomd arguments with no effect here: cgroup.kill is used whenever the
  // kernel has it (kernelkill), and logging is always structured.
  args.ignore("kernelkill");
  args.ignore("debug");
  args.ignore("log_kmemalloc_prekill");
}

Preference KillPlugin::preferenceOf(CgroupView* cg) const { return cg->preference(userClaimsCountFor(watched_, cg->path())); }

std::vector<Candidate> KillPlugin::candidatesOf(SampleContext& ctx, const std::vector<CgroupView*>& cgroups) {
  std::vector<Candidate> out;
  for (CgroupView* cg : cgroups) {
    if (cg->gone()) continue;  // vanished between listing and now: not a crash, not a candidate
    if (cg->populated() == false) continue;
    if (cg->memoryCurrent() == std::optional<uint64_t>(0)) continue;
    Preference preference = preferenceOf(cg);
    if (preference == Preference::Omit) {
      spared_.insert(cg->path() + " (omit)");
      continue;
    }
    if (std::string by = cg->protectedBy(); !by.empty()) {
      bool inside = ("/" + cg->path() + "/").find("/" + by + "/") != std::string::npos;
      if (ctx.spared && ctx.spared->count(cg->path())) spared_.insert(cg->path() + " (" + by + ")");
      else spared_.insert(by == cgroupName(cg->path()) ? by : cg->path() + (inside ? " (in " : " (holds ") + by + ")");
      continue;
    }
    Candidate c;
    c.cg = cg;
    c.preference = preference;
    out.push_back(std::move(c));
  }
  return out;
}

// systemd-oomd's candidates: every leaf below the monitored cgroups, and
// every memory.oom.group cgroup (which is killed whole, so not descended).
// A monitored leaf is its own candidate.
std::vector<Candidate> KillPlugin::leavesUnder(SampleContext& ctx, const std::vector<CgroupView*>& roots) {
  return candidatesOf(ctx, leafCgroups(ctx, roots));
}

std::vector<CgroupView*> KillPlugin::candidateCgroups(SampleContext& ctx) {
  auto roots = ctx.resolve(cgroups_);
  return leaves_ ? leafCgroups(ctx, roots) : roots;
}

std::vector<CgroupView*> KillPlugin::leafCgroups(SampleContext& ctx, const std::vector<CgroupView*>& roots) {
  std::vector<CgroupView*> found;
  std::vector<std::pair<CgroupView*, int>> stack;
  for (CgroupView* r : roots) stack.emplace_back(r, 0);
  while (!stack.empty()) {
    auto [cg, depth] = stack.back();
    stack.pop_back();
    if (depth > 0 && cg->oomGroup() == true) {
      found.push_back(cg);
      continue;
    }
    auto children = cg->childPaths();
    if (children.empty() || depth > 64) {
      found.push_back(cg);
      continue;
    }
    for (const auto& p : children)
      if (CgroupView* v = ctx.cgroup(p)) stack.emplace_back(v, depth + 1);
  }
  return found;
}

std::unique_ptr<KillPlugin::Attempt> KillPlugin::choose(SampleContext& ctx) {
  auto roots = ctx.resolve(cgroups_);
  auto candidates = leaves_ ? leavesUnder(ctx, roots) : candidatesOf(ctx, roots);
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
  if (candidates.empty()) return nullptr;

  auto attempt = std::make_unique<Attempt>();
  Attempt& a = *attempt;
  a.ranking = ranking;
  for (const Candidate& c : candidates) {
    Chosen ch{c.cg->path(), c.cg->inode(), "", c.figures};
    if (c.preference != Preference::None) ch.preference = preferenceName(c.preference);
    a.order.push_back(std::move(ch));
  }
  return attempt;
}

PluginResult KillPlugin::run(SampleContext& ctx) {
  if (!attempt_) {
    spared_.clear();
    attempt_ = choose(ctx);
    if (!attempt_) {
      if (!nothingSaidAt_ || ctx.now() - *nothingSaidAt_ >= kNothingToKillRepeat) {
        std::vector<std::string> spared(spared_.begin(), spared_.end());
        LOG_NOTICE("ruleset '%s': %s found nothing to kill under %s%s", ctx.action().ruleset.c_str(), name(),
                   join(cgroups_, ",").c_str(),
                   spared.empty() ? "" : ("; protected, so never killed: " + join(spared, ", ")).c_str());
        nothingSaidAt_ = ctx.now();
      }
      return PluginResult::Continue;  // another ruleset (or the next action) may still act
    }
    nothingSaidAt_.reset();
  }
  return advance(ctx);
}

// One step of the attempt: poll the kill in flight, or start the next one.
PluginResult KillPlugin::advance(SampleContext& ctx) {
  Attempt& a = *attempt_;
  while (true) {
    if (a.op) {
      KillState s = a.op->poll(ctx.fs(), ctx.now());
      if (s == KillState::Pending) return PluginResult::AsyncPaused;
      report(ctx, *a.current, false, a.op.get());
      if (s == KillState::Done) return finished(ctx, true);
      a.op.reset();  // failed or survived: consider the next candidate
    }
    if (a.next >= a.order.size()) return finished(ctx, false);
    const Chosen& c = a.order[a.next++];
    a.current = &c;
    CgroupView* cg = ctx.cgroup(c.path);
    // went away meanwhile, or another cgroup now has its name: not a victim
    if (!cg || cg->inode() != c.inode || cg->gone() || cg->populated() == false) continue;
    if (dry_ || ctx.dryRun) {
      report(ctx, c, true, nullptr);
      return finished(ctx, true);
    }
    if (!ctx.killer) {
      LOG_ERROR("ruleset '%s': no killer configured", ctx.action().ruleset.c_str());
      return finished(ctx, false);
    }
    LOG_INFO("ruleset '%s': %s chose %s (%s)", ctx.action().ruleset.c_str(), name(), c.path.c_str(), a.ranking.c_str());
    a.op = ctx.killer->start(ctx.fs(), KillTarget{c.path, c.inode}, options_, ctx.now());
  }
}

PluginResult KillPlugin::finished(SampleContext& ctx, bool killed) {
  if (!killed)
    LOG_ERROR("ruleset '%s': %s could not kill any of %zu candidate(s)", ctx.action().ruleset.c_str(), name(),
              attempt_ ? attempt_->order.size() : size_t{0});
  attempt_.reset();
  if (!killed) return PluginResult::Continue;
  if (postActionDelay_) ctx.action().postActionDelayOverride = postActionDelay_;
  return alwaysContinue_ ? PluginResult::Continue : PluginResult::Stop;
}

void KillPlugin::report(SampleContext& ctx, const Chosen& c, bool dryRun, const KillOperation* op) {
  KillReport report;
  report.at = ctx.now();
  report.ruleset = ctx.action().ruleset;
  report.description = ctx.action().description;
  report.origin = ctx.action().origin;
  report.group = ctx.action().group;
  report.plugin = name();
  report.victim = c.path;
  report.victimInode = c.inode;
  report.reasons = ctx.action().findings;
  report.ranking = attempt_ ? attempt_->ranking : "";
  report.figures = c.figures;
  if (!c.preference.empty()) report.figures.emplace_back("PREFERENCE", c.preference);
  report.dryRun = dryRun;
  if (dryRun) {
    report.ok = true;
  } else if (op) {
    report.ok = op->state() == KillState::Done;
    report.error = op->error();
    report.processes = op->processes();
    report.method = op->method();
    report.unit = op->unit();
    report.manager = op->manager();
    report.process = op->process();
    if (!report.process.empty()) report.figures.emplace_back("PROCESS_MEMORY", std::to_string(op->processBytes()));
    if (report.ok) {
      report.timeToDeath = op->timeToDeath();
      report.decidedAt = op->startedAt();
      report.signalledAt = op->signalSentAt();
    }
  }
  if (ctx.reports) ctx.reports->killAttempted(report);
}

}  // namespace unitoomd
