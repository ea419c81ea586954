#include "policy/untrusted_units.h"

#include <algorithm>
#include <cstdint>

#include "util/strings.h"

namespace unitoomd {
namespace {

bool isUnitNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' || c == '_' || c == '.' ||
         c == '\\' || c == '@' || c == '-';
}

// The values systemd uses; anything else from a user's bus is a lie.
bool oneOf(const std::string& v, std::initializer_list<const char*> allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return v == a; });
}

}  // namespace

std::string userManagerSubtree(uid_t uid) {
  return strprintf("/user.slice/user-%u.slice/user@%u.service", static_cast<unsigned>(uid), static_cast<unsigned>(uid));
}

bool cgroupWithin(std::string_view cgroup, std::string_view root) {
  if (root == "/") return !cgroup.empty() && cgroup[0] == '/';
  return cgroup.substr(0, root.size()) == root && (cgroup.size() == root.size() || cgroup[root.size()] == '/');
}

bool isValidUnitName(std::string_view name) {
  if (name.empty() || name.size() > kMaxUnitNameBytes) return false;
  if (!std::all_of(name.begin(), name.end(), isUnitNameChar)) return false;
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  static constexpr std::string_view kTypes[] = {"service", "socket", "target", "device", "mount", "automount",
                                                "swap",    "timer",  "path",   "slice",  "scope"};
  std::string_view type = name.substr(dot + 1);
  if (std::find(std::begin(kTypes), std::end(kTypes), type) == std::end(kTypes)) return false;
  std::string_view stem = name.substr(0, dot);
  size_t at = stem.find('@');
  if (at == 0) return false;
  if (at != std::string_view::npos && stem.find('@', at + 1) != std::string_view::npos) return false;
  return true;
}

bool isCleanCgroupPath(std::string_view path) {
  if (path.empty() || path[0] != '/' || path.size() > kMaxCgroupPathBytes) return false;
  if (path == "/") return true;
  for (unsigned char c : path)
    if (c < 0x20 || c == 0x7f) return false;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

std::optional<std::string> userManagerSubtreeOf(std::string_view cgroup) {
  constexpr std::string_view kUserSlice = "/user.slice/user-";
  if (cgroup.substr(0, kUserSlice.size()) != kUserSlice) return std::nullopt;
  size_t end = cgroup.find(".slice/", kUserSlice.size());
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view digits = cgroup.substr(kUserSlice.size(), end - kUserSlice.size());
  if (digits.empty() || digits.size() > 10 || digits.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  unsigned long uid = std::stoul(std::string(digits));
  if (uid > UINT32_MAX) return std::nullopt;
  std::string root = userManagerSubtree(static_cast<uid_t>(uid));
  if (!cgroupWithin(cgroup, root)) return std::nullopt;
  return root;
}

bool userClaimsCountFor(const std::vector<std::string>& roots, std::string_view candidate) {
  auto subtree = userManagerSubtreeOf(candidate);
  if (!subtree || roots.empty()) return false;
  return std::all_of(roots.begin(), roots.end(), [&](const std::string& r) { return cgroupWithin(r, *subtree); });
}

std::optional<std::string> refusalOfUserUnitName(std::string_view name) {
  if (name.size() > kMaxUnitNameBytes)
    return strprintf("a unit name of %zu bytes (systemd allows %zu)", name.size(), kMaxUnitNameBytes);
  if (!isValidUnitName(name)) return std::string("not a valid unit name");
  return std::nullopt;
}

std::optional<std::string> refusalOfUserUnit(uid_t uid, const UnitOomSettings& u) {
  if (auto why = refusalOfUserUnitName(u.name)) return why;
  std::string root = userManagerSubtree(uid);
  if (!isCleanCgroupPath(u.cgroup)) return "cgroup is not a clean absolute path";
  // The manager's own cgroup is the system manager's unit, not the user's.
  if (!cgroupWithin(u.cgroup, root) || u.cgroup.size() == root.size()) return "cgroup outside " + root + "/";
  if (!oneOf(u.managedOOMSwap, {"auto", "kill"}) || !oneOf(u.managedOOMMemoryPressure, {"auto", "kill"}))
    return std::string("ManagedOOMSwap=/ManagedOOMMemoryPressure= neither auto nor kill");
  if (!oneOf(u.managedOOMPreference, {"none", "avoid", "omit"}))
    return std::string("ManagedOOMPreference= not none, avoid or omit");
  if (u.activeState.size() > 32) return std::string("an ActiveState of over 32 bytes");
  return std::nullopt;
}

}  // namespace unitoomd
