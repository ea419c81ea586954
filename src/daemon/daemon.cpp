#include "daemon/daemon.h"

#include <systemd/sd-daemon.h>

#include <cerrno>
#include <cstring>

#include "act/process_kill.h"
#include "daemon/memory_lock.h"
#include "observe/kept_files.h"
#include "observe/psi_trigger.h"
#include "util/log.h"
#include "util/message_ids.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

constexpr Duration kHistoryUnused = std::chrono::minutes(5);

uint64_t realtimeUsec() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
}

}  // namespace

Daemon::Daemon(DaemonOptions options)
    : options_(std::move(options)),
      configSource_(options_),
      apiModel_({[this] { return view(); }, [this] { return reloadFromApi(); }, [this](bool on) { setDryRunFromApi(on); }}),
      unitRulesets_([this] {
        if (api_ && api_->object()) api_->object()->followedUsersChanged();
      }),
      announcer_(api_, userSessions_) {
  privileged_ = haveCapSysResource();
  sd_event_default(&event_);
  triggers_ = std::make_unique<PsiTriggers>(event_, triggerWindowFor(privileged_),
                                            [this](const TriggerSpec& spec) { triggerFired(spec); });
  sampleTimer_ = std::make_unique<OneShotTimer>(event_, "sample-timer", [this] {
    sample();
    scheduleNext();
  });
  unitsTimer_ = std::make_unique<OneShotTimer>(event_, "units-recompile-timer", [this] { unitsChanged(); });
  dropInWatch_ = std::make_unique<DropInWatch>(event_, [this] { reload(false); });
}

Daemon::~Daemon() {
  if (asker_) asker_->thawAll();  // never leave an app frozen behind us
  killWatch_.reset();
  systemdKiller_.reset();
  userSessions_.reset();
  systemWatch_.reset();
  tracker_.reset();
  triggers_.reset();
  dropInWatch_.reset();
  sampleTimer_.reset();
  unitsTimer_.reset();
  if (event_) sd_event_unref(event_);
}

bool Daemon::reload(bool initial) {
  auto loaded = configSource_.load(
      initial, [this](const DaemonConfig& c) { return unitRulesets_.build(c, tracker_.get(), userSessions_.get()); });
  if (!loaded) return false;
  config_ = std::move(loaded->config);
  const std::string& root = loaded->cgroupRoot;
  if (!fs_ || fs_->root() != root) fs_ = std::make_unique<CgroupFs>(root, options_.procRoot);
  if (killWatch_) killWatch_->setCgroupRoot(root);
  if (systemdKiller_) systemdKiller_->setReplyTimeout(config_.systemdKillTimeout);
  Duration linger = std::max<Duration>(2 * triggers_->window(), std::chrono::seconds(2));
  policy_.emplace(config_.sampleInterval, config_.idleInterval, linger);
  applyEngine(std::move(loaded->engine));
  dropInWatch_->watch(config_.rulesetDropInDir);
  applyDesktopConfig();
  std::string dropIns = loaded->dropInsApplied ? strprintf(" + %zu drop-in(s)", loaded->dropInsApplied) : "";
  logEvent(LogLevel::Info, initial ? message_id::kStarted : message_id::kReloaded,
           "%s %zu ruleset(s) from %s%s; cgroup2 at %s; %s PSI triggers (%s window)%s", initial ? "loaded" : "reloaded",
           engine_->rulesets().size(), config_.rulesetFile.empty() ? "no file" : config_.rulesetFile.c_str(), dropIns.c_str(),
           root.c_str(), privileged_ ? "privileged" : "unprivileged", formatDuration(triggers_->window()).c_str(),
           config_.dryRun ? "; dry run: nothing will be killed" : "");
  updateStatus();
  return true;
}

bool Daemon::reloadNotified() {
  sd_notify(0, "RELOADING=1");
  bool ok = reload(false);
  sd_notify(0, "READY=1");
  return ok;
}

void Daemon::applyEngine(std::unique_ptr<Engine> engine, const std::vector<const Ruleset*>& carried) {
  logRulesetChanges(engine_.get(), *engine, carried);
  if (engine_) engine->adoptStateFrom(*engine_);  // leaves engine_ with holes
  engine_ = std::move(engine);
  followTriggers();
  if (oomWatch_) oomWatch_->watch(*fs_, monitoredMemoryCgroups());
}

// Triggers and kept files share the open file limit: the files get what
// the triggers leave.
void Daemon::followTriggers() {
  triggers_->follow(*engine_, *fs_);
  fs_->keptFiles().setBudget(KeptFiles::budgetBeside(triggers_->armed()));
}

std::set<std::string> Daemon::monitoredMemoryCgroups() const {
  return memoryCgroupsShown(*engine_, userSessions_ ? userSessions_->followed() : std::set<uid_t>{});
}

