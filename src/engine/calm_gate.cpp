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

std::string parentCgroup(const std::string& path) {
  if (path.empty() || path == "/") return {};
  auto slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

bool provenBeneath(const SampleContext& ctx, const CalmGate& gate) {
  if (!ctx.stallProofs || gate.ancestor.empty()) return false;
  const std::string& a = gate.ancestor;
  for (const auto& p : *ctx.stallProofs) {
    if (p.resource != gate.resource) continue;
    if (a == "/" || p.cgroup == a || (p.cgroup.size() > a.size() && p.cgroup.compare(0, a.size(), a) == 0 && p.cgroup[a.size()] == '/'))
      return true;
  }
  return false;
}

}  // namespace unitoomd
