#include "daemon/daemon.h"

#include <malloc.h>
#include <signal.h>
#include <cstring>
#include <sys/inotify.h>
#include <systemd/sd-daemon.h>

#include "act/process_kill.h"
#include "config/ruleset_loader.h"
#include "daemon/memory_lock.h"
#include "desktop/session_words.h"
#include "observe/psi_trigger.h"
#include "util/log.h"
#include "util/event_names.h"
#include "util/message_ids.h"
#include "observe/parsers.h"
#include "unitoomd-config.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

constexpr Duration kHistoryUnused = std::chrono::minutes(5);
constexpr size_t kKillHistory = 100;  // kills remembered for ListKills

// Nothing thrown may unwind through sd-event's C frames.
template <typename F>
int guarded(const char* where, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    LOG_ERROR("%s: %s", where, e.what());
  }
  return 0;
}

void logDiagnostics(const Diagnostics& diags, LogLevel level) {
  for (const auto& d : diags)
    logStructured(level, d.str(),
                  {{"MESSAGE_ID", message_id::kConfigError}, {"CONFIG_FILE", d.file}, {"CONFIG_LINE", std::to_string(d.line)}});
}

}  // namespace

Daemon::Daemon(DaemonOptions options) : options_(std::move(options)) {
  privileged_ = haveCapSysResource();
  triggerWindow_ = triggerWindowFor(privileged_);
  sd_event_default(&event_);
}

Daemon::~Daemon() {
  if (asker_) asker_->thawAll();  // never leave an app frozen behind us
  killWatch_.reset();
  systemdKiller_.reset();
  userSessions_.reset();
  systemWatch_.reset();
  tracker_.reset();
  disarmTriggers();
  if (dropInWatch_) sd_event_source_unref(dropInWatch_);
  if (timer_) sd_event_source_unref(timer_);
  if (unitsTimer_) sd_event_source_unref(unitsTimer_);
  if (event_) sd_event_unref(event_);
}

bool Daemon::loadConfig(DaemonConfig& out) {
  Diagnostics diags;
  out = loadDaemonConfig(options_.configPaths, options_.configMayBeMissing, diags);
  if (options_.dryRun) out.dryRun = *options_.dryRun;
  if (options_.rulesetFile) out.rulesetFile = *options_.rulesetFile;
  if (options_.cgroupRoot) out.cgroupRoot = *options_.cgroupRoot;
  if (!diags.empty()) {
    logDiagnostics(diags, LogLevel::Error);
    reloadError_ = diags.front().str();
    return false;
  }
  return true;
}

bool Daemon::reload(bool initial) {
  DaemonConfig c;
  if (!loadConfig(c)) {
    if (!initial) logEvent(LogLevel::Error, message_id::kConfigError, "configuration not reloaded: keeping the last good one");
    return false;
  }
  std::string root = c.cgroupRoot;
  if (root.empty()) {
    auto detected = CgroupFs::detectRoot();
    if (!detected) {
      LOG_ERROR("no cgroup2 hierarchy found (looked at /sys/fs/cgroup and /sys/fs/cgroup/unified)");
      return false;
    }
    root = *detected;
  }
  RulesSource source = readRules(c.rulesetFile, c.rulesetDropInDir);
  DaemonConfig previous = config_;
  config_ = c;  // unit rulesets take their defaults from the new [OOM]
  LoadedRules rules = compileRules(source, unitRulesets());
  if (!rules.compiled.engine) {
    config_ = previous;
    logDiagnostics(rules.compiled.errors, LogLevel::Error);
    if (!rules.compiled.errors.empty()) reloadError_ = rules.compiled.errors.front().str();
    if (!initial) logEvent(LogLevel::Error, message_id::kConfigError, "rulesets not reloaded: keeping the last good ones");
    return false;
  }
  if (!rules.compiled.errors.empty()) {
    logDiagnostics(rules.compiled.errors, LogLevel::Warning);
    for (const auto& f : rules.compiled.skippedDropIns) LOG_WARN("drop-in %s skipped", f.c_str());
  }
  if (!fs_ || fs_->root() != root) fs_ = std::make_unique<CgroupFs>(root, options_.procRoot);
  if (killWatch_) killWatch_->setCgroupRoot(root);
  if (systemdKiller_) systemdKiller_->setReplyTimeout(c.systemdKillTimeout);
  rulesSource_ = std::move(source);
  Duration linger = std::max<Duration>(2 * triggerWindow_, std::chrono::seconds(2));
  policy_.emplace(c.sampleInterval, c.idleInterval, linger);
  applyEngine(std::move(rules.compiled.engine));
  watchDropInDir();
  applyDesktopConfig();
  std::string dropIns = rules.dropInsApplied.empty() ? "" : strprintf(" + %zu drop-in(s)", rules.dropInsApplied.size());
  logEvent(LogLevel::Info, initial ? message_id::kStarted : message_id::kReloaded,
           "%s %zu ruleset(s) from %s%s; cgroup2 at %s; %s PSI triggers (%s window)%s", initial ? "loaded" : "reloaded",
           engine_->rulesets().size(), c.rulesetFile.empty() ? "no file" : c.rulesetFile.c_str(), dropIns.c_str(),
           root.c_str(), privileged_ ? "privileged" : "unprivileged", formatDuration(triggerWindow_).c_str(),
           c.dryRun ? "; dry run: nothing will be killed" : "");
  updateStatus();
  return true;
}

