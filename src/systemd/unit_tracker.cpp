#include "systemd/unit_tracker.h"

#include <systemd/sd-bus.h>

#include <cstring>

#include "bus/message.h"
#include "policy/untrusted_units.h"
#include "util/log.h"
#include "util/event_names.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

constexpr const char* kSystemd = "org.freedesktop.systemd1";
constexpr const char* kManagerPath = "/org/freedesktop/systemd1";
constexpr const char* kManagerIface = "org.freedesktop.systemd1.Manager";
constexpr const char* kUnitIface = "org.freedesktop.systemd1.Unit";
constexpr const char* kPropertiesIface = "org.freedesktop.DBus.Properties";
constexpr uint64_t kCallTimeoutUsec = 10'000'000;
// dbus-daemon's system bus lets a connection wait for at most 128 replies
// (max_replies_per_connection in Debian's system.conf); a unit read is up to
// 7 property Gets, and kills need calls of their own: 12 units in flight
// keeps 44 replies free.
constexpr size_t kMaxReadsInFlight = 12;
constexpr Duration kResyncInterval = std::chrono::seconds(60);
constexpr Duration kResyncIntervalWatched = std::chrono::minutes(10);
constexpr Duration kChangeCoalesce = std::chrono::milliseconds(100);
constexpr Duration kUntrustedResyncSpacing = std::chrono::seconds(10);

uint64_t monotonicUsec(sd_event* event) {
  uint64_t now = 0;
  sd_event_now(event, CLOCK_MONOTONIC, &now);
  return now;
}

// The type-specific interface that carries ControlGroup and ManagedOOM*=;
// empty for unit types that own no cgroup (targets, timers, devices, ...).
std::string cgroupInterfaceOf(const std::string& name) {
  static const std::pair<const char*, const char*> types[] = {
      {".service", "Service"}, {".slice", "Slice"}, {".scope", "Scope"},
      {".socket", "Socket"},   {".mount", "Mount"}, {".swap", "Swap"},
  };
  for (const auto& [suffix, iface] : types)
    if (endsWith(name, suffix)) return std::string("org.freedesktop.systemd1.") + iface;
  return "";
}

// systemd escapes unit names in object paths below this prefix; empty for
// a path that is not a unit's.
std::string unitNameFromObjectPath(const std::string& path) {
  static constexpr char kPrefix[] = "/org/freedesktop/systemd1/unit";
  char* name = nullptr;
  if (sd_bus_path_decode(path.c_str(), kPrefix, &name) <= 0) return "";
  std::string out(name);
  free(name);
  // A name with a NUL byte (_00) decodes cut short, and a path a manager
  // did not make (upper-case hex) decodes too: only the path that encodes
  // exactly the decoded name names that unit.
  char* again = nullptr;
  bool exact = sd_bus_path_encode(kPrefix, out.c_str(), &again) >= 0 && path == again;
  free(again);
  return exact ? out : "";
}

// A claim is quoted in the journal at most this long: a user may send
// names of any size. (Control characters are escaped where log lines leave.)
std::string quoted(const std::string& claim) {
  constexpr size_t kShown = 160;
  return claim.size() <= kShown ? claim : claim.substr(0, kShown) + strprintf("... (%zu bytes)", claim.size());
}

// A signal not of the shape systemd sends (a user's bus may send any).
void odd(const char* signal) { LOG_DEBUG("odd %s signal ignored", signal); }

bool sameSettings(const UnitOomSettings& a, const UnitOomSettings& b) {
  return a.name == b.name && a.cgroup == b.cgroup && a.activeState == b.activeState && a.managedOOMSwap == b.managedOOMSwap &&
         a.managedOOMMemoryPressure == b.managedOOMMemoryPressure &&
         a.managedOOMMemoryPressureLimit == b.managedOOMMemoryPressureLimit &&
         a.managedOOMMemoryPressureDurationUSec == b.managedOOMMemoryPressureDurationUSec &&
         a.managedOOMPreference == b.managedOOMPreference && a.claimedByUser == b.claimedByUser;
}

}  // namespace

UnitTracker::UnitTracker(sd_event* event, BusAddress bus, std::function<void()> onChange, std::string manager)
    : event_(event),
      bus_(bus),
      onChange_(std::move(onChange)),
      managerName_(std::move(manager)),
      reconnect_(
          event, [this] { connect(); }, bus_.socketPath()),
      reads_(kMaxReadsInFlight) {}

