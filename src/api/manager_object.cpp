#include "api/manager_object.h"

#include "util/log.h"

namespace unitoomd {

ManagerObject::ManagerObject(sdbus::IConnection& connection, ApiModel& model)
    : AdaptorInterfaces(connection, kObjectPath), model_(model) {
  registerAdaptor();
}

ManagerObject::~ManagerObject() { unregisterAdaptor(); }

void ManagerObject::dryRunChanged() { getObject().emitPropertiesChangedSignal(INTERFACE_NAME, {"DryRun"}); }

void ManagerObject::followedUsersChanged() { getObject().emitPropertiesChangedSignal(INTERFACE_NAME, {"FollowedUsers"}); }

void ManagerObject::requireRoot(const char* what) {
  const sdbus::Message* m = getObject().getCurrentlyProcessedMessage();
  uid_t uid = m ? m->getCredsUid() : static_cast<uid_t>(-1);
  if (uid != 0) {
    LOG_NOTICE("refused %s to uid %d: root only", what, static_cast<int>(uid));
    throw sdbus::Error("org.freedesktop.DBus.Error.AccessDenied",
                       std::string(what) + " is for root only (unitoomd changes what may be killed)");
  }
}

std::string ManagerObject::Dump() { return renderDump(model_.snapshot(true)); }
std::string ManagerObject::DumpJSON() { return renderDumpJson(model_.snapshot(true)); }

std::vector<sdbus::Struct<uint64_t, std::string, std::string, std::string, std::string, std::map<std::string, std::string>>>
ManagerObject::ListKills() {
  std::vector<sdbus::Struct<uint64_t, std::string, std::string, std::string, std::string, std::map<std::string, std::string>>> out;
  for (const KillRecord& k : model_.snapshot(false).kills) {
    std::map<std::string, std::string> figures(k.figures.begin(), k.figures.end());
    if (k.dryRun) figures["dry_run"] = "yes";
    out.emplace_back(k.realtimeUsec, k.unit, k.cgroup, k.ruleset, k.reason, std::move(figures));
  }
  return out;
}

void ManagerObject::Reload() {
  requireRoot("Reload");
  std::string error = model_.reloadFromApi();
  if (!error.empty()) throw sdbus::Error("org.unitoomd1.Error.BadConfig", error);
}

void ManagerObject::SetDryRun(const bool& dryRun) {
  requireRoot("SetDryRun");
  model_.setDryRunFromApi(dryRun);
  dryRunChanged();
}

std::string ManagerObject::Version() { return model_.snapshot(false).version; }
bool ManagerObject::DryRun() { return model_.snapshot(false).dryRun; }
uint64_t ManagerObject::KillCount() { return model_.snapshot(false).killCount; }
std::vector<uint32_t> ManagerObject::FollowedUsers() { return model_.snapshot(false).followedUsers; }

std::vector<sdbus::Struct<std::string, std::string, std::string, std::string>> ManagerObject::Rulesets() {
  std::vector<sdbus::Struct<std::string, std::string, std::string, std::string>> out;
  for (const RulesetInfo& r : model_.snapshot(false).rulesets) out.emplace_back(r.name, r.description, r.origin, r.state);
  return out;
}

std::vector<sdbus::Struct<std::string, double, double>> ManagerObject::MonitoredCGroups() {
  std::vector<sdbus::Struct<std::string, double, double>> out;
  for (const CgroupPressure& c : model_.snapshot(true).cgroups) out.emplace_back(c.path, c.memorySome, c.memoryFull);
  return out;
}

}  // namespace unitoomd
