// The D-Bus API's model (ApiModel) over the daemon's parts: what Dump,
// ListKills and Metrics show, read from a view the daemon gathers at the
// time of the call; Reload and SetDryRun go back to the daemon.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>

#include "api/manager_object.h"
#include "daemon/ledger.h"
#include "desktop/asking_killer.h"
#include "engine/engine.h"
#include "observe/cgroup_fs.h"
#include "systemd/reconnect.h"

namespace unitoomd {

struct DaemonView {
  DaemonView(const Engine& e, const CgroupFs& f, const Ledger& l) : engine(e), fs(f), ledger(l) {}
  const Engine& engine;
  const CgroupFs& fs;
  const Ledger& ledger;
  const AskingKiller* asker = nullptr;  // pause and ask, once started
  bool dryRun = false;
  bool standingBy = false;
  std::optional<BusKind> bus;           // none: standalone
  std::set<std::string> memoryCgroups;  // whose memory.pressure is shown ("/": /proc/pressure/memory)
  std::set<uid_t> followedUsers;
  uint64_t kernelOomKills = 0;
  int64_t unitsFollowed = -1;  // -1: not following systemd
  size_t triggersArmed = 0;
};

// The cgroups whose memory pressure is shown and whose kernel OOM kills are
// followed: those the rules watch, and every followed user's session.
std::set<std::string> memoryCgroupsShown(const Engine& engine, const std::set<uid_t>& followedUsers);

// readPressure: also read the cgroups' memory.pressure (file reads).
Snapshot snapshotOf(const DaemonView& v, bool readPressure, TimePoint now);
// Reads the cgroups' pressure and the daemon's own usage (/proc/self/stat).
Metrics metricsOf(const DaemonView& v);

class DaemonApi final : public ApiModel {
 public:
  struct Hooks {
    std::function<DaemonView()> view;
    std::function<std::string()> reload;  // "" when reloaded, else why not
    std::function<void(bool)> setDryRun;
  };
  explicit DaemonApi(Hooks hooks) : hooks_(std::move(hooks)) {}

  Snapshot snapshot(bool readPressure) override { return snapshotOf(hooks_.view(), readPressure, Clock::now()); }
  Metrics metrics() override { return metricsOf(hooks_.view()); }
  std::string reloadFromApi() override { return hooks_.reload(); }
  void setDryRunFromApi(bool dryRun) override { hooks_.setDryRun(dryRun); }

 private:
  Hooks hooks_;
};

}  // namespace unitoomd
