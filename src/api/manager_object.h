// The object /org/unitoomd1 with interface org.unitoomd1.Manager
// (dbus/org.unitoomd1.Manager.xml; test manager_vtable checks the two
// agree) bound to the daemon through ApiModel. Reading is open to all;
// Reload and SetDryRun are refused to any caller but root, whatever the bus
// policy says.
#pragma once

#include <systemd/sd-bus.h>

#include <memory>
#include <string>

#include "api/metrics.h"
#include "api/snapshot.h"
#include "bus/error.h"
#include "bus/owned.h"
#include "util/result.h"

namespace unitoomd {

class ApiModel {
 public:
  virtual ~ApiModel() = default;
  // readPressure: also read the monitored cgroups' memory.pressure (file reads)
  virtual Snapshot snapshot(bool readPressure) = 0;
  virtual Metrics metrics() = 0;            // reads the monitored cgroups' pressure and the daemon's own usage
  virtual std::string reloadFromApi() = 0;  // "" when reloaded, else why not
  virtual void setDryRunFromApi(bool dryRun) = 0;
};

class ManagerObject {
 public:
  static constexpr const char* kObjectPath = "/org/unitoomd1";
  static constexpr const char* kInterface = "org.unitoomd1.Manager";
  // On the bus until the result goes; or why sd-bus refused it.
  static Result<std::unique_ptr<ManagerObject>, BusError> serve(sd_bus* bus, ApiModel& model);
  // What serve() puts on the bus: members, signatures, argument names, flags.
  static const sd_bus_vtable* vtable();

  void dryRunChanged();
  void followedUsersChanged();
  // The signals, with every string made valid UTF-8 first (they carry unit
  // names and cgroup paths; sd-bus refuses invalid UTF-8). Negative errno
  // when not sent.
  int emitKilled(const std::string& unit, const std::string& cgroup, const std::string& ruleset, const std::string& reason);
  // secondsLeft: until memory runs out, where predicted; else -1.
  int emitPressureWarning(const std::string& ruleset, const std::string& description, const std::string& reason,
                          double secondsLeft = -1);

  ApiModel& model() { return model_; }

 private:
  ManagerObject(sd_bus* bus, ApiModel& model) : bus_(bus), model_(model) {}
  void propertyChanged(const char* name);

  sd_bus* bus_;
  ApiModel& model_;
  Slot slot_;
};

}  // namespace unitoomd