void Daemon::applyEngine(std::unique_ptr<Engine> engine) {
  logRulesetChanges(engine_.get(), *engine);
  if (engine_) engine->adoptStateFrom(*engine_);  // leaves engine_ with holes
  engine_ = std::move(engine);
  armTriggers();
  if (oomWatch_) oomWatch_->watch(*fs_, monitoredMemoryCgroups());
}

std::set<std::string> Daemon::monitoredMemoryCgroups() const {
  std::set<std::string> out;
  for (const auto& w : engine_->wakeSources())
    if (w.resource == Resource::Memory) out.insert(w.cgroup);
  // every followed user's session, watched or not by a ruleset: the kernel's
  // kills there are told to the user
  if (userSessions_)
    for (uid_t uid : userSessions_->followed())
      out.insert(strprintf("/user.slice/user-%u.slice/user@%u.service", uid, uid));
  return out;
}

std::vector<ir::Ruleset> Daemon::unitRulesets() {
  unitPreferences_.clear();
  userPreferences_.clear();
  if (!tracker_ || !tracker_->ready()) return {};
  UnitPolicyDefaults d;
  d.swapUsedLimitPercent = config_.swapUsedLimitPercent;
  d.memoryPressureLimitPercent = config_.defaultMemoryPressureLimitPercent;
  d.memoryPressureDuration = config_.defaultMemoryPressureDuration;
  d.killMethod = config_.unitKillMethod;
  d.stopTimeout = config_.stopTimeout;
  d.memoryExhaustion = config_.memoryExhaustion;
  std::vector<UnitOomSettings> units = tracker_->units();
  if (userSessions_) {
    userSessions_->follow(config_.desktop.followUserManagers ? userManagersIn(units) : std::set<uid_t>{});
    for (auto& u : userSessions_->units()) units.push_back(std::move(u));
    if (userSessions_->followed() != followedUsers_) {
      followedUsers_ = userSessions_->followed();
      if (api_ && api_->object()) api_->object()->followedUsersChanged();
    }
  }
  UnitPolicy policy = synthesizeUnitPolicy(units, d);
  // Said once each, but units come and go for weeks (and a user's manager
  // names its own): forget them all now and then rather than grow.
  if (saidPolicyWarnings_.size() > kMaxRememberedWarnings) saidPolicyWarnings_.clear();
  for (const auto& w : policy.warnings)
    if (saidPolicyWarnings_.insert(w).second) LOG_WARN("%s", w.c_str());
  unitPreferences_ = std::move(policy.preferences);
  userPreferences_ = std::move(policy.userPreferences);
  return std::move(policy.rulesets.rulesets);
}

// Recompiling a thousand unit rulesets takes tens of milliseconds (seconds
// on a slow, emulated machine), and units that start in bulk change one
// after another: recompile at most so often that it takes a fifth of the
// time, the last change included.
void Daemon::unitsChanged() {
  if (!fs_) return;
  TimePoint now = Clock::now();
  TimePoint earliest = unitsCompiledAt_ + kUnitsCompileSpacing * unitsCompileCost_;
  if (now < earliest) {
    if (!unitsTimer_) {
      sd_event_add_time(event_, &unitsTimer_, CLOCK_MONOTONIC, toUsec(earliest), 1000, onUnitsTimer, this);
      nameSource(unitsTimer_, "units-recompile-timer");
    }
    else if (sd_event_source_get_enabled(unitsTimer_, nullptr) > 0) return;  // already due
    else sd_event_source_set_time(unitsTimer_, toUsec(earliest));
    sd_event_source_set_enabled(unitsTimer_, SD_EVENT_ONESHOT);
    return;
  }
  if (unitsTimer_) sd_event_source_set_enabled(unitsTimer_, SD_EVENT_OFF);
  recompileUnits();
  unitsCompiledAt_ = Clock::now();
  unitsCompileCost_ = std::chrono::duration_cast<Duration>(unitsCompiledAt_ - now);
}

