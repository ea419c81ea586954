#include "daemon/trigger_stall.h"

#include "observe/pressure_window.h"

namespace unitoomd {
namespace {

std::string parentOf(const std::string& cgroup) {
  auto slash = cgroup.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : cgroup.substr(0, slash);
}

// The parent's `some` stall bounds the child's (some or full) below
// `percent`. Woken from idle, the parent's last reading is long ago: all of
// its stall since then may have been in the last window.
bool parentBoundsBelow(SampleContext& ctx, const std::string& parentPath, Resource r, Duration window, double percent) {
  CgroupView* parent = ctx.cgroup(parentPath);
  if (!parent) return false;
  bool fellBack = false;
  std::optional<double> some = parent->stall(r, StallKind::Some, window, &fellBack);
  if (fellBack) {
    const CgroupHistory* h = ctx.history().find(parent->inode());
    some = h ? worstWindowStall(h->stall[static_cast<int>(r)], StallKind::Some, window) : std::nullopt;
  }
  return some && descendantStallBound(*some, ctx.cpus) < percent;
}

}  // namespace

bool stallAtTrigger(const TriggerSpec& spec, SampleContext& ctx, Duration triggerWindow) {
  Duration window = windowOf(spec, triggerWindow);
  if (spec.cgroup != "/" && parentBoundsBelow(ctx, parentOf(spec.cgroup), spec.resource, window, spec.wakePercent))
    return false;
  CgroupView* cg = ctx.cgroup(spec.cgroup);
  if (!cg) return false;
  auto pct = cg->stall(spec.resource, spec.kind, window);
  return pct && *pct >= spec.wakePercent;
}

}  // namespace unitoomd