// Units that start in bulk change one after another: see RecompilePacer.
void Daemon::unitsChanged() {
  if (!fs_) return;
  TimePoint now = Clock::now();
  if (auto hold = unitsPacer_.holdUntil(now)) {
    if (!unitsTimer_->pending()) unitsTimer_->at(*hold);  // else already due
    return;
  }
  unitsTimer_->cancel();
  recompileUnits();
  unitsPacer_.compiled(now, Clock::now());
}

void Daemon::recompileUnits() {
  // Unchanged rulesets are taken over, not compiled again (compile()'s
  // carryFrom), and given by name and fingerprint alone, not whole
  // (ir::Ruleset::running).
  RunningRulesets running(engine_.get());
  RunningFingerprint unchanged = [&](const ir::Ruleset& rs) -> uint64_t {
    return configSource_.targetedByDropIn(rs.name) ? 0 : running.unchanged(rs);
  };
  LoadedRules rules =
      configSource_.recompile(unitRulesets_.build(config_, tracker_.get(), userSessions_.get(), unchanged), engine_.get());
  // Not expected (what was given as running runs), but never worth keeping
  // stale rulesets for: the whole text then.
  if (!rules.compiled.engine)
    rules = configSource_.recompile(unitRulesets_.build(config_, tracker_.get(), userSessions_.get()), engine_.get());
  if (!rules.compiled.engine) return;  // keep what runs
  for (const auto& name : rules.shadowed)
    if (unitRulesets_.warnings().first("shadowed " + name))
      LOG_WARN("ruleset '%s' from the config file takes the place of the unit policy of the same name", name.c_str());
  applyEngine(std::move(rules.compiled.engine), rules.compiled.carried);
  updateStatus();
  // Reading and recompiling every unit's ruleset leaves freed heap behind
  // that glibc keeps resident; the daemon's footprint is what is left when
  // it is done.
  giveBackHeap();
}

void Daemon::giveBackHeap() {
  trimHeap(memoryLocked_);
  residentAfterTrim_ = residentBytes();
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
  ctx.unitPreferences = &unitRulesets_.unitPreferences();
  ctx.userPreferences = &unitRulesets_.userPreferences();
  ctx.protectedUnits = &config_.desktop.protectedUnits;
  ctx.reports = this;
  ctx.dryRun = config_.dryRun;
  ctx.stallProofs = &triggers_->proofs();
  ctx.quietTriggers = triggers_.get();
  f(ctx);
}

void Daemon::sample() {
  TimePoint now = Clock::now();
  withContext(now, [&](SampleContext& ctx) {
    if (!standingBy_) engine_->runOnce(ctx);
    triggers_->proofsUsed();  // what a trigger proved counts once
    announcer_.pressure(*engine_);
    bool timing = engine_->timing();
    StallSeen stall = triggers_->stallSeen(ctx);
    // only watching levels: the rules say how soon they could fire (a kill
    // under way is followed by killWatch_, not by samples: Ruleset::quietFor)
    policy_->sampled(now, timing || stall.detector || stall.wakeOnly, !engine_->detectorsTiming() && !stall.detector);
  });
  ledger_.sampled(std::chrono::duration<double>(Clock::now() - now).count());
  followKills();
  if (!policy_->active(now)) {
    if (oomWatch_) oomWatch_->checkIfDue(now);  // a backstop for a missed inotify event
    history_.prune(now, kHistoryUnused);
    if (triggers_->stale(*fs_)) followTriggers();
    // Small freed chunks between live ones keep whole pages resident
    // until trimmed: 1 MiB of 6.3 at 1,000 units, 30 s after taking them in.
    bool first = policy_->firstIdleSample(now);
    if (first || grewSinceTrim(residentBytes(), residentAfterTrim_)) giveBackHeap();
  } else {
    history_.pruneIfDue(now, kHistoryUnused);
  }
}

void Daemon::scheduleNext() {
  TimePoint now = Clock::now();
  std::optional<Duration> quiet = policy_->watchingOnly() ? std::optional(engine_->quietFor()) : std::nullopt;
  std::optional<Duration> plannedWithin = standingBy_ ? std::nullopt : engine_->sampleWithin();
  std::optional<TimePoint> decidesAt = standingBy_ ? std::nullopt : engine_->decidesAt();
  SamplerPolicy::Next next = policy_->next(now, quiet, plannedWithin, decidesAt);
  sampleTimer_->at(next.at, next.precise ? 1000 : 1000000);
}

// A trigger wakes a sleeping daemon at once; when awake, stall where a stall
// detector is brings it back from watching to the short interval.
void Daemon::triggerFired(const TriggerSpec& spec) {
  TimePoint now = Clock::now();
  bool wasActive = policy_->active(now);
  LOG_DEBUG("woken at %.3f by the %s trigger on %s (%s)", std::chrono::duration<double>(now.time_since_epoch()).count(), resourceName(spec.resource),
            spec.cgroup.c_str(), wasActive ? "active" : "idle");
  policy_->triggerFired(now);
  if (!wasActive) {
    sample();
    scheduleNext();
  } else if (!spec.wakeOnly && policy_->stopWatching()) {
    scheduleNext();
  }
}