int Daemon::onUnitsTimer(sd_event_source* s, uint64_t, void* userdata) {
  countWake(s);
  auto* self = static_cast<Daemon*>(userdata);
  return guarded("units", [&] { self->unitsChanged(); });
}

void Daemon::recompileUnits() {
  LoadedRules rules = compileRules(rulesSource_, unitRulesets());
  if (!rules.compiled.engine) {
    // Only a synthesized ruleset can be new here, and they are built to
    // compile: say so loudly and keep what runs.
    logDiagnostics(rules.compiled.errors, LogLevel::Error);
    return;
  }
  for (const auto& name : rules.shadowed)
    if (saidPolicyWarnings_.insert("shadowed " + name).second)
      LOG_WARN("ruleset '%s' from the config file takes the place of the unit policy of the same name", name.c_str());
  applyEngine(std::move(rules.compiled.engine));
  updateStatus();
  // Reading and recompiling every unit's ruleset leaves freed heap behind
  // that glibc keeps resident; the daemon's footprint is what is left when
  // it is done.
  malloc_trim(0);
}

// Rulesets that come and go with units are worth a line each in the journal.
void Daemon::logRulesetChanges(const Engine* before, const Engine& after) {
  if (!before) return;
  std::set<std::string> was, now;
  for (const auto& r : before->rulesets()) was.insert(r->name);
  for (const auto& r : after.rulesets()) {
    now.insert(r->name);
    if (!was.count(r->name)) LOG_INFO("ruleset '%s' added (%s): %s", r->name.c_str(), r->origin.c_str(), r->description.c_str());
  }
  for (const auto& r : before->rulesets())
    if (!now.count(r->name)) LOG_INFO("ruleset '%s' removed (%s)", r->name.c_str(), r->origin.c_str());
}

void Daemon::disarmTriggers() {
  for (auto& t : triggers_)
    if (t.source) sd_event_source_disable_unref(t.source);
  triggers_.clear();
}

// Triggers still planned on the same cgroup stay armed: re-arming a
// thousand unit cgroups' triggers at every unit change costs the kernel a
// thousand trigger teardowns and setups.
void Daemon::armTriggers() {
  plannedTriggers_ = planTriggers(engine_->wakeSources(), engine_->hasUntriggeredGroups());
  std::map<TriggerKey, const TriggerSpec*> planned;
  for (const auto& spec : plannedTriggers_) planned[{spec.cgroup, spec.resource}] = &spec;
  std::set<TriggerKey> armed;
  std::vector<Trigger> kept;
  for (auto& t : triggers_) {
    auto it = planned.find({t.spec.cgroup, t.spec.resource});
    bool keep = it != planned.end() && *it->second == t.spec && sameCgroup(t);
    if (keep) {
      armed.insert(it->first);
      kept.push_back(std::move(t));
    } else if (t.source) {
      sd_event_source_disable_unref(t.source);
    }
  }
  triggers_ = std::move(kept);
  for (const auto& spec : plannedTriggers_) {
    if (armed.count({spec.cgroup, spec.resource})) continue;
    std::string file = spec.cgroup == "/" ? options_.procRoot + "/pressure/" + resourceName(spec.resource)
                                          : fs_->absolute(spec.cgroup) + "/" + resourceName(spec.resource) + ".pressure";
    auto inode = spec.cgroup == "/" ? std::optional<uint64_t>(0) : fs_->inodeOf(spec.cgroup);
    if (!inode) {
      LOG_DEBUG("%s does not exist yet; its trigger is armed when it appears", spec.cgroup.c_str());
      continue;
    }
    Duration window = windowOf(spec);
    Duration stall(static_cast<long long>(static_cast<double>(window.count()) * spec.wakePercent / 100.0));
    auto fd = armPsiTrigger(file, StallKind::Some, stall, window);
    if (!fd) {
      LOG_WARN("cannot arm PSI trigger (%s): %s; falling back to the idle timer for it", fd.error().message.c_str(),
               strerror(fd.error().errnum));
      continue;
    }
    Trigger t{spec, std::move(*fd), nullptr, *inode};
    if (sd_event_add_io(event_, &t.source, t.fd.get(), EPOLLPRI, onTrigger, this) < 0) continue;
    nameSource(t.source, std::string("psi-trigger:") + resourceName(spec.resource) + ":" + spec.cgroup);
    LOG_DEBUG("armed trigger: %s %s some >= %.1f%% of %s%s", spec.cgroup.c_str(), resourceName(spec.resource), spec.wakePercent,
              formatDuration(window).c_str(), spec.wakeOnly ? " (wakes rules without a stall detector)" : "");
    triggers_.push_back(std::move(t));
  }
}

