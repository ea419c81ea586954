// Policy over what a sample observed of a cgroup: which OOM preference it
// has (its own xattrs, who may set them, inheritance from ancestors) and
// which protected cgroup keeps it from being killed. Pure: the sample context
// hands in what it read (owner, xattrs, children, the parent's answer).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace unitoomd {

enum class Preference { None, Prefer, Avoid, Omit };
const char* preferenceName(Preference p);

// user.* xattrs can be set by whoever owns the cgroup, so they count only on
// cgroups owned by root or by this daemon's user (a delegated subtree cannot
// make itself unkillable); trusted.* need CAP_SYS_ADMIN to set.
bool userXattrsCount(uint32_t ownerUid, uint32_t daemonUid);

// The preference a cgroup's own xattrs give: `hasXattr("trusted.oomd_omit")`
// says whether it has that one. omit over prefer over avoid.
Preference xattrPreference(const std::function<bool(const std::string& name)>& hasXattr, bool userXattrsCount);

// A preference is the cgroup's own (xattrs, else its unit's
// ManagedOOMPreference=, else what a user's manager claims where that
// counts), else the nearest ancestor's (`parent`, called only then; null for
// the root): `avoid` on a slice protects everything under it, and a closer
// setting overrides it.
Preference inheritedPreference(Preference own, std::optional<Preference> unitSetting, std::optional<Preference> userClaim,
                               const std::function<Preference()>& parent);

// The protected cgroup ([Desktop] ProtectedUnits=) that `path` is, is
// inside, or contains a few levels down, or why it is spared (`spared`: apps
// a user chose to keep); empty when none. `childPaths` lists a cgroup's
// children (it is asked only when the path itself is not protected).
std::string protectionOf(const std::string& path, const std::vector<std::string>* protectedUnits,
                         const std::map<std::string, std::string>* spared,
                         const std::function<std::vector<std::string>(const std::string&)>& childPaths);

}  // namespace unitoomd
