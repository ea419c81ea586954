// Connecting to a user's session bus as that user: dbus-daemon lets in only
// the uid it runs as, and the peer credentials it checks are those of the
// process at connect(). For the span of that connect the daemon's effective
// uid and gid become the user's and its supplementary groups are cleared,
// so the socket path is walked with the user's rights and nothing else.
//
// Safe only because unitoomd is single-threaded: glibc's seteuid switches
// every thread, so a switch is refused when another thread exists. While
// switched, the only descriptor opened is the bus socket (which names no
// identity). If the switch back fails, the daemon aborts: going on as root-with-a-user's-ids, or as a user, is never right.
#pragma once

#include <sys/types.h>

#include <memory>
#include <vector>

#include "util/result.h"

namespace unitoomd {

class EffectiveIds {
 public:
  // Switched until the result goes; or why the switch cannot be made, and
  // nothing has changed then.
  static Result<std::unique_ptr<EffectiveIds>> take(uid_t uid, gid_t gid);
  ~EffectiveIds();
  EffectiveIds(const EffectiveIds&) = delete;
  EffectiveIds& operator=(const EffectiveIds&) = delete;

 private:
  EffectiveIds() = default;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  std::vector<gid_t> groups_;
  bool switched_ = false;
};

// Threads of this process, from /proc/self/status; 0 when unknown.
int threadCount();

}  // namespace unitoomd