UnitTracker::~UnitTracker() {
  for (auto* s : {resyncTimer_, changeTimer_})
    if (s) sd_event_source_disable_unref(s);
  closeConnection();
}

// Everything that refers to the connection goes before it.
void UnitTracker::closeConnection() {
  if (beforeClose_) beforeClose_();
  matches_.clear();
  systemdOomd_.reset();
  loop_.reset();
  connection_.reset();
}

// What was known of the units is stale from here on, and so is every reply
// still on its way: the table is ready again only after a full resync.
void UnitTracker::forgetUnits() {
  ++generation_;
  units_.clear();
  reads_.clear();
  reloading_ = false;
  setReady(false);
  changed();
}

void UnitTracker::start() { connect(); }

void UnitTracker::connect() {
  std::string whichText = bus_.describe();
  const char* which = whichText.c_str();
  auto opened = openBus(bus_);
  if (!opened) {
    const char* why = opened.error().message.c_str();
    if (!warnedConnect_) LOG_WARN("cannot connect to the %s (%s); retrying, unit policies wait until then", which, why);
    else LOG_DEBUG("cannot connect to the %s: %s", which, why);
    warnedConnect_ = true;
    reconnect_.schedule();
    return;
  }
  connection_ = std::move(*opened);
  ++generation_;
  loop_ = std::make_unique<BusLoop>(
      event_, connection_.get(),
      [this](const std::string& why) {
        disconnect(why);
        reconnect_.schedule();
      },
      confinedTo_ ? BusLoop::Priority::Untrusted : BusLoop::Priority::Normal, sourceName("bus"));
  auto add = [&](const std::string& rule, const char* what, void (UnitTracker::*handler)(sd_bus_message*)) {
    auto match = addMatch(connection_.get(), rule, [this, handler](sd_bus_message* m) { (this->*handler)(m); }, what);
    if (!match) return std::optional<BusError>(match.error());
    matches_.push_back(std::move(*match));
    return std::optional<BusError>();
  };
  std::string manager = std::string("type='signal',sender='") + kSystemd + "',path='" + kManagerPath + "',interface='" +
                        kManagerIface + "',member=";
  std::optional<BusError> refused;
  for (auto e : {add(manager + "'UnitNew'", "systemd's UnitNew", &UnitTracker::onUnitNew),
                 add(manager + "'UnitRemoved'", "systemd's UnitRemoved", &UnitTracker::onUnitRemoved),
                 add(manager + "'Reloading'", "systemd's Reloading", &UnitTracker::onReloading),
                 add(std::string("type='signal',sender='") + kSystemd + "',interface='" + kPropertiesIface +
                         "',member='PropertiesChanged',path_namespace='/org/freedesktop/systemd1/unit'",
                     "systemd's PropertiesChanged", &UnitTracker::onPropertiesChanged),
                 add("type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',"
                     "arg0='" +
                         std::string(kSystemd) + "'",
                     "NameOwnerChanged of systemd", &UnitTracker::onNameOwnerChanged)})
    if (e && !refused) refused = e;
  if (refused) {
    LOG_WARN("cannot watch systemd on the %s: %s", which, refused->message.c_str());
    disconnect(refused->message);
    reconnect_.schedule();
    return;
  }
  const char* unique = nullptr;
  if (sd_bus_get_unique_name(connection_.get(), &unique) < 0) unique = "?";
  LOG_INFO("connected to the %s as %s; following systemd's units", which, unique);
  warnedConnect_ = false;
  reconnect_.succeeded();
  subscribeAndResync();
  systemdOomd_ = SystemdOomdWatch::start(connection_.get());
}

void UnitTracker::disconnect(const std::string& why) {
  if (connection_) LOG_WARN("lost the connection to systemd (%s): unit policies suspended until resynced", why.c_str());
  closeConnection();
  forgetUnits();
}

void UnitTracker::call(const BusMethod& method, const ArgsWriter& args, ReplyHandler handler) {
  uint64_t gen = generation_;
  auto fail = [&](const BusError& e) { handler(nullptr, &e); };
  if (!connection_) return fail(BusError{"org.unitoomd1.Error.NotConnected", "not connected to systemd"});
  auto unsent = callAsync(
      connection_.get(), method, args,
      [this, gen, handler](sd_bus_message* reply, const BusError* error) {
        if (gen != generation_) return;  // an answer from before a reconnect
        handler(reply, error);
      },
      kCallTimeoutUsec);
  if (unsent) fail(*unsent);
}

