// Follows systemd's unit tree over D-Bus (the system manager, or a user
// manager with --user): Subscribe, ListUnits, UnitNew/UnitRemoved,
// ActiveState changes and Reloading. The ManagedOOM* properties and
// ControlGroup emit no change signals, so a unit's are read again whenever
// anything about it changes and after a daemon-reload. `systemctl
// set-property` sends no signal at all (checked against systemd 252): with
// the manager's control directories watched (watchControlDirs), the unit it
// wrote a setting for is read again at once; a slow resync (10 minutes,
// 60 s without the watch) backs that up.
// Only live units of types that own cgroups are read (a 2,000-unit system
// has a few hundred).
//
// Never stale: on a bus disconnect or when the manager goes away (re-exec,
// user manager restart) the table is emptied at once, and it is ready again
// only after a full resync; reconnects back off from 1 s to 30 s.
// Nothing here blocks the loop: calls and AddMatch are asynchronous.
#pragma once

#include <systemd/sd-event.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bus/call.h"
#include "bus/owned.h"
#include "policy/unit_policy.h"
#include "systemd/bus_loop.h"
#include "systemd/control_dir_watch.h"
#include "systemd/reconnect.h"
#include "systemd/systemd_oomd_watch.h"
#include "systemd/unit_reads.h"
#include "util/rate_limit.h"
#include "util/time.h"

namespace unitoomd {

class UnitTracker {
 public:
  // `onChange` runs (coalesced) when the set of units or their settings
  // changed, and when readiness changed.
  // `manager`: how the units' manager is named in reports and ruleset names
  // ("user@1001.service" when following a user manager from the system
  // instance); empty for the manager this instance belongs to.
  UnitTracker(sd_event* event, BusAddress bus, std::function<void()> onChange, std::string manager = "");
  ~UnitTracker();
  UnitTracker(const UnitTracker&) = delete;
  UnitTracker& operator=(const UnitTracker&) = delete;

  // The manager is a user's (on that user's own bus): its units are claims,
  // kept only inside the user's subtree and within the bounds of
  // policy/untrusted_units.h; its bus yields to everything else. Before start().
  void confineToUser(uid_t uid) { confinedTo_ = uid; }
  bool untrusted() const { return confinedTo_.has_value(); }

  void start();
  // Connected and fully resynced since the last (re)connect.
  bool ready() const { return ready_; }
  std::vector<UnitOomSettings> units() const;
  size_t unitCount() const { return units_.size(); }
  // The unit whose object path this is, if known and live.
  const UnitOomSettings* unitByObjectPath(const std::string& objectPath) const;
  // The live unit whose ControlGroup is exactly `cgroup`, if known.
  const UnitOomSettings* unitWithCgroup(const std::string& cgroup) const;

  // A call on org.freedesktop.systemd1.Manager; with no connection, or when
  // it cannot be sent, the handler is called at once with an error. A reply
  // from before a reconnect is dropped.
  void callManager(const char* method, const ArgsWriter& args, ReplyHandler handler);

  // For other calls and signals on the same bus; null while disconnected.
  // What is made on it must go when `beforeConnectionCloses` is called.
  sd_bus* connection() { return connection_.get(); }
  void beforeConnectionCloses(std::function<void()> f) { beforeClose_ = std::move(f); }
  const std::string& manager() const { return managerName_; }

  // Reads a unit again when its manager writes a setting for it in one of
  // these directories (see control_dir_watch.h).
  void watchControlDirs(const std::vector<std::string>& dirs);

  // Statistics for the benchmark.
  unsigned long long propertyReads() const { return propertyReads_; }
  std::optional<Duration> lastResyncTook() const { return lastResyncTook_; }

 private:
  struct Tracked {
    UnitOomSettings settings;
    bool known = false;  // properties read at least once
  };
  struct Read {
    std::string objectPath;
    UnitOomSettings settings;
    int outstanding = 0;
    bool failed = false;
    bool retry = false;
  };

  void connect();
  void disconnect(const std::string& why);
  void closeConnection();
  void forgetUnits();
  void subscribeAndResync();
  void resync();
  void listUnits();
  void queueRead(const std::string& objectPath, const std::string& name);
  void pump();
  void readUnit(const std::string& objectPath, const std::string& name);
  void finishRead(const std::shared_ptr<Read>& read);
  void dropUnit(const std::string& objectPath);
  void changed();
  void rereadUnitNamed(const std::string& name);
  void setReady(bool ready);
  void refuse(const std::string& name, const std::string& cgroup, const std::string& why);
  void call(const BusMethod& method, const ArgsWriter& args, ReplyHandler handler);

  void onUnitNew(sd_bus_message* msg);
  void onUnitRemoved(sd_bus_message* msg);
  void onReloading(sd_bus_message* msg);
  void onPropertiesChanged(sd_bus_message* msg);
  void onNameOwnerChanged(sd_bus_message* msg);

  static int onResyncTimer(sd_event_source*, uint64_t, void* userdata);
  static int onChangeTimer(sd_event_source*, uint64_t, void* userdata);

  sd_event* event_;
  BusAddress bus_;
  std::function<void()> onChange_;
  std::string managerName_;
  // "systemd:<what>" or "user@UID.service:<what>": the names of its event sources
  std::string sourceName(const char* what) const {
    return (managerName_.empty() ? std::string("systemd") : managerName_) + ":" + what;
  }
  std::function<void()> beforeClose_;
  Reconnect reconnect_;

  std::unique_ptr<ControlDirWatch> controlDirs_;
  // Pending calls belong to the connection: closing it drops them unanswered.
  BusPtr connection_;
  std::unique_ptr<BusLoop> loop_;
  std::unique_ptr<SystemdOomdWatch> systemdOomd_;
  std::vector<Slot> matches_;
  uint64_t generation_ = 0;  // bumped on every (re)connect and manager change; stale replies are ignored

  std::map<std::string, Tracked> units_;  // by object path; live units with a cgroup
  // Units found dead are remembered there a while: reading a unit that is
  // gone makes systemd (252) load it again, which announces it with UnitNew,
  // and answering that with another read never ended (seen in the soak after
  // 1,000 units stopped: thousands of reads a second, the heap growing).
  UnitReads reads_;
  bool ready_ = false;
  bool reloading_ = false;  // between Reloading(true) and Reloading(false)
  bool warnedConnect_ = false;
  std::optional<Duration> lastResyncTook_;
  unsigned long long propertyReads_ = 0;
  bool hasDurationProperty_ = true;  // ManagedOOMMemoryPressureDurationUSec (systemd 257+)
  std::optional<uid_t> confinedTo_;
  RateLimit refusalLog_{std::chrono::minutes(1), 5};

  sd_event_source* resyncTimer_ = nullptr;
  sd_event_source* changeTimer_ = nullptr;
};

}  // namespace unitoomd
