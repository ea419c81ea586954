#include "act/unit_of_cgroup.h"

#include "util/strings.h"

namespace unitoomd {

UnitOfCgroup unitOfCgroup(const std::string& cgroup, const std::function<const std::string*(const std::string&)>& unitAt) {
  if (cgroup.empty() || cgroup[0] != '/') return {};
  if (const std::string* exact = unitAt(cgroup)) return {UnitOfCgroup::Kind::Unit, *exact};
  // The nearest followed ancestor decides: a slice may hold a unit we have
  // not read yet; a service or scope holds only its own processes' cgroups.
  std::string parent = cgroup;
  while (true) {
    size_t slash = parent.rfind('/');
    if (slash == 0 || slash == std::string::npos) break;  // "-.slice" owns "/": it never owns a victim
    parent.resize(slash);
    if (const std::string* owner = unitAt(parent)) {
      if (endsWith(*owner, ".slice")) return {};
      return {UnitOfCgroup::Kind::Inside, *owner};
    }
  }
  return {};
}

}  // namespace unitoomd