void UnitTracker::callManager(const char* method, const ArgsWriter& args, ReplyHandler handler) {
  call({kSystemd, kManagerPath, kManagerIface, method}, args, std::move(handler));
}

void UnitTracker::subscribeAndResync() {
  callManager("Subscribe", nullptr, [](sd_bus_message*, const BusError* e) {
    if (e) LOG_DEBUG("Subscribe: %s", e->message.c_str());  // already subscribed is fine
  });
  resync();
}

void UnitTracker::watchControlDirs(const std::vector<std::string>& dirs) {
  controlDirs_ = std::make_unique<ControlDirWatch>(event_, dirs, [this](const std::string& unit) { rereadUnitNamed(unit); });
}

// A unit that is not live is not followed; when it starts, UnitNew and its
// ActiveState bring it in with its settings as they are then.
void UnitTracker::rereadUnitNamed(const std::string& name) {
  for (const auto& [path, t] : units_) {
    if (t.settings.name != name) continue;
    LOG_DEBUG("%s: a setting was written for it; reading it again", name.c_str());
    queueRead(path, name);
    pump();
    return;
  }
}

void UnitTracker::resync() {
  if (!connection_) return;
  reads_.resyncStarted(Clock::now());
  listUnits();
}

void UnitTracker::listUnits() {
  reads_.listAsked();
  callManager("ListUnits", nullptr, [this](sd_bus_message* reply, const BusError* e) {
    reads_.listAnswered(!e);
    if (e) {
      LOG_WARN("ListUnits failed: %s", e->message.c_str());
      return;
    }
    std::set<std::string> live;
    int r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_ARRAY, "(ssssssouso)");
    while (r > 0 && (r = sd_bus_message_enter_container(reply, SD_BUS_TYPE_STRUCT, "ssssssouso")) > 0) {
      const char *name = nullptr, *description = nullptr, *load = nullptr, *state = nullptr, *sub = nullptr,
                 *following = nullptr, *path = nullptr, *jobType = nullptr, *jobPath = nullptr;
      uint32_t jobId = 0;
      r = sd_bus_message_read(reply, "ssssssouso", &name, &description, &load, &state, &sub, &following, &path, &jobId,
                              &jobType, &jobPath);
      if (r < 0 || (r = sd_bus_message_exit_container(reply)) < 0) break;
      if (!isLiveState(state) || cgroupInterfaceOf(name).empty()) continue;
      live.insert(path);
      queueRead(path, name);
    }
    if (r < 0) {
      // A partial list must not drop the units it did not get to.
      LOG_WARN("ListUnits: an odd reply (%s)", strerror(-r));
      pump();
      return;
    }
    std::vector<std::string> gone;
    for (const auto& [path, t] : units_)
      if (!live.count(path)) gone.push_back(path);
    for (const auto& p : gone) dropUnit(p);
    pump();
  });
}

void UnitTracker::queueRead(const std::string& objectPath, const std::string& name) {
  if (confinedTo_ && !units_.count(objectPath) && !reads_.pending(objectPath)) {
    if (auto why = refusalOfUserUnitName(name)) {
      refuse(name, "", *why);
      return;
    }
    if (units_.size() + reads_.pendingCount() >= kMaxUnitsPerUserManager) {
      refuse(name, "", strprintf("more than %zu live units", kMaxUnitsPerUserManager));
      return;
    }
  }
  reads_.request(objectPath, name);
}

void UnitTracker::pump() {
  while (auto next = reads_.start()) readUnit(next->objectPath, next->name);
  if (auto took = reads_.resyncOver(Clock::now())) {
    lastResyncTook_ = took;
    LOG_DEBUG("resynced %zu live unit(s) with cgroups in %s", units_.size(), formatDuration(*lastResyncTook_).c_str());
    setReady(true);
    Duration interval = controlDirs_ ? kResyncIntervalWatched : kResyncInterval;
    uint64_t when = monotonicUsec(event_) + static_cast<uint64_t>(interval.count());
    if (!resyncTimer_) {
      sd_event_add_time(event_, &resyncTimer_, CLOCK_MONOTONIC, when, 1000000, onResyncTimer, this);
      nameSource(resyncTimer_, sourceName("resync-timer"));
    } else sd_event_source_set_time(resyncTimer_, when);
    sd_event_source_set_enabled(resyncTimer_, SD_EVENT_ONESHOT);
  }
}