// A wake-only trigger needs no short window: a longer one makes the
// kernel's psimon thread poll less often (window / 10) and fire less often
// while memory stays short for minutes.
Duration Daemon::windowOf(const TriggerSpec& spec) const {
  return spec.wakeOnly ? std::max(triggerWindow_, kWakeOnlyWindow) : triggerWindow_;
}

bool Daemon::sameCgroup(const Trigger& t) const {
  return t.spec.cgroup == "/" || fs_->inodeOf(t.spec.cgroup) == std::optional<uint64_t>(t.inode);
}

bool Daemon::triggersStale() const {
  for (const auto& t : triggers_)
    if (!sameCgroup(t)) return true;
  if (triggers_.size() == plannedTriggers_.size()) return false;  // every planned one is armed
  std::set<TriggerKey> armed;
  for (const auto& t : triggers_) armed.insert({t.spec.cgroup, t.spec.resource});
  for (const auto& spec : plannedTriggers_)
    if (!armed.count({spec.cgroup, spec.resource}) && (spec.cgroup == "/" || fs_->inodeOf(spec.cgroup))) return true;
  return false;
}

void Daemon::watchDropInDir() {
  if (watchedDropInDir_ == config_.rulesetDropInDir) return;
  if (dropInWatch_) dropInWatch_ = sd_event_source_disable_unref(dropInWatch_);
  watchedDropInDir_ = config_.rulesetDropInDir;
  if (watchedDropInDir_.empty()) return;
  int r = sd_event_add_inotify(event_, &dropInWatch_, watchedDropInDir_.c_str(),
                               IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ONLYDIR, onDropInChange, this);
  if (r < 0) LOG_NOTICE("not watching %s for drop-ins: %s", watchedDropInDir_.c_str(), strerror(-r));
  else nameSource(dropInWatch_, "ruleset-drop-in-watch");
}

Daemon::StallSeen Daemon::stallPersists(SampleContext& ctx) {
  StallSeen seen;
  for (const auto& t : triggers_) {
    CgroupView* cg = ctx.cgroup(t.spec.cgroup);
    if (!cg) continue;
    auto pct = cg->stall(t.spec.resource, StallKind::Some, windowOf(t.spec));
    if (!pct || *pct < t.spec.wakePercent) continue;
    (t.spec.wakeOnly ? seen.wakeOnly : seen.detector) = true;
  }
  return seen;
}

void Daemon::withContext(TimePoint now, const std::function<void(SampleContext&)>& f) {
  SampleContext ctx(*fs_, history_, now);
  Killer* whole = systemdKiller_ ? static_cast<Killer*>(systemdKiller_.get()) : &killer_;
  if (asker_) {  // pause and ask: in front of whole-unit kills only, never a terminal's job
    const auto& d = config_.desktop;
    asker_->use(*fs_, *whole, userSessions_.get(), AskSettings{d.askBeforeKill, d.askTimeout, d.askCoolDown}, d.protectedUnits);
    ctx.spared = &asker_->spared(now);
    whole = asker_.get();
  }
  ScopeAwareKiller killer(*whole, config_.desktop.killProcessesIn, config_.desktop.protectedProcesses,
                          options_.systemd == BusKind::User);
  ctx.killer = &killer;
  ctx.unitPreferences = &unitPreferences_;
  ctx.userPreferences = &userPreferences_;
  ctx.protectedUnits = &config_.desktop.protectedUnits;
  ctx.reports = this;
  ctx.dryRun = config_.dryRun;
  f(ctx);
}