// A kill in flight moved (its victim's cgroup.events changed, systemd
// answered, a deadline passed): its next step, and nothing else.
void Daemon::advanceKills() {
  if (!engine_ || !engine_->actionPending()) {
    followKills();
    return;
  }
  ledger_.killStepped();
  withContext(Clock::now(), [&](SampleContext& ctx) { engine_->resumePendingActions(ctx); });
  announcer_.pressure(*engine_);
  followKills();
}

void Daemon::followKills() {
  if (!killWatch_) return;
  killWatch_->follow(planKillWait(engine_ ? engine_->killsInFlight() : std::vector<const KillOperation*>{}, Clock::now()));
}

void Daemon::killAttempted(const KillReport& report) {
  log_.killAttempted(report);
  if (!ledger_.killAttempted(report, realtimeUsec())) return;
  announcer_.killed(report, config_.desktop.notify);
  updateStatus();
}

void Daemon::applyDesktopConfig() {
  if (!api_) return;
  using Mode = ApiService::LowMemoryMonitorMode;
  auto m = config_.desktop.lowMemoryMonitor;
  api_->setLowMemoryMonitor(m == DesktopConfig::Lmm::Yes ? Mode::Yes : m == DesktopConfig::Lmm::No ? Mode::No : Mode::Auto);
}

DaemonView Daemon::view() const {
  DaemonView v(*engine_, *fs_, ledger_);
  v.asker = asker_.get();
  v.dryRun = config_.dryRun;
  v.standingBy = standingBy_;
  v.bus = options_.systemd;
  v.memoryCgroups = monitoredMemoryCgroups();
  v.followedUsers = unitRulesets_.followedUsers();
  v.kernelOomKills = oomWatch_ ? oomWatch_->killsSeen() : 0;
  if (tracker_) v.unitsFollowed = tracker_->ready() ? static_cast<int64_t>(tracker_->unitCount()) : 0;
  v.triggersArmed = triggers_->armed();
  return v;
}

std::string Daemon::reloadFromApi() {
  bool ok = reloadNotified();
  const std::string& why = configSource_.lastError();
  return ok ? ""
            : (why.empty() ? "the configuration was refused; see the journal" : why) +
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
  StatusFacts f{engine_->rulesets().size(), triggers_->armed(), ledger_.kills(), config_.dryRun, standingBy_};
  if (tracker_) f.unitsFollowed = tracker_->ready() ? static_cast<int64_t>(tracker_->unitCount()) : -1;
  sd_notifyf(0, "STATUS=%s", statusLine(f).c_str());
}

// --user: two killers would race over the same cgroups.
void Daemon::standBy(bool systemInstanceFollows) {
  standingBy_ = systemInstanceFollows;
  if (standingBy_)
    LOG_NOTICE(
        "the system instance follows this user's manager: standing by (two killers would race over the "
        "same cgroups); set [Desktop] FollowUserManagers=no in the system instance to use this one");
  else LOG_NOTICE("the system instance no longer follows this user's manager: acting again");
  updateStatus();
}

bool Daemon::start() {
  if (!event_) {
    LOG_ERROR("cannot create the event loop");
    return false;
  }
  // The killer must not wait for its own pages under the very pressure it is
  // there to relieve (daemon/memory_lock.cpp says which pages, and why).
  memoryLocked_ = lockMemory();
  if (!refuseHugePages()) LOG_DEBUG("cannot turn transparent huge pages off: %s", strerror(errno));
  oomWatch_ = std::make_unique<KernelOomWatch>(
      event_,
      [this](const std::string& cgroup) {
        if (tracker_)
          for (const auto& u : tracker_->units())
            if (u.cgroup == cgroup) return u.name;
        return std::string();
      },
      [this](const std::string& cgroup, const std::string&, uint64_t died) {
        announcer_.kernelKilled(cgroup, died, config_.desktop.notify);
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
    api_ = std::make_unique<ApiService>(event_, *options_.systemd, apiModel_);
    api_->start();
    applyDesktopConfig();
    if (*options_.systemd == BusKind::User) {
      systemWatch_ = std::make_unique<SystemInstanceWatch>(event_, getuid(), [this](bool follows) { standBy(follows); });
      systemWatch_->start();
    }
  }
  signals_ = std::make_unique<Signals>(event_, [this] { reloadNotified(); });
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
  logEvent(LogLevel::Info, message_id::kStopping,
           "stopping after %llu sample(s) and %llu step(s) of kills in flight between them, %llu kill(s)",
           static_cast<unsigned long long>(ledger_.samples()), static_cast<unsigned long long>(ledger_.killSteps()),
           static_cast<unsigned long long>(ledger_.kills()));
  return r < 0 ? 1 : 0;
}

}  // namespace unitoomd