void UnitTracker::readUnit(const std::string& objectPath, const std::string& name) {
  std::string iface = cgroupInterfaceOf(name);
  if (iface.empty() || !connection_) {
    (void)reads_.finish(objectPath);
    return;
  }
  auto read = std::make_shared<Read>();
  read->objectPath = objectPath;
  read->settings.name = name;
  read->settings.manager = managerName_;
  read->settings.claimedByUser = confinedTo_;
  // One Get a property, not GetAll: a service's interface has some 250
  // properties, and systemd building them all for a few made following
  // 2,000 units take 2.5 s of CPU here and 6.6 s in all; the few Gets are
  // small.
  auto get = [&](const std::string& onIface, const char* prop, std::function<bool(sd_bus_message*)> store) {
    ++read->outstanding;
    ++propertyReads_;
    call(
        {kSystemd, read->objectPath.c_str(), kPropertiesIface, "Get"},
        [&](sd_bus_message* m) { return sd_bus_message_append(m, "ss", onIface.c_str(), prop); },
        [this, read, prop, store](sd_bus_message* reply, const BusError* e) {
          if (e) {
            if (std::string_view(prop) == "ManagedOOMMemoryPressureDurationUSec") {
              hasDurationProperty_ = false;  // systemd before 257
            } else if (e->is("org.freedesktop.DBus.Error.LimitsExceeded")) {
              read->retry = true;  // the bus's limit, not the unit's fault: read it again
            } else {
              read->failed = true;  // the unit went away meanwhile, most likely
              LOG_DEBUG("%s %s: %s", read->settings.name.c_str(), prop, e->message.c_str());
            }
          } else {
            std::string type = peekVariantType(reply);
            if (!store(reply))
              LOG_WARN("%s: property %s has an unexpected type '%s'; using the default", read->settings.name.c_str(), prop,
                       type.c_str());
          }
          if (--read->outstanding == 0) finishRead(read);
        });
  };
  UnitOomSettings& s = read->settings;
  get(kUnitIface, "ActiveState", [&s](sd_bus_message* m) { return readVariant(m, s.activeState); });
  get(iface, "ControlGroup", [&s](sd_bus_message* m) { return readVariant(m, s.cgroup); });
  get(iface, "ManagedOOMSwap", [&s](sd_bus_message* m) { return readVariant(m, s.managedOOMSwap); });
  get(iface, "ManagedOOMMemoryPressure", [&s](sd_bus_message* m) { return readVariant(m, s.managedOOMMemoryPressure); });
  get(iface, "ManagedOOMMemoryPressureLimit",
      [&s](sd_bus_message* m) { return readVariant(m, s.managedOOMMemoryPressureLimit); });
  get(iface, "ManagedOOMPreference", [&s](sd_bus_message* m) { return readVariant(m, s.managedOOMPreference); });
  if (hasDurationProperty_)
    get(iface, "ManagedOOMMemoryPressureDurationUSec", [&s](sd_bus_message* m) {
      uint64_t d = 0;
      if (!readVariant(m, d)) return false;
      s.managedOOMMemoryPressureDurationUSec = d;
      return true;
    });
}