void Daemon::sample() {
  TimePoint now = Clock::now();
  withContext(now, [&](SampleContext& ctx) {
    if (!standingBy_) engine_->runOnce(ctx);
    warnOfPressure();
    bool timing = engine_->timing();
    StallSeen stall = stallPersists(ctx);
    policy_->sampled(now, timing || stall.detector || stall.wakeOnly);
    // only watching levels: the rules say how soon they could fire
    watchingOnly_ = !timing && !stall.detector;
  });
  ++samples_;
  counted_.sampleSeconds.observe(std::chrono::duration<double>(Clock::now() - now).count());
  lastSample_ = now;
  followKills();
  if (!policy_->active(now)) {
    if (oomWatch_) oomWatch_->check();  // a backstop for a missed inotify event
    history_.prune(now, kHistoryUnused);
    if (triggersStale()) armTriggers();
  } else {
    history_.pruneIfDue(now, kHistoryUnused);
  }
}

// A kill in flight moved (its victim's cgroup.events changed, systemd
// answered, a deadline passed): its next step, and nothing else.
void Daemon::advanceKills() {
  if (!engine_ || !engine_->actionPending()) {
    followKills();
    return;
  }
  ++killAdvances_;
  withContext(Clock::now(), [&](SampleContext& ctx) { engine_->resumePendingActions(ctx); });
  warnOfPressure();
  followKills();
}

void Daemon::followKills() {
  if (!killWatch_) return;
  killWatch_->follow(planKillWait(engine_ ? engine_->killsInFlight() : std::vector<const KillOperation*>{}, Clock::now()));
}

void Daemon::scheduleNext() {
  TimePoint now = Clock::now();
  bool active = policy_->active(now);
  TimePoint next = lastSample_ + policy_->interval(now, watchingOnly_ ? std::optional(engine_->quietFor()) : std::nullopt);
  // A predicting detector (memory_exhaustion) plans its own next look: no
  // trigger fires while free memory is eaten without a stall.
  bool planned = false;
  if (engine_ && !standingBy_)
    if (auto within = engine_->sampleWithin()) {
      TimePoint soon = lastSample_ + std::max(*within, config_.sampleInterval);
      if (soon < next) next = soon, planned = true;
    }
  if (next < now) next = now;
  uint64_t accuracy = active || planned ? 1000 : 1000000;  // idle wake-ups may be coalesced by up to 1 s
  if (!timer_) {
    sd_event_add_time(event_, &timer_, CLOCK_MONOTONIC, toUsec(next), accuracy, onTimer, this);
    nameSource(timer_, "sample-timer");
  } else {
    sd_event_source_set_time(timer_, toUsec(next));
    sd_event_source_set_time_accuracy(timer_, accuracy);
  }
  sd_event_source_set_enabled(timer_, SD_EVENT_ONESHOT);
}

// A ruleset whose detectors are over their limits and timing their
// duration will kill unless pressure falls: say so once per episode, so that
// applications can free memory first.
void Daemon::warnOfPressure() {
  std::erase_if(warnedRulesets_, [&](const std::string& name) {
    for (const auto& r : engine_->rulesets())
      if (r->name == name) return false;
    return true;  // the ruleset is gone; if it comes back, it may warn again
  });
  std::erase_if(killingRulesets_, [&](const std::string& name) {
    for (const auto& r : engine_->rulesets())
      if (r->name == name) return !r->actionPending();
    return true;
  });
  for (const auto& r : engine_->rulesets()) {
    // A kill is being carried out: applications that can still give memory
    // back should do it now (critical).
    if (r->actionPending() && killingRulesets_.insert(r->name).second && api_) api_->lowMemoryWarning(255);
    bool closing = r->timing() && !r->actionPending();
    if (!closing) {
      warnedRulesets_.erase(r->name);
      continue;
    }
    if (!warnedRulesets_.insert(r->name).second) continue;
    // A predicting ruleset says how long memory lasts, so that applications
    // know how soon to give back what they can.
    auto secondsLeft = r->secondsLeft();
    std::string reason = secondsLeft ? strprintf("memory runs out in about %.0f s at the present rate", *secondsLeft)
                                     : std::string("over its limits, timing towards a kill");
    LOG_NOTICE("ruleset '%s' is %s", r->name.c_str(), secondsLeft ? reason.c_str() : "over its limits and timing towards a kill");
    tellUsersOfPressure(*r, reason, secondsLeft.value_or(-1));
    if (!api_) continue;
    // Swap nearly gone, or memory predicted to run out, is closer to the end
    // than a stall: medium, not low. (LowMemoryWarning carries a level only.)
    api_->lowMemoryWarning(endsWith(r->name, "/ManagedOOMSwap") || secondsLeft ? 100 : 50);
    if (!api_->object()) continue;
    try {
      api_->object()->emitPressureWarning(r->name, r->description, reason, secondsLeft.value_or(-1));
    } catch (const sdbus::Error& e) {
      LOG_DEBUG("PressureWarning not sent: %s", e.getMessage().c_str());
    }
  }
}

