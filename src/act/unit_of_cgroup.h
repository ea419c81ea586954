// Which unit owns a victim cgroup, answered from the units a tracker
// already follows, so a kill does not have to ask systemd (which may be the
// very thing stalled: PID 1 swapped out, the bus daemon stuck). Pure.
//
// Only a cgroup no followed unit explains is left for GetUnitByControlGroup:
// a unit started since the last read, say. A cgroup strictly inside a
// service or scope is not a unit of its own (only slices hold units), so
// it is known without asking: it is killed with cgroup.kill.
#pragma once

#include <functional>
#include <string>

namespace unitoomd {

struct UnitOfCgroup {
  enum class Kind {
    Unit,     // `unit` owns exactly this cgroup
    Inside,   // the cgroup is inside `unit` (a service or scope), not a unit of its own
    Unknown,  // no followed unit explains it: ask systemd
  };
  Kind kind = Kind::Unknown;
  std::string unit;
};

// `unitAt(cgroup)` returns the name of the followed unit whose ControlGroup
// is exactly `cgroup`, or null. `cgroup` is "/a.slice/b.service".
UnitOfCgroup unitOfCgroup(const std::string& cgroup, const std::function<const std::string*(const std::string&)>& unitAt);

}  // namespace unitoomd
