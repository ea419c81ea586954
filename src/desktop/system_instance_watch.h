// For a per-user instance (unitoomd --user): whether the system instance
// already follows this user's manager (its FollowedUsers property). Two
// killers acting on the same cgroups would race and kill twice, so while it
// does, the per-user instance stands by: it keeps watching, acts on nothing.
// Follows the property's changes and the system instance coming and going
// on the system bus; no system bus means no system instance.
#pragma once

#include <systemd/sd-event.h>

#include <functional>
#include <memory>
#include <vector>

#include "bus/owned.h"
#include "systemd/bus_loop.h"
#include "systemd/reconnect.h"

namespace unitoomd {

class SystemInstanceWatch {
 public:
  // `changed(true)` when the system instance starts following `uid`,
  // `changed(false)` when it stops (or goes away).
  SystemInstanceWatch(sd_event* event, uid_t uid, std::function<void(bool)> changed);
  ~SystemInstanceWatch();
  SystemInstanceWatch(const SystemInstanceWatch&) = delete;
  SystemInstanceWatch& operator=(const SystemInstanceWatch&) = delete;

  void start() { connect(); }
  bool systemFollowsUs() const { return follows_; }

 private:
  void connect();
  void disconnect();
  void check();
  void set(bool follows);

  sd_event* event_;
  uid_t uid_;
  std::function<void(bool)> changed_;
  Reconnect reconnect_;
  BusPtr connection_;
  std::unique_ptr<BusLoop> loop_;
  std::vector<Slot> matches_;
  bool follows_ = false;
};

}  // namespace unitoomd