// PressureWarning on the session bus of every user whose session the
// ruleset watches (its cgroups are in the user's slice, or contain it).
void Daemon::tellUsersOfPressure(const Ruleset& r, const std::string& reason, double secondsLeft) {
  if (!userSessions_) return;
  std::vector<WakeSource> watched;
  for (const auto& g : r.groups)
    for (const auto& d : g.detectors) d->wakeSources(watched);
  if (watched.empty()) watched.push_back({"/"});  // system-wide detectors (swap, /proc/meminfo)
  for (uid_t uid : userSessions_->followed())
    for (const auto& w : watched)
      if (concernsUser(w.cgroup, uid)) {
        userSessions_->pressureWarning(uid, r.name, r.description, reason, secondsLeft);
        break;
      }
}

void Daemon::applyDesktopConfig() {
  if (!api_) return;
  using Mode = ApiService::LowMemoryMonitorMode;
  auto m = config_.desktop.lowMemoryMonitor;
  api_->setLowMemoryMonitor(m == DesktopConfig::Lmm::Yes ? Mode::Yes : m == DesktopConfig::Lmm::No ? Mode::No : Mode::Auto);
}

Snapshot Daemon::snapshot(bool readPressure) {
  Snapshot s;
  s.version = UNITOOMD_VERSION;
  s.dryRun = config_.dryRun;
  s.killCount = kills_;
  s.followedUsers.assign(followedUsers_.begin(), followedUsers_.end());
  s.standingBy = standingBy_;
  if (options_.systemd) s.bus = *options_.systemd == BusKind::System ? "system bus" : "user's session bus";
  TimePoint now = Clock::now();
  for (const auto& r : engine_->rulesets()) s.rulesets.push_back({r->name, r->description, r->origin, rulesetStateName(r->state(now))});
  for (const auto& path : monitoredMemoryCgroups()) {
    CgroupPressure c{path};
    if (readPressure) {
      FileRead f;
      if (path == "/") f = fs_->readProc("pressure/memory");
      else if (auto dir = fs_->open(path)) f = dir->read("memory.pressure");
      if (auto psi = f.ok() ? parsePsi(f.data) : std::nullopt) {
        c.memorySome = psi->some.avg10;
        if (psi->full) c.memoryFull = psi->full->avg10;
      }
    }
    s.cgroups.push_back(std::move(c));
  }
  s.kills.assign(killHistory_.begin(), killHistory_.end());
  s.wokenBy = busiestWakeSources(10);
  if (asker_)
    for (const auto& q : asker_->questions())
      s.questions.push_back({q.askedRealtimeUsec, static_cast<uint32_t>(q.uid), q.app, q.cgroup, q.state, q.answer, q.outcome});
  return s;
}

Metrics Daemon::metrics() {
  Metrics m = counted_;
  m.version = UNITOOMD_VERSION;
  m.kernelOomKills = oomWatch_ ? oomWatch_->killsSeen() : 0;
  m.rulesets = engine_->rulesets().size();
  if (tracker_) m.unitsFollowed = tracker_->ready() ? static_cast<int64_t>(tracker_->unitCount()) : 0;
  for (const auto& path : monitoredMemoryCgroups()) {
    CgroupPressureMetric c{path};
    FileRead f;
    if (path == "/") f = fs_->readProc("pressure/memory");
    else if (auto dir = fs_->open(path)) f = dir->read("memory.pressure");
    if (auto psi = f.ok() ? parsePsi(f.data) : std::nullopt) {
      c.someAvg10 = psi->some.avg10;
      c.someStallSeconds = static_cast<double>(psi->some.totalUsec) / 1e6;
      if (psi->full) {
        c.fullAvg10 = psi->full->avg10;
        c.fullStallSeconds = static_cast<double>(psi->full->totalUsec) / 1e6;
      }
    }
    m.cgroups.push_back(std::move(c));
  }
  m.samples = samples_;
  m.triggersArmed = triggers_.size();
  FileRead stat = fs_->readProc("self/stat");
  if (stat.ok()) parseOwnUsage(stat.data, sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE), m.cpuSeconds, m.residentBytes);
  return m;
}

