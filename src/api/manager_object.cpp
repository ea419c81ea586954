#include "api/manager_object.h"

#include "bus/served.h"
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

ManagerObject& objectOf(void* userdata) { return *static_cast<ManagerObject*>(userdata); }
ApiModel& modelOf(void* userdata) { return objectOf(userdata).model(); }

// An array of structs, each appended by `each(item)` with `structSignature`.
template <typename Items, typename Each>
int appendArray(sd_bus_message* m, const char* structSignature, const Items& items, Each&& each) {
  std::string inner(structSignature);
  int r = sd_bus_message_open_container(m, SD_BUS_TYPE_ARRAY, inner.c_str());
  for (const auto& item : items) {
    if (r < 0) return r;
    r = each(item);
  }
  return r < 0 ? r : sd_bus_message_close_container(m);
}

// Methods

int replyText(sd_bus_message* call, const std::string& text) { return sd_bus_reply_method_return(call, "s", text.c_str()); }

int dump(sd_bus_message* call, void* userdata, sd_bus_error* error) {
  return served(error, "Dump", [&] { return replyText(call, renderDump(modelOf(userdata).snapshot(true))); });
}

int dumpJson(sd_bus_message* call, void* userdata, sd_bus_error* error) {
  return served(error, "DumpJSON", [&] { return replyText(call, renderDumpJson(modelOf(userdata).snapshot(true))); });
}

// Label values are made valid UTF-8 by the renderer.
int getMetrics(sd_bus_message* call, void* userdata, sd_bus_error* error) {
  return served(error, "GetMetrics", [&] {
    const char* format = nullptr;
    int r = sd_bus_message_read(call, "s", &format);
    if (r < 0) return r;
    std::string f = format;
    if (f != "openmetrics" && f != "prometheus")
      return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "format must be 'openmetrics' or 'prometheus'");
    return replyText(call, renderMetrics(modelOf(userdata).metrics(),
                                         f == "openmetrics" ? MetricsFormat::OpenMetrics : MetricsFormat::Prometheus));
  });
}

int listKills(sd_bus_message* call, void* userdata, sd_bus_error* error) {
  return served(error, "ListKills", [&] {
    sd_bus_message* raw = nullptr;
    int r = sd_bus_message_new_method_return(call, &raw);
    if (r < 0) return r;
    MessagePtr reply(raw);
    r = appendArray(raw, "(tssssa{ss})", modelOf(userdata).snapshot(false).kills, [raw](const KillRecord& k) {
      int q = sd_bus_message_open_container(raw, SD_BUS_TYPE_STRUCT, "tssssa{ss}");
      if (q >= 0)
        q = sd_bus_message_append(raw, "tssss", k.realtimeUsec, wire(k.unit).c_str(), wire(k.cgroup).c_str(),
                                  wire(k.ruleset).c_str(), wire(k.reason).c_str());
      std::map<std::string, std::string> figures;
      for (const auto& [key, value] : k.figures) figures.emplace(wire(key), wire(value));
      if (k.dryRun) figures["dry_run"] = "yes";
      if (q >= 0) q = sd_bus_message_open_container(raw, SD_BUS_TYPE_ARRAY, "{ss}");
      for (const auto& [key, value] : figures)
        if (q >= 0) q = sd_bus_message_append(raw, "{ss}", key.c_str(), value.c_str());
      if (q >= 0) q = sd_bus_message_close_container(raw);
      return q < 0 ? q : sd_bus_message_close_container(raw);
    });
    return r < 0 ? r : sd_bus_send(nullptr, raw, nullptr);
  });
}

int reload(sd_bus_message* call, void* userdata, sd_bus_error* error) {
  return served(error, "Reload", [&] {
    if (!callerIsRoot(call, error, "Reload", " (unitoomd changes what may be killed)")) return -EACCES;
    std::string failed = modelOf(userdata).reloadFromApi();
    if (!failed.empty()) return sd_bus_error_set(error, "org.unitoomd1.Error.BadConfig", failed.c_str());
    return sd_bus_reply_method_return(call, "");
  });
}

