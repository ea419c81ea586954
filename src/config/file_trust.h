// Who may change a config file. unitoomd runs as root and its config
// decides what gets killed, so, as sudo does with sudoers, it reads a config
// file only if nobody but root (or the daemon's own user, for `unitoomd
// --user`) can change it:
//   - the file is owned by root or the daemon's euid and is not writable by
//     group or others (mode & 022 == 0);
//   - every directory from / down to it, on its real path (symbolic links
//     resolved), is owned by root or the euid and is not writable by group
//     or others, unless it has the sticky bit (like /tmp: others cannot
//     replace an entry they do not own); a symbolic link in such a sticky,
//     writable directory must be owned by root or the euid too.
// The check is pure: the filesystem is reached through TrustFs only, so the
// unit tests hand it a fake one.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "config/diagnostics.h"
#include "util/result.h"

namespace unitoomd {

struct FileStat {
  uid_t uid = 0;
  gid_t gid = 0;
  mode_t mode = 0;  // with the type bits (S_IFDIR, S_IFLNK, ...)
};

// What the check needs to know of a filesystem.
struct TrustFs {
  // As lstat(2): a symbolic link is described, not followed. Errors carry errno.
  std::function<Result<FileStat>(const std::string& path)> lstat;
  // As readlink(2).
  std::function<Result<std::string>(const std::string& path)> readlink;
  // The directory a relative path starts from (absolute), as getcwd(3).
  std::function<Result<std::string>()> cwd;
};

// The real filesystem (lstat(2), readlink(2), getcwd(3)).
const TrustFs& realTrustFs();

// Returns success if `path` may be trusted by a daemon running as `euid`.
// Otherwise an Error whose message does not repeat `path` (a
// Diagnostic{path, 0, message} prints "PATH: refused: ..."):
//   - errnum 0: the file is there and refused; the message says why, e.g.
//     "refused: writable by others (mode 0666); only root may be able to
//     change what unitoomd kills";
//   - errnum ENOENT: the file (or a directory above it) does not exist;
//   - another errnum: it could not be looked at (EACCES, ELOOP, ENOTDIR, ...).
Result<void> checkFileTrust(const std::string& path, uid_t euid, const TrustFs& fs);

// The check on the real filesystem for this process's euid.
Result<void> checkFileTrust(const std::string& path);

// Checks `path` as above, then reads it. Errors as checkFileTrust's (a file
// that passes the check but cannot be opened: that errno, "cannot read the
// file").
Result<std::string> readTrustedFile(const std::string& path);

// For `unitoomd --check-config FILE...`: removes from `files` those that are
// refused and returns one diagnostic for each ("FILE: refused: ..."). Files
// that cannot be looked at stay, for the reader to report as unreadable.
Diagnostics keepTrustedFiles(std::vector<std::string>& files);

}  // namespace unitoomd