std::string Daemon::reloadFromApi() {
  sd_notify(0, "RELOADING=1");
  reloadError_.clear();
  bool ok = reload(false);
  sd_notify(0, "READY=1");
  return ok ? "" : (reloadError_.empty() ? "the configuration was refused; see the journal" : reloadError_) +
                       " (the last good configuration keeps running)";
}

void Daemon::setDryRunFromApi(bool dryRun) {
  if (config_.dryRun == dryRun) return;
  config_.dryRun = dryRun;
  LOG_NOTICE("dry run turned %s through the D-Bus API%s", dryRun ? "on" : "off",
             dryRun ? ": nothing will be killed until it is turned off or the configuration reloaded" : "");
  updateStatus();
}

void Daemon::updateStatus() {
  if (!engine_) return;
  std::string units = !tracker_ ? "" : tracker_->ready() ? strprintf(", %zu unit(s) followed", tracker_->unitCount()) : ", waiting for systemd";
  if (standingBy_) {
    sd_notify(0, "STATUS=Standing by: the system instance protects this user's session");
    return;
  }
  sd_notifyf(0, "STATUS=%zu ruleset(s), %zu PSI trigger(s), %llu kill(s)%s%s", engine_->rulesets().size(), triggers_.size(), kills_,
             units.c_str(), config_.dryRun ? " (dry run)" : "");
}

void Daemon::killAttempted(const KillReport& report) {
  log_.killAttempted(report);
  const char* outcome = report.dryRun ? "dry_run" : report.ok ? "killed" : "failed";
  ++counted_.kills[{report.ruleset, killMethodLabel(report.method), outcome}];
  if (report.ok && !report.dryRun)
    counted_.timeToDeathSeconds.observe(std::chrono::duration<double>(report.timeToDeath).count());
  if (!report.ok) return;  // reported in the journal; the history lists kills (and dry-run decisions)
  KillRecord k{static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch()).count()),
               report.unit, report.victim, report.ruleset, join(report.reasons, "; "), report.dryRun, report.figures};
  killHistory_.push_back(std::move(k));
  if (killHistory_.size() > kKillHistory) killHistory_.pop_front();
  if (!report.dryRun && api_ && api_->object()) {
    try {
      api_->object()->emitKilled(report.unit, report.victim, report.ruleset, join(report.reasons, "; "));
    } catch (const sdbus::Error& e) {
      LOG_DEBUG("Killed signal not sent: %s", e.getMessage().c_str());
    }
  }
  if (report.ok && !report.dryRun) {
    ++kills_;
    updateStatus();
    auto uid = uidOfCgroup(report.victim);
    if (uid && userSessions_ && config_.desktop.notify) userSessions_->notify(*uid, notificationFor(report));
  }
}

int Daemon::onTimer(sd_event_source* s, uint64_t, void* userdata) {
  countWake(s);
  auto* self = static_cast<Daemon*>(userdata);
  return guarded("sample", [&] {
    self->sample();
    self->scheduleNext();
  });
}

int Daemon::onTrigger(sd_event_source* s, int, uint32_t revents, void* userdata) {
  countWake(s);
  auto* self = static_cast<Daemon*>(userdata);
  return guarded("trigger", [&] {
    if (revents & EPOLLERR) {
      // the cgroup went away: drop this trigger; the idle tick re-arms what exists
      for (auto it = self->triggers_.begin(); it != self->triggers_.end(); ++it)
        if (it->source == s) {
          LOG_DEBUG("trigger on %s gone", it->spec.cgroup.c_str());
          sd_event_source_disable_unref(it->source);
          self->triggers_.erase(it);
          break;
        }
      return;
    }
    TimePoint now = Clock::now();
    bool wasActive = self->policy_->active(now);
    self->policy_->triggerFired(now);
    if (!wasActive) {
      self->sample();
      self->scheduleNext();
      return;
    }
    // Stall where a stall detector is: back from watching to the short interval.
    for (const auto& t : self->triggers_)
      if (t.source == s && !t.spec.wakeOnly && self->watchingOnly_) {
        self->watchingOnly_ = false;
        self->scheduleNext();
      }
  });
}

int Daemon::onSighup(sd_event_source* s, const struct signalfd_siginfo*, void* userdata) {
  countWake(s);
  auto* self = static_cast<Daemon*>(userdata);
  return guarded("reload", [&] {
    sd_notify(0, "RELOADING=1");
    self->reload(false);
    sd_notify(0, "READY=1");
  });
}