int setDryRun(sd_bus_message* call, void* userdata, sd_bus_error* error) {
  return served(error, "SetDryRun", [&] {
    int dryRun = 0;
    int r = sd_bus_message_read(call, "b", &dryRun);
    if (r < 0) return r;
    if (!callerIsRoot(call, error, "SetDryRun", " (unitoomd changes what may be killed)")) return -EACCES;
    modelOf(userdata).setDryRunFromApi(dryRun);
    objectOf(userdata).dryRunChanged();
    return sd_bus_reply_method_return(call, "");
  });
}

// Properties

#define PROPERTY_GETTER(fn) \
  int fn(sd_bus*, const char*, const char*, const char* property, sd_bus_message* reply, void* userdata, sd_bus_error* error)

PROPERTY_GETTER(getVersion) {
  return served(error, property,
                [&] { return sd_bus_message_append(reply, "s", wire(modelOf(userdata).snapshot(false).version).c_str()); });
}
PROPERTY_GETTER(getDryRun) {
  return served(error, property, [&] { return sd_bus_message_append(reply, "b", int{modelOf(userdata).snapshot(false).dryRun}); });
}
PROPERTY_GETTER(getKillCount) {
  return served(error, property, [&] { return sd_bus_message_append(reply, "t", modelOf(userdata).snapshot(false).killCount); });
}
PROPERTY_GETTER(getRulesets) {
  return served(error, property, [&] {
    return appendArray(reply, "(ssss)", modelOf(userdata).snapshot(false).rulesets, [reply](const RulesetInfo& r) {
      return sd_bus_message_append(reply, "(ssss)", wire(r.name).c_str(), wire(r.description).c_str(), wire(r.origin).c_str(),
                                   wire(r.state).c_str());
    });
  });
}
PROPERTY_GETTER(getMonitoredCGroups) {
  return served(error, property, [&] {
    return appendArray(reply, "(sdd)", modelOf(userdata).snapshot(true).cgroups, [reply](const CgroupPressure& c) {
      return sd_bus_message_append(reply, "(sdd)", wire(c.path).c_str(), c.memorySome, c.memoryFull);
    });
  });
}
PROPERTY_GETTER(getFollowedUsers) {
  return served(error, property, [&] {
    std::vector<uint32_t> uids = modelOf(userdata).snapshot(false).followedUsers;
    return sd_bus_message_append_array(reply, 'u', uids.data(), uids.size() * sizeof(uint32_t));
  });
}
PROPERTY_GETTER(getSystemdBus) {
  return served(error, property,
                [&] { return sd_bus_message_append(reply, "s", wire(modelOf(userdata).snapshot(false).bus).c_str()); });
}
PROPERTY_GETTER(getStandingBy) {
  return served(error, property,
                [&] { return sd_bus_message_append(reply, "b", int{modelOf(userdata).snapshot(false).standingBy}); });
}
PROPERTY_GETTER(getWokenBy) {
  return served(error, property, [&] {
    return appendArray(reply, "(st)", modelOf(userdata).snapshot(false).wokenBy, [reply](const WakeCount& w) {
      return sd_bus_message_append(reply, "(st)", wire(w.source).c_str(), w.count);
    });
  });
}
PROPERTY_GETTER(getQuestions) {
  return served(error, property, [&] {
    return appendArray(reply, "(tusssss)", modelOf(userdata).snapshot(false).questions, [reply](const QuestionInfo& q) {
      return sd_bus_message_append(reply, "(tusssss)", q.askedRealtimeUsec, q.uid, wire(q.app).c_str(), wire(q.cgroup).c_str(),
                                   wire(q.state).c_str(), wire(q.answer).c_str(), wire(q.outcome).c_str());
    });
  });
}

#undef PROPERTY_GETTER

// In the interface file's order. Methods are open to every caller (sd-bus
// would otherwise ask for the caller's privilege); Reload and SetDryRun
// check for root themselves.
constexpr uint64_t kOpen = SD_BUS_VTABLE_UNPRIVILEGED;
constexpr uint64_t kNoSignal = 0;  // introspected as EmitsChangedSignal=false

