#include "api/manager_object.h"

#include "util/display_text.h"
#include "util/log.h"

namespace unitoomd {

namespace {
// Every string this object sends: sd-bus refuses a message with invalid UTF-8
// in it (and a cgroup named with byte 0xff would then fail the whole call), so
// each goes out as utf8Safe: exact where valid, \xNN where not, bounded.
// Controls are data on D-Bus and stay; whoever shows them escapes them
// (unitoomctl does). Dump and DumpJSON are safe as rendered.
std::string wire(const std::string& s) { return utf8Safe(s, shown::kDataBytes); }
}  // namespace

ManagerObject::ManagerObject(sdbus::IConnection& connection, ApiModel& model)
    : AdaptorInterfaces(connection, kObjectPath), model_(model) {
  registerAdaptor();
}

ManagerObject::~ManagerObject() { unregisterAdaptor(); }

void ManagerObject::dryRunChanged() { getObject().emitPropertiesChangedSignal(INTERFACE_NAME, {"DryRun"}); }

void ManagerObject::followedUsersChanged() { getObject().emitPropertiesChangedSignal(INTERFACE_NAME, {"FollowedUsers"}); }

void ManagerObject::emitKilled(const std::string& unit, const std::string& cgroup, const std::string& ruleset,
                               const std::string& reason) {
  Manager_adaptor::emitKilled(wire(unit), wire(cgroup), wire(ruleset), wire(reason));
}

void ManagerObject::emitPressureWarning(const std::string& ruleset, const std::string& description, const std::string& reason,
                                        double secondsLeft) {
  Manager_adaptor::emitPressureWarning(wire(ruleset), wire(description), wire(reason), secondsLeft);
}

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

// Label values are made valid UTF-8 by the renderer.
std::string ManagerObject::GetMetrics(const std::string& format) {
  if (format != "openmetrics" && format != "prometheus")
    throw sdbus::Error("org.freedesktop.DBus.Error.InvalidArgs", "format must be 'openmetrics' or 'prometheus'");
  return renderMetrics(model_.metrics(), format == "openmetrics" ? MetricsFormat::OpenMetrics : MetricsFormat::Prometheus);
}

std::vector<sdbus::Struct<uint64_t, std::string, std::string, std::string, std::string, std::map<std::string, std::string>>>
ManagerObject::ListKills() {
  std::vector<sdbus::Struct<uint64_t, std::string, std::string, std::string, std::string, std::map<std::string, std::string>>>
      out;
  for (const KillRecord& k : model_.snapshot(false).kills) {
    std::map<std::string, std::string> figures;
    for (const auto& [key, value] : k.figures) figures.emplace(wire(key), wire(value));
    if (k.dryRun) figures["dry_run"] = "yes";
    out.emplace_back(k.realtimeUsec, wire(k.unit), wire(k.cgroup), wire(k.ruleset), wire(k.reason), std::move(figures));
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

std::string ManagerObject::Version() { return wire(model_.snapshot(false).version); }
bool ManagerObject::DryRun() { return model_.snapshot(false).dryRun; }
uint64_t ManagerObject::KillCount() { return model_.snapshot(false).killCount; }
std::vector<uint32_t> ManagerObject::FollowedUsers() { return model_.snapshot(false).followedUsers; }

std::vector<sdbus::Struct<std::string, std::string, std::string, std::string>> ManagerObject::Rulesets() {
  std::vector<sdbus::Struct<std::string, std::string, std::string, std::string>> out;
  for (const RulesetInfo& r : model_.snapshot(false).rulesets)
    out.emplace_back(wire(r.name), wire(r.description), wire(r.origin), wire(r.state));
  return out;
}

std::vector<sdbus::Struct<std::string, double, double>> ManagerObject::MonitoredCGroups() {
  std::vector<sdbus::Struct<std::string, double, double>> out;
  for (const CgroupPressure& c : model_.snapshot(true).cgroups) out.emplace_back(wire(c.path), c.memorySome, c.memoryFull);
  return out;
}

std::string ManagerObject::SystemdBus() { return wire(model_.snapshot(false).bus); }
bool ManagerObject::StandingBy() { return model_.snapshot(false).standingBy; }

std::vector<sdbus::Struct<std::string, uint64_t>> ManagerObject::WokenBy() {
  std::vector<sdbus::Struct<std::string, uint64_t>> out;
  for (const auto& w : model_.snapshot(false).wokenBy) out.emplace_back(wire(w.source), w.count);
  return out;
}

std::vector<sdbus::Struct<uint64_t, uint32_t, std::string, std::string, std::string, std::string, std::string>>
ManagerObject::Questions() {
  std::vector<sdbus::Struct<uint64_t, uint32_t, std::string, std::string, std::string, std::string, std::string>> out;
  for (const QuestionInfo& q : model_.snapshot(false).questions)
    out.emplace_back(q.askedRealtimeUsec, q.uid, wire(q.app), wire(q.cgroup), wire(q.state), wire(q.answer), wire(q.outcome));
  return out;
}

}  // namespace unitoomd
