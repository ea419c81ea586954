#include "systemd/effective_ids.h"

#include <fcntl.h>
#include <grp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "observe/cgroup_fs.h"
#include "util/log.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

[[noreturn]] void cannotSwitchBack(const char* what) {
  LOG_ERROR("cannot restore the daemon's own ids (%s: %s): aborting rather than going on with a user's", what, strerror(errno));
  abort();
}

Error credentialsError(const std::string& what) { return errnoError(errno, what + ": " + strerror(errno)); }

}  // namespace

int threadCount() {
  FileRead status = readWholeFile(AT_FDCWD, "/proc/self/status");
  for (std::string_view line : split(status.data, '\n'))
    if (startsWith(line, "Threads:")) return std::atoi(std::string(line.substr(8)).c_str());
  return 0;
}

Result<std::unique_ptr<EffectiveIds>> EffectiveIds::take(uid_t uid, gid_t gid) {
  if (threadCount() != 1) return errnoError(0, "not switching ids: the process is not single-threaded");
  std::unique_ptr<EffectiveIds> ids(new EffectiveIds);
  ids->uid_ = geteuid();
  ids->gid_ = getegid();
  std::vector<gid_t>& groups = ids->groups_;
  int n = getgroups(0, nullptr);
  if (n < 0) return credentialsError("getgroups");
  groups.resize(static_cast<size_t>(n));
  if (n > 0 && getgroups(n, groups.data()) < 0) return credentialsError("getgroups");
  if (setgroups(0, nullptr) < 0) return credentialsError("setgroups");
  if (setegid(gid) < 0) {
    int e = errno;
    if (setgroups(groups.size(), groups.data()) < 0) cannotSwitchBack("setgroups");
    errno = e;
    return credentialsError("setegid");
  }
  if (seteuid(uid) < 0) {
    int e = errno;
    if (setegid(ids->gid_) < 0) cannotSwitchBack("setegid");
    if (setgroups(groups.size(), groups.data()) < 0) cannotSwitchBack("setgroups");
    errno = e;
    return credentialsError("seteuid");
  }
  ids->switched_ = true;
  return ids;
}

EffectiveIds::~EffectiveIds() {
  if (!switched_) return;  // a switch that failed put everything back itself
  // The uid first: only with it back may the gid and groups be restored.
  if (seteuid(uid_) < 0) cannotSwitchBack("seteuid");
  if (setegid(gid_) < 0) cannotSwitchBack("setegid");
  if (setgroups(groups_.size(), groups_.data()) < 0) cannotSwitchBack("setgroups");
}

}  // namespace unitoomd
