#include "observe/psi_trigger.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "util/strings.h"

namespace unitoomd {

bool haveCapSysResource() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  return (data[CAP_SYS_RESOURCE / 32].effective & (1u << (CAP_SYS_RESOURCE % 32))) != 0;
}

Duration triggerWindowFor(bool privileged) {
  return privileged ? Duration(std::chrono::milliseconds(500)) : Duration(std::chrono::seconds(2));
}

Result<UniqueFd> armPsiTrigger(const std::string& pressureFile, StallKind kind, Duration stall, Duration window) {
  UniqueFd fd(open(pressureFile.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return Error{errno, "open " + pressureFile};
  // Only ever write a trigger into a kernel PSI file, never into a regular
  // file that happens to have the name (a fixture tree, a bind mount).
  struct statfs sfs;
  if (fstatfs(fd.get(), &sfs) < 0) return Error{errno, "statfs " + pressureFile};
  if (sfs.f_type != CGROUP2_SUPER_MAGIC && sfs.f_type != PROC_SUPER_MAGIC)
    return Error{ENOTSUP, pressureFile + " is not a PSI file of cgroupfs or procfs"};
  long long stallUs = std::max<long long>(1, stall.count());
  if (stallUs > window.count()) stallUs = window.count();
  std::string spec = strprintf("%s %lld %lld", kind == StallKind::Some ? "some" : "full", stallUs,
                               static_cast<long long>(window.count()));
  // The kernel drops the last byte written: send the terminating NUL too.
  if (write(fd.get(), spec.c_str(), spec.size() + 1) < 0) return Error{errno, "arm trigger '" + spec + "' on " + pressureFile};
  return fd;
}

}  // namespace unitoomd
