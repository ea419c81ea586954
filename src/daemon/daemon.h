// The daemon: the wiring of its parts around one sd-event loop. Each part
// has one job (README, "Data flow"): ConfigSource and DropInWatch reload,
// UnitRulesets and RecompilePacer follow systemd's units, PsiTriggers
// (planned by trigger_plan) and SamplerPolicy say when to sample, the
// engine decides, KillWatch follows kills in flight, Ledger counts,
// Announcer tells (warnings, kills), DaemonApi shows it all on D-Bus.
#pragma once

#include <systemd/sd-event.h>

#include <memory>
#include <optional>
#include <set>
#include <string>

#include "act/cgroup_killer.h"
#include "api/api_service.h"
#include "daemon/announcer.h"
#include "daemon/api_model.h"
#include "daemon/config_source.h"
#include "daemon/drop_in_watch.h"
#include "daemon/kernel_oom_watch.h"
#include "daemon/kill_watch.h"
#include "daemon/ledger.h"
#include "daemon/oneshot_timer.h"
#include "daemon/psi_triggers.h"
#include "daemon/recompile_pacer.h"
#include "daemon/sampler_policy.h"
#include "daemon/signals.h"
#include "daemon/status_line.h"
#include "daemon/unit_rulesets.h"
#include "desktop/asking_killer.h"
#include "desktop/system_instance_watch.h"
#include "desktop/user_sessions.h"
#include "engine/engine.h"
#include "engine/history.h"
#include "engine/report.h"
#include "observe/cgroup_fs.h"
#include "systemd/systemd_killer.h"
#include "systemd/unit_tracker.h"

namespace unitoomd {

struct DaemonOptions : ConfigOverrides {
  std::string procRoot = "/proc";
  // Which systemd to follow (unit policies, kills through it); none: standalone.
  std::optional<BusKind> systemd = BusKind::System;
  // Where freezes in flight are recorded ([Desktop] AskBeforeKill=).
  std::string frozenRecordDir = "/run/unitoomd/frozen";
};

class Daemon : private ReportSink {
 public:
  explicit Daemon(DaemonOptions options);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Loads config and rules; false (with errors logged) if they are unusable.
  bool start();
  int run();  // the event loop; returns the exit code

  // Statistics for benchmarks and tests.
  unsigned long long samples() const { return ledger_.samples(); }

 private:
  bool reload(bool initial);
  bool reloadNotified();  // SIGHUP, the API: systemd hears RELOADING=1 ... READY=1
  // `carried`: its rulesets taken over from the running engine (CompileOutput).
  void applyEngine(std::unique_ptr<Engine> engine, const std::vector<const Ruleset*>& carried = {});
  void unitsChanged();
  void recompileUnits();
  void giveBackHeap();  // trimHeap, then what stays resident
  void sample();
  void scheduleNext();
  void triggerFired(const TriggerSpec& spec);
  void withContext(TimePoint now, const std::function<void(SampleContext&)>& f);
  void advanceKills();
  void followKills();
  void updateStatus();
  void killAttempted(const KillReport& report) override;
  void applyDesktopConfig();
  void standBy(bool systemInstanceFollows);
  void followTriggers();
  std::set<std::string> monitoredMemoryCgroups() const;
  // what the D-Bus API shows (DaemonApi) and may change
  DaemonView view() const;
  std::string reloadFromApi();
  void setDryRunFromApi(bool dryRun);

  DaemonOptions options_;
  ConfigSource configSource_;
  DaemonConfig config_;
  std::unique_ptr<CgroupFs> fs_;
  // Before the engine: its kill operations may hold a question of the asker's.
  std::unique_ptr<AskingKiller> asker_;
  History history_;
  std::unique_ptr<Engine> engine_;
  CgroupKiller killer_;
  std::unique_ptr<UnitTracker> tracker_;
  std::unique_ptr<SystemdKiller> systemdKiller_;
  std::unique_ptr<KillWatch> killWatch_;  // waits on the victims of kills in flight
  DaemonApi apiModel_;                    // before api_, which holds it
  std::unique_ptr<ApiService> api_;
  std::unique_ptr<UserSessions> userSessions_;  // the system instance's view into users' sessions
  UnitRulesets unitRulesets_;
  RecompilePacer unitsPacer_;
  std::unique_ptr<SystemInstanceWatch> systemWatch_;  // --user: does the system instance protect us?
  bool standingBy_ = false;
  std::unique_ptr<KernelOomWatch> oomWatch_;
  Ledger ledger_;
  Announcer announcer_;
  LogReportSink log_;
  std::optional<SamplerPolicy> policy_;
  bool privileged_ = false;
  int memoryLocked_ = 0;  // lockMemory()'s flags, for trimHeap
  std::optional<uint64_t> residentAfterTrim_;

  sd_event* event_ = nullptr;
  std::unique_ptr<PsiTriggers> triggers_;
  std::unique_ptr<OneShotTimer> sampleTimer_;
  std::unique_ptr<OneShotTimer> unitsTimer_;  // a unit recompile held back (RecompilePacer)
  std::unique_ptr<DropInWatch> dropInWatch_;
  std::unique_ptr<Signals> signals_;
};

}  // namespace unitoomd