void UnitTracker::finishRead(const std::shared_ptr<Read>& read) {
  const std::string& path = read->objectPath;
  bool readAgain = reads_.finish(path);
  const UnitOomSettings& s = read->settings;
  if (read->retry && !read->failed) {
    LOG_DEBUG("%s: the bus refused more pending replies; reading it again", s.name.c_str());
    readAgain = true;
  } else if (read->failed || !isLiveState(s.activeState) || s.cgroup.empty()) {
    reads_.rememberDead(path, Clock::now());
    dropUnit(path);
  } else if (confinedTo_ && s.cgroup == userManagerSubtree(*confinedTo_)) {
    // The user manager's own -.slice: that cgroup is the system manager's
    // user@UID.service, followed there. Not a claim worth a warning.
    dropUnit(path);
  } else if (auto why = confinedTo_ ? refusalOfUserUnit(*confinedTo_, s) : std::nullopt) {
    refuse(s.name, s.cgroup, *why);
    dropUnit(path);
  } else {
    reads_.forgetDead(path);
    auto& t = units_[path];
    if (!t.known || !sameSettings(t.settings, s)) {
      if (t.known &&
          (t.settings.managedOOMMemoryPressure != s.managedOOMMemoryPressure || t.settings.managedOOMSwap != s.managedOOMSwap ||
           t.settings.managedOOMMemoryPressureLimit != s.managedOOMMemoryPressureLimit ||
           t.settings.managedOOMPreference != s.managedOOMPreference))
        LOG_INFO("%s: ManagedOOM settings changed", s.name.c_str());
      t.settings = s;
      t.known = true;
      changed();
    }
  }
  if (readAgain) queueRead(path, s.name);
  pump();
}

void UnitTracker::dropUnit(const std::string& objectPath) {
  if (units_.erase(objectPath)) changed();
}

void UnitTracker::changed() {
  uint64_t when = monotonicUsec(event_) + static_cast<uint64_t>(kChangeCoalesce.count());
  if (!changeTimer_) {
    sd_event_add_time(event_, &changeTimer_, CLOCK_MONOTONIC, when, 10000, onChangeTimer, this);
    nameSource(changeTimer_, sourceName("change-timer"));
    return;
  }
  int enabled = SD_EVENT_OFF;
  sd_event_source_get_enabled(changeTimer_, &enabled);
  if (enabled != SD_EVENT_OFF) return;  // one already pending: coalesce
  sd_event_source_set_time(changeTimer_, when);
  sd_event_source_set_enabled(changeTimer_, SD_EVENT_ONESHOT);
}

void UnitTracker::setReady(bool ready) {
  if (ready_ == ready) return;
  ready_ = ready;
  if (ready) LOG_INFO("following %zu live unit(s) with cgroups", units_.size());
  changed();
}

// Said in the journal so an administrator sees who claimed what, but at most
// a few times a minute: the claims come as fast as the user sends them.
void UnitTracker::refuse(const std::string& name, const std::string& cgroup, const std::string& why) {
  size_t suppressed = 0;
  if (refusalLog_.allow(Clock::now(), &suppressed)) {
    std::string more = suppressed ? strprintf(" (%zu more refused since the last such warning)", suppressed) : "";
    LOG_WARN("refused unit '%s' of user %u's manager on their own bus, claiming cgroup '%s': %s%s", quoted(name).c_str(),
             static_cast<unsigned>(*confinedTo_), quoted(cgroup).c_str(), why.c_str(), more.c_str());
  }
}

void UnitTracker::onUnitNew(sd_bus_message* msg) {
  const char *id = nullptr, *path = nullptr;
  if (sd_bus_message_read(msg, "so", &id, &path) <= 0) return odd("UnitNew");
  if (cgroupInterfaceOf(id).empty()) return;
  // Loaded again by our own read of it, most likely; if it starts, its
  // ActiveState change brings it in.
  if (reads_.foundDeadLately(path, Clock::now())) return;
  queueRead(path, id);
  pump();
}

void UnitTracker::onUnitRemoved(sd_bus_message* msg) {
  const char *id = nullptr, *path = nullptr;
  if (sd_bus_message_read(msg, "so", &id, &path) <= 0) return odd("UnitRemoved");
  // A daemon-reload unloads every unit and loads it again, announcing both:
  // dropping them would tear down running rulesets (and their detectors'
  // timing) for nothing. The resync at the end of the reload decides.
  if (reloading_) return;
  dropUnit(path);
}

void UnitTracker::onReloading(sd_bus_message* msg) {
  int active = 0;
  if (sd_bus_message_read(msg, "b", &active) <= 0) return odd("Reloading");
  reloading_ = active;
  if (active) return;
  // A daemon-reload may have changed any unit's settings. A user's manager
  // (or a fake one) may say so as often as it likes: its full resyncs are
  // spaced, the pending one comes when the spacing allows.
  TimePoint earliest = reads_.lastResyncStarted() + kUntrustedResyncSpacing;
  if (confinedTo_ && Clock::now() < earliest) {
    uint64_t when = monotonicUsec(event_) +
                    static_cast<uint64_t>(std::chrono::duration_cast<Duration>(earliest - Clock::now()).count());
    if (!resyncTimer_) {
      sd_event_add_time(event_, &resyncTimer_, CLOCK_MONOTONIC, when, 100000, onResyncTimer, this);
      nameSource(resyncTimer_, sourceName("resync-timer"));
    } else sd_event_source_set_time(resyncTimer_, when);
    sd_event_source_set_enabled(resyncTimer_, SD_EVENT_ONESHOT);
    return;
  }
  resync();
}

