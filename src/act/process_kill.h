// Inside a login session or a terminal scope the cgroup is not the unit of
// work: a tab's shell, its other jobs and the session itself live there too.
// For scopes whose names match [Desktop] KillProcessesIn=, and for a user's
// scopes and services whose process tree shows a terminal (shells on ptys,
// desktop/terminal_sessions.h), this killer kills the process responsible
// for the memory (or its job's process group, see desktop/process_choice.h)
// and leaves the scope running; every other victim goes to the killer it
// wraps. A scope where everything is protected is a failed kill that says
// so, and the next candidate is considered.
#pragma once

#include <string>
#include <vector>

#include "act/killer.h"

namespace unitoomd {

class ScopeAwareKiller : public Killer {
 public:
  // The lists are read at every kill, so a reload's new ones apply at once.
  // `everyCgroupIsUsers`: a per-user instance, whose cgroups are all its
  // user's; else only cgroups under /user.slice/user-UID.slice are looked
  // at for terminals (a system service is killed as a unit, ptys or not).
  ScopeAwareKiller(Killer& whole, const std::vector<std::string>& processScopes, const std::vector<std::string>& protectedComms,
                   bool everyCgroupIsUsers = false)
      : whole_(whole), processScopes_(processScopes), protectedComms_(protectedComms), everyCgroupIsUsers_(everyCgroupIsUsers) {}

  std::unique_ptr<KillOperation> start(const CgroupFs& fs, const KillTarget& victim, const KillOptions& options,
                                       TimePoint now) override;

 private:
  Killer& whole_;
  const std::vector<std::string>& processScopes_;
  const std::vector<std::string>& protectedComms_;
  bool everyCgroupIsUsers_;
};

}  // namespace unitoomd
