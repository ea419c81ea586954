#include "engine/calm_gate.h"

#include "observe/pressure_window.h"

namespace unitoomd {

std::optional<double> descendantCeiling(SampleContext& ctx, const CalmGate& gate) {
  CgroupView* ancestor = gate.ancestor.empty() ? nullptr : ctx.cgroup(gate.ancestor);
  if (!ancestor) return std::nullopt;
  std::optional<double> some;
  if (gate.window.count() <= 0) {
    const Psi* psi = ancestor->pressure(gate.resource);
    if (psi) some = psi->some.avg10;
  } else {
    bool fellBack = false;
    some = ancestor->stall(gate.resource, StallKind::Some, gate.window, &fellBack);
    if (fellBack) {
      const CgroupHistory* h = ctx.history().find(ancestor->inode());
      some = h ? worstWindowStall(h->stall[static_cast<int>(gate.resource)], StallKind::Some, gate.window) : std::nullopt;
    }
  }
  if (!some) return std::nullopt;
  return descendantStallBound(*some, ctx.cpus);
}

}  // namespace unitoomd
