// How a kill in a user's session is told to that user, in plain words, and
// whose session a cgroup is. Pure.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "engine/report.h"

namespace unitoomd {

// 1001 for "/user.slice/user-1001.slice/..." (the user's slice or anything in it).
std::optional<uid_t> uidOfCgroup(std::string_view cgroupPath);

// A scope or service run by a user's manager: strictly under
// user@UID.service, named *.scope or *.service ("/.../user@1000.service/
// app.slice/app-foot-42.scope"); not the manager, not a slice.
bool isUserManagersUnit(std::string_view cgroupPath);

// Whether rules on `monitored` concern the session of `uid`: the monitored
// cgroup is inside that user's slice, or contains it ("/", "/user.slice").
bool concernsUser(std::string_view monitored, uid_t uid);

// The application a unit stands for, as people know it:
// "app-gnome-firefox\x2desr-4242.scope" -> "firefox-esr",
// "app-org.gnome.Terminal@abc.service" -> "org.gnome.Terminal",
// "hog.service" -> "hog". systemd's app naming convention
// (app[-<launcher>]-<id>[@<instance>|-<random>].<type>), unescaped.
std::string appNameOf(std::string_view unitOrCgroupName);

struct Notification {
  std::string summary;
  std::string body;
};
// "Firefox was closed to free memory" and why, in words a user follows.
Notification notificationFor(const KillReport& report);
// The kernel's own OOM killer struck in the user's session: it does not say
// whom (memory.events counts), so the words say what happened and what helps.
Notification notificationForKernelOomKill(uint64_t processes);

}  // namespace unitoomd
