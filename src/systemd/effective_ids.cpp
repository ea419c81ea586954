#include "systemd/effective_ids.h"

#include <fcntl.h>
#include <grp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include <sdbus-c++/sdbus-c++.h>

#include "observe/cgroup_fs.h"
#include "util/log.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

[[noreturn]] void cannotSwitchBack(const char* what) {
  LOG_ERROR("cannot restore the daemon's own ids (%s: %s): aborting rather than going on with a user's", what, strerror(errno));
  abort();
}

sdbus::Error credentialsError(const std::string& what) {
  return sdbus::Error("org.unitoomd1.Error.Credentials", what + ": " + strerror(errno));
}

}  // namespace

int threadCount() {
  FileRead status = readWholeFile(AT_FDCWD, "/proc/self/status");
  for (std::string_view line : split(status.data, '\n'))
    if (startsWith(line, "Threads:")) return std::atoi(std::string(line.substr(8)).c_str());
  return 0;
}

EffectiveIds::EffectiveIds(uid_t uid, gid_t gid) : uid_(geteuid()), gid_(getegid()) {
  if (threadCount() != 1)
    throw sdbus::Error("org.unitoomd1.Error.Credentials", "not switching ids: the process is not single-threaded");
  int n = getgroups(0, nullptr);
  if (n < 0) throw credentialsError("getgroups");
  groups_.resize(static_cast<size_t>(n));
  if (n > 0 && getgroups(n, groups_.data()) < 0) throw credentialsError("getgroups");
  if (setgroups(0, nullptr) < 0) throw credentialsError("setgroups");
  if (setegid(gid) < 0) {
    int e = errno;
    if (setgroups(groups_.size(), groups_.data()) < 0) cannotSwitchBack("setgroups");
    errno = e;
    throw credentialsError("setegid");
  }
  if (seteuid(uid) < 0) {
    int e = errno;
    if (setegid(gid_) < 0) cannotSwitchBack("setegid");
    if (setgroups(groups_.size(), groups_.data()) < 0) cannotSwitchBack("setgroups");
    errno = e;
    throw credentialsError("seteuid");
  }
}

EffectiveIds::~EffectiveIds() {
  // The uid first: only with it back may the gid and groups be restored.
  if (seteuid(uid_) < 0) cannotSwitchBack("seteuid");
  if (setegid(gid_) < 0) cannotSwitchBack("setegid");
  if (setgroups(groups_.size(), groups_.data()) < 0) cannotSwitchBack("setgroups");
}

}  // namespace unitoomd