void UnitTracker::onPropertiesChanged(sd_bus_message* msg) {
  const char* ifaceText = nullptr;
  if (sd_bus_message_read(msg, "s", &ifaceText) <= 0) return odd("PropertiesChanged");
  std::string iface = ifaceText;
  std::optional<std::string> activeState;  // nullopt: not among the changes; "": not a string
  int r = readVariantDict(msg, [&](const std::string& key) {
    if (key != "ActiveState") return false;
    std::string state;
    activeState = readVariant(msg, state) ? state : "";
    return true;
  });
  if (r < 0) return odd("PropertiesChanged");
  const char* pathText = sd_bus_message_get_path(msg);
  std::string path = pathText ? pathText : "";
  auto known = units_.find(path);
  std::string name = known != units_.end() ? known->second.settings.name : unitNameFromObjectPath(path);
  if (cgroupInterfaceOf(name).empty()) return;
  bool startsLiving = false;
  if (iface == kUnitIface) {
    if (activeState) {
      if (!activeState->empty() && !isLiveState(*activeState)) {
        if (!reloading_) dropUnit(path);
        return;
      }
      startsLiving = true;
    }
  }
  if (known == units_.end() && !startsLiving && reads_.foundDeadLately(path, Clock::now())) return;  // see reads_
  // Anything else about a unit (set-property, a restart) may have come with
  // new ManagedOOM* values, which signal nothing themselves.
  if (known != units_.end() || iface == kUnitIface) {
    queueRead(path, name);
    pump();
  }
}

void UnitTracker::onNameOwnerChanged(sd_bus_message* msg) {
  const char *name = nullptr, *oldOwnerText = nullptr, *newOwnerText = nullptr;
  if (sd_bus_message_read(msg, "sss", &name, &oldOwnerText, &newOwnerText) <= 0) return odd("NameOwnerChanged");
  std::string oldOwner = oldOwnerText, newOwner = newOwnerText;
  // Either way the old manager's units and replies mean nothing now.
  forgetUnits();
  if (newOwner.empty()) {
    LOG_WARN("systemd left the bus: unit policies suspended until it is back and resynced");
  } else {
    LOG_INFO("systemd %s the bus (%s): subscribing and resyncing", oldOwner.empty() ? "joined" : "moved on", newOwner.c_str());
    subscribeAndResync();
  }
}

int UnitTracker::onResyncTimer(sd_event_source* s, uint64_t, void* userdata) {
  countWake(s);
  auto* self = static_cast<UnitTracker*>(userdata);
  self->resync();
  return 0;
}

int UnitTracker::onChangeTimer(sd_event_source* s, uint64_t, void* userdata) {
  countWake(s);
  auto* self = static_cast<UnitTracker*>(userdata);
  try {
    self->onChange_();
  } catch (const std::exception& e) {
    LOG_ERROR("applying unit changes: %s", e.what());
  }
  return 0;
}

std::vector<UnitOomSettings> UnitTracker::units() const {
  std::vector<UnitOomSettings> out;
  if (!ready_) return out;
  for (const auto& [path, t] : units_)
    if (t.known) out.push_back(t.settings);
  return out;
}

const UnitOomSettings* UnitTracker::unitByObjectPath(const std::string& objectPath) const {
  auto it = units_.find(objectPath);
  return it == units_.end() || !it->second.known ? nullptr : &it->second.settings;
}

// A scan: it runs once per kill, and a kill must not wait on systemd for
// what is already known (10,000 units: well under a millisecond).
const UnitOomSettings* UnitTracker::unitWithCgroup(const std::string& cgroup) const {
  for (const auto& [path, t] : units_)
    if (t.known && t.settings.cgroup == cgroup) return &t.settings;
  return nullptr;
}

}  // namespace unitoomd
