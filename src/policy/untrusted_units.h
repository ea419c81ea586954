// What the system instance accepts from a user's manager. That manager, and
// anything else that answers as org.freedesktop.systemd1 on the user's own
// session bus, belongs to the user: a user may serve a fake one. Its units
// are claims, kept only when they stay inside the user's own subtree
// (/user.slice/user-UID.slice/user@UID.service/...) and look like what
// systemd itself would send. Pure: the tracker asks, tests use plain structs.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/unit_policy.h"

namespace unitoomd {

// Bounds on what one user's manager may cost the system instance (said in
// unitoomd.conf(5)). systemd's own limits are UNIT_NAME_MAX (256) and
// PATH_MAX (4096); a desktop session has a few hundred live units.
inline constexpr size_t kMaxUnitNameBytes = 256;
inline constexpr size_t kMaxCgroupPathBytes = 4096;
inline constexpr size_t kMaxUnitsPerUserManager = 4096;

// "/user.slice/user-1001.slice/user@1001.service"
std::string userManagerSubtree(uid_t uid);

// Whether `cgroup` is `root` or below it, component-wise.
bool cgroupWithin(std::string_view cgroup, std::string_view root);

// systemd's rules for a unit name: [A-Za-z0-9:_.\\@-], at most 256 bytes,
// a prefix, an optional instance after '@', and a known type suffix.
bool isValidUnitName(std::string_view name);

// Absolute, no empty, "." or ".." component, no control characters, within
// kMaxCgroupPathBytes: the shape of every path systemd reports.
bool isCleanCgroupPath(std::string_view path);

// The user manager's subtree a cgroup lies in, if any:
// "/user.slice/user-1001.slice/user@1001.service/app.slice/x.scope" ->
// "/user.slice/user-1001.slice/user@1001.service".
std::optional<std::string> userManagerSubtreeOf(std::string_view cgroup);

// Whether what a user's manager says of `candidate` (its ManagedOOMPreference=)
// counts for a ruleset watching `roots`: only when every root lies in the
// same user's subtree as the candidate (that user's own rulesets, and the
// system's ruleset for user@UID.service). A system-wide ruleset (-.slice's
// swap, a slice of system services) does not let a user make their own hog
// go last or never, as systemd-oomd does not either.
bool userClaimsCountFor(const std::vector<std::string>& roots, std::string_view candidate);

// Why a unit read from user `uid`'s manager is refused; nullopt: kept.
std::optional<std::string> refusalOfUserUnit(uid_t uid, const UnitOomSettings& unit);
// The same for a name alone (before spending a read on it).
std::optional<std::string> refusalOfUserUnitName(std::string_view name);

}  // namespace unitoomd
