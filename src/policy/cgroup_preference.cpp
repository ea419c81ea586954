#include "policy/cgroup_preference.h"

#include "desktop/protection.h"

namespace unitoomd {

const char* preferenceName(Preference p) {
  switch (p) {
    case Preference::None: return "none";
    case Preference::Prefer: return "prefer";
    case Preference::Avoid: return "avoid";
    case Preference::Omit: return "omit";
  }
  return "?";
}

bool userXattrsCount(uint32_t ownerUid, uint32_t daemonUid) { return ownerUid == 0 || ownerUid == daemonUid; }

Preference xattrPreference(const std::function<bool(const std::string& name)>& hasXattr, bool userXattrsCount) {
  auto has = [&](const char* suffix) {
    return hasXattr(std::string("trusted.") + suffix) || (userXattrsCount && hasXattr(std::string("user.") + suffix));
  };
  if (has("oomd_omit")) return Preference::Omit;
  if (has("oomd_prefer")) return Preference::Prefer;
  if (has("oomd_avoid")) return Preference::Avoid;
  return Preference::None;
}

Preference inheritedPreference(Preference own, std::optional<Preference> unitSetting, std::optional<Preference> userClaim,
                               const std::function<Preference()>& parent) {
  if (own != Preference::None) return own;
  if (unitSetting && *unitSetting != Preference::None) return *unitSetting;
  if (userClaim && *userClaim != Preference::None) return *userClaim;
  return parent ? parent() : Preference::None;
}

std::string protectionOf(const std::string& path, const std::vector<std::string>* protectedUnits,
                         const std::map<std::string, std::string>* spared,
                         const std::function<std::vector<std::string>(const std::string&)>& childPaths) {
  if (spared)
    if (auto it = spared->find(path); it != spared->end()) return it->second;
  if (!protectedUnits || protectedUnits->empty()) return "";
  std::string own = protectedComponent(path, *protectedUnits);
  if (!own.empty()) return own;
  // Protected units sit near the top of what contains them (init.scope in
  // user@.service, dbus.service in session.slice): three levels suffice,
  // and the walk stays cheap on a slice with thousands of children.
  std::vector<std::pair<std::string, int>> stack{{path, 0}};
  while (!stack.empty()) {
    auto [p, depth] = stack.back();
    stack.pop_back();
    for (auto& child : childPaths(p)) {
      std::string name(cgroupName(child));
      if (matchesAny(name, *protectedUnits)) return name;
      if (depth < 2) stack.emplace_back(child, depth + 1);
    }
  }
  return "";
}

}  // namespace unitoomd