const sd_bus_vtable kVtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Version", "s", getVersion, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("DryRun", "b", getDryRun, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("KillCount", "t", getKillCount, 0, kNoSignal),
    SD_BUS_PROPERTY("Rulesets", "a(ssss)", getRulesets, 0, kNoSignal),
    SD_BUS_PROPERTY("MonitoredCGroups", "a(sdd)", getMonitoredCGroups, 0, kNoSignal),
    SD_BUS_PROPERTY("FollowedUsers", "au", getFollowedUsers, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("SystemdBus", "s", getSystemdBus, 0, kNoSignal),
    SD_BUS_PROPERTY("StandingBy", "b", getStandingBy, 0, kNoSignal),
    SD_BUS_PROPERTY("WokenBy", "a(st)", getWokenBy, 0, kNoSignal),
    SD_BUS_PROPERTY("Questions", "a(tusssss)", getQuestions, 0, kNoSignal),
    SD_BUS_METHOD_WITH_NAMES("Dump", "", "", "s", SD_BUS_PARAM(text), dump, kOpen),
    SD_BUS_METHOD_WITH_NAMES("DumpJSON", "", "", "s", SD_BUS_PARAM(json), dumpJson, kOpen),
    SD_BUS_METHOD_WITH_NAMES("GetMetrics", "s", SD_BUS_PARAM(format), "s", SD_BUS_PARAM(text), getMetrics, kOpen),
    SD_BUS_METHOD_WITH_NAMES("ListKills", "", "", "a(tssssa{ss})", SD_BUS_PARAM(kills), listKills, kOpen),
    SD_BUS_METHOD("Reload", "", "", reload, kOpen),
    SD_BUS_METHOD_WITH_NAMES("SetDryRun", "b", SD_BUS_PARAM(dry_run), "", "", setDryRun, kOpen),
    SD_BUS_SIGNAL_WITH_NAMES("Killed", "ssss", SD_BUS_PARAM(unit) SD_BUS_PARAM(cgroup) SD_BUS_PARAM(ruleset) SD_BUS_PARAM(reason),
                             0),
    SD_BUS_SIGNAL_WITH_NAMES("PressureWarning", "sssd",
                             SD_BUS_PARAM(ruleset) SD_BUS_PARAM(description) SD_BUS_PARAM(reason) SD_BUS_PARAM(seconds_left), 0),
    SD_BUS_VTABLE_END,
};

}  // namespace

const sd_bus_vtable* ManagerObject::vtable() { return kVtable; }

Result<std::unique_ptr<ManagerObject>, BusError> ManagerObject::serve(sd_bus* bus, ApiModel& model) {
  std::unique_ptr<ManagerObject> object(new ManagerObject(bus, model));
  sd_bus_slot* slot = nullptr;
  int r = sd_bus_add_object_vtable(bus, &slot, kObjectPath, kInterface, kVtable, object.get());
  if (r < 0) return busErrnoError(std::string("serving ") + kObjectPath, r);
  object->slot_.reset(slot);
  return object;
}

void ManagerObject::propertyChanged(const char* name) {
  int r = sd_bus_emit_properties_changed(bus_, kObjectPath, kInterface, name, nullptr);
  if (r < 0) LOG_DEBUG("PropertiesChanged(%s) not sent: %s", name, strerror(-r));
}

void ManagerObject::dryRunChanged() { propertyChanged("DryRun"); }
void ManagerObject::followedUsersChanged() { propertyChanged("FollowedUsers"); }

int ManagerObject::emitKilled(const std::string& unit, const std::string& cgroup, const std::string& ruleset,
                              const std::string& reason) {
  return sd_bus_emit_signal(bus_, kObjectPath, kInterface, "Killed", "ssss", wire(unit).c_str(), wire(cgroup).c_str(),
                            wire(ruleset).c_str(), wire(reason).c_str());
}

int ManagerObject::emitPressureWarning(const std::string& ruleset, const std::string& description, const std::string& reason,
                                       double secondsLeft) {
  return sd_bus_emit_signal(bus_, kObjectPath, kInterface, "PressureWarning", "sssd", wire(ruleset).c_str(),
                            wire(description).c_str(), wire(reason).c_str(), secondsLeft);
}

}  // namespace unitoomd