int Daemon::onDropInChange(sd_event_source* s, const struct inotify_event*, void* userdata) {
  countWake(s);
  auto* self = static_cast<Daemon*>(userdata);
  return guarded("drop-in reload", [&] { self->reload(false); });
}

bool Daemon::start() {
  if (!event_) {
    LOG_ERROR("cannot create the event loop");
    return false;
  }
  // The killer must not wait for its own pages under the very pressure it is
  // there to relieve (daemon/memory_lock.cpp says which pages, and why).
  lockMemory();
  oomWatch_ = std::make_unique<KernelOomWatch>(
      event_,
      [this](const std::string& cgroup) {
        if (tracker_)
          for (const auto& u : tracker_->units())
            if (u.cgroup == cgroup) return u.name;
        return std::string();
      },
      // The kernel's kills in a user's session reach the user as ours do.
      [this](const std::string& cgroup, const std::string&, uint64_t died) {
        auto uid = uidOfCgroup(cgroup);
        if (uid && userSessions_ && config_.desktop.notify) userSessions_->notify(*uid, notificationForKernelOomKill(died));
      });
  if (!reload(true)) return false;
  killWatch_ = std::make_unique<KillWatch>(event_, fs_->root(), [this] { advanceKills(); });
  // an answer moves a question on at once, as systemd's reply moves a kill
  asker_ = std::make_unique<AskingKiller>(options_.frozenRecordDir, [this] { killWatch_->wake(); });
  asker_->thawLeftovers(*fs_);  // a predecessor that crashed may have left an app frozen
  if (options_.systemd) {
    tracker_ = std::make_unique<UnitTracker>(event_, *options_.systemd, [this] { unitsChanged(); });
    tracker_->watchControlDirs(ownControlDirs(*options_.systemd == BusKind::User));
    if (*options_.systemd == BusKind::System) {
      userSessions_ = std::make_unique<UserSessions>(event_, [this] { unitsChanged(); });
      userSessions_->onAnswer([this](uid_t uid, uint32_t id, const std::string& key) { asker_->answered(uid, id, key); });
    }
    systemdKiller_ = std::make_unique<SystemdKiller>(
        [this](const std::string& cgroup) -> UnitTracker& {
          UnitTracker* user = userSessions_ ? userSessions_->managerOf(cgroup) : nullptr;
          return user ? *user : *tracker_;
        },
        [this] { killWatch_->wake(); }, config_.systemdKillTimeout);
    tracker_->start();
    api_ = std::make_unique<ApiService>(event_, *options_.systemd, static_cast<ApiModel&>(*this));
    api_->start();
    applyDesktopConfig();
    if (*options_.systemd == BusKind::User) {
      systemWatch_ = std::make_unique<SystemInstanceWatch>(event_, getuid(), [this](bool follows) {
        standingBy_ = follows;
        if (follows)
          LOG_NOTICE("the system instance follows this user's manager: standing by (two killers would race over the "
                     "same cgroups); set [Desktop] FollowUserManagers=no in the system instance to use this one");
        else
          LOG_NOTICE("the system instance no longer follows this user's manager: acting again");
        updateStatus();
      });
      systemWatch_->start();
    }
  }
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  // Floating (owned by the loop), named first.
  for (auto [signal, handler, name] : {std::tuple<int, sd_event_signal_handler_t, const char*>{SIGTERM, nullptr, "sigterm"},
                                       {SIGINT, nullptr, "sigint"}, {SIGHUP, onSighup, "sighup-reload"}}) {
    sd_event_source* s = nullptr;
    if (sd_event_add_signal(event_, &s, signal, handler, handler ? this : nullptr) < 0) continue;  // null: exit code 0
    nameSource(s, name);
    sd_event_source_set_floating(s, 1);
    sd_event_source_unref(s);
  }
  sd_event_set_watchdog(event_, true);
  sample();
  scheduleNext();
  sd_notify(0, "READY=1");
  updateStatus();
  return true;
}

int Daemon::run() {
  int r = sd_event_loop(event_);
  sd_notify(0, "STOPPING=1");
  logEvent(LogLevel::Info, message_id::kStopping, "stopping after %llu sample(s) and %llu step(s) of kills in flight between them, %llu kill(s)", samples_, killAdvances_, kills_);
  return r < 0 ? 1 : 0;
}

}  // namespace unitoomd
