// Who is told what, and how: sends what PressureWarnings decides (the
// journal, LowMemoryWarning and PressureWarning on the daemon's bus,
// PressureWarning on the session bus of every user the ruleset concerns)
// and the news of a kill (the Killed signal; a notification to the user
// whose session lost an app, ours or the kernel's).
#pragma once

#include <memory>

#include "api/api_service.h"
#include "daemon/pressure_warnings.h"
#include "desktop/user_sessions.h"
#include "engine/engine.h"
#include "engine/report.h"

namespace unitoomd {

class Announcer {
 public:
  // The daemon's own: null until started, and where there is no such bus.
  Announcer(const std::unique_ptr<ApiService>& api, const std::unique_ptr<UserSessions>& sessions)
      : api_(api), sessions_(sessions) {}

  // After every sample and every step of a kill.
  void pressure(const Engine& engine);
  // A kill carried out (Ledger::killAttempted). notifyUsers: [Desktop] Notify=.
  void killed(const KillReport& report, bool notifyUsers);
  void kernelKilled(const std::string& cgroup, uint64_t processes, bool notifyUsers);

 private:
  void tellUsers(const Warning& w, const Engine& engine);

  const std::unique_ptr<ApiService>& api_;
  const std::unique_ptr<UserSessions>& sessions_;
  PressureWarnings decide_;
};

}  // namespace unitoomd
