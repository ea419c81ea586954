// The object /org/unitoomd1 with interface org.unitoomd1.Manager: the
// generated adaptor (dbus/org.unitoomd1.Manager.xml) bound to the daemon
// through ApiModel. Reading is open to all; Reload and SetDryRun are refused
// to any caller but root, whatever the bus policy says.
#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include "api/metrics.h"
#include "api/snapshot.h"
#include "org.unitoomd1.Manager-adaptor.h"

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

class ManagerObject final : public sdbus::AdaptorInterfaces<org::unitoomd1::Manager_adaptor> {
 public:
  static constexpr const char* kObjectPath = "/org/unitoomd1";
  ManagerObject(sdbus::IConnection& connection, ApiModel& model);
  ~ManagerObject();

  void dryRunChanged();
  void followedUsersChanged();
  // The adaptor's signals, with every string made valid UTF-8 first (they
  // carry unit names and cgroup paths; sd-bus refuses invalid UTF-8).
  void emitKilled(const std::string& unit, const std::string& cgroup, const std::string& ruleset, const std::string& reason);
  // secondsLeft: until memory runs out, where predicted; else -1.
  void emitPressureWarning(const std::string& ruleset, const std::string& description, const std::string& reason,
                           double secondsLeft = -1);

 private:
  std::string Dump() override;
  std::string DumpJSON() override;
  std::string GetMetrics(const std::string& format) override;
  std::vector<sdbus::Struct<uint64_t, std::string, std::string, std::string, std::string, std::map<std::string, std::string>>>
  ListKills() override;
  void Reload() override;
  void SetDryRun(const bool& dryRun) override;
  std::string Version() override;
  bool DryRun() override;
  uint64_t KillCount() override;
  std::vector<uint32_t> FollowedUsers() override;
  std::vector<sdbus::Struct<std::string, std::string, std::string, std::string>> Rulesets() override;
  std::vector<sdbus::Struct<std::string, double, double>> MonitoredCGroups() override;
  std::string SystemdBus() override;
  bool StandingBy() override;
  std::vector<sdbus::Struct<std::string, uint64_t>> WokenBy() override;
  std::vector<sdbus::Struct<uint64_t, uint32_t, std::string, std::string, std::string, std::string, std::string>> Questions()
      override;

  void requireRoot(const char* what);

  ApiModel& model_;
};

}  // namespace unitoomd
