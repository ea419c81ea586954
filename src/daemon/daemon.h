// The edge where time and I/O happen: the sd-event loop, PSI trigger fds,
// the sample timer, signals (SIGHUP reloads, SIGTERM/SIGINT stop), the
// drop-in directory watch and sd_notify. Everything it decides with lives
// in the engine and SamplerPolicy.
#pragma once

#include <systemd/sd-event.h>

#include <deque>
#include <functional>
#include <memory>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "act/cgroup_killer.h"
#include "api/api_service.h"
#include "config/ruleset_loader.h"
#include "config/daemon_config.h"
#include "daemon/kernel_oom_watch.h"
#include "daemon/kill_watch.h"
#include "daemon/sampler_policy.h"
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

struct DaemonOptions {
  ConfigPaths configPaths;
  bool configMayBeMissing = true;
  std::optional<bool> dryRun;              // --dry-run overrides the config
  std::optional<std::string> rulesetFile;  // --rulesets overrides the config
  std::optional<std::string> cgroupRoot;   // --cgroup-root overrides the config
  std::string procRoot = "/proc";
  // Which systemd to follow (unit policies, kills through it); none: standalone.
  std::optional<BusKind> systemd = BusKind::System;
  // Where freezes in flight are recorded ([Desktop] AskBeforeKill=).
  std::string frozenRecordDir = "/run/unitoomd/frozen";
};

class Daemon : private ReportSink, private ApiModel {
 public:
  explicit Daemon(DaemonOptions options);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Loads config and rules; false (with errors logged) if they are unusable.
  bool start();
  int run();  // the event loop; returns the exit code

  // Statistics for benchmarks and tests.
  unsigned long long samples() const { return samples_; }

 private:
  struct Trigger {
    TriggerSpec spec;
    UniqueFd fd;
    sd_event_source* source = nullptr;
    uint64_t inode = 0;
  };
  using TriggerKey = std::pair<std::string, Resource>;  // at most one trigger each
  bool sameCgroup(const Trigger& t) const;  // its cgroup is still the one it was armed on
  Duration windowOf(const TriggerSpec& spec) const;
  // Stall at or above a trigger's wake threshold, by kind of trigger.
  struct StallSeen {
    bool detector = false;  // where a stall detector is
    bool wakeOnly = false;  // the system-wide wake of groups without one
  };

  bool loadConfig(DaemonConfig& out);
  bool reload(bool initial);
  void applyEngine(std::unique_ptr<Engine> engine);
  std::vector<ir::Ruleset> unitRulesets();
  void unitsChanged();
  void recompileUnits();
  void logRulesetChanges(const Engine* before, const Engine& after);
  void armTriggers();
  void disarmTriggers();
  bool triggersStale() const;
  void watchDropInDir();
  void sample();
  void scheduleNext();
  void withContext(TimePoint now, const std::function<void(SampleContext&)>& f);
  void advanceKills();
  void followKills();
  StallSeen stallPersists(SampleContext& ctx);
  void updateStatus();
  void killAttempted(const KillReport& report) override;
  void warnOfPressure();
  void tellUsersOfPressure(const Ruleset& ruleset, const std::string& reason, double secondsLeft);
  void applyDesktopConfig();
  std::set<std::string> monitoredMemoryCgroups() const;

  // ApiModel: what the D-Bus API shows and may change
  Snapshot snapshot(bool readPressure) override;
  Metrics metrics() override;
  std::string reloadFromApi() override;
  void setDryRunFromApi(bool dryRun) override;

  static int onTimer(sd_event_source* s, uint64_t usec, void* userdata);
  static int onUnitsTimer(sd_event_source* s, uint64_t usec, void* userdata);
  static int onTrigger(sd_event_source* s, int fd, uint32_t revents, void* userdata);
  static int onSighup(sd_event_source* s, const struct signalfd_siginfo* si, void* userdata);
  static int onDropInChange(sd_event_source* s, const struct inotify_event* ev, void* userdata);

  DaemonOptions options_;
  DaemonConfig config_;
  std::unique_ptr<CgroupFs> fs_;
  // Before the engine: its kill operations may hold a question of the asker's.
  std::unique_ptr<AskingKiller> asker_;
  History history_;
  std::unique_ptr<Engine> engine_;
  CgroupKiller killer_;
  RulesSource rulesSource_;  // the last good config rulesets, as parsed
  std::unique_ptr<UnitTracker> tracker_;
  std::unique_ptr<SystemdKiller> systemdKiller_;
  std::unique_ptr<KillWatch> killWatch_;  // waits on the victims of kills in flight
  std::unique_ptr<ApiService> api_;
  std::unique_ptr<UserSessions> userSessions_;  // the system instance's view into users' sessions
  std::set<uid_t> followedUsers_;               // as last published (FollowedUsers)
  std::unique_ptr<SystemInstanceWatch> systemWatch_;  // --user: does the system instance protect us?
  bool standingBy_ = false;
  std::unique_ptr<KernelOomWatch> oomWatch_;
  std::deque<KillRecord> killHistory_;
  std::set<std::string> warnedRulesets_;  // timing towards a kill, PressureWarning sent
  std::set<std::string> killingRulesets_;  // a kill in flight, critical LowMemoryWarning sent
  std::string reloadError_;               // why the last reload was refused
  std::map<std::string, Preference> unitPreferences_;
  std::map<std::string, Preference> userPreferences_;  // said by users' own managers
  static constexpr size_t kMaxRememberedWarnings = 1000;
  std::set<std::string> saidPolicyWarnings_;
  LogReportSink log_;
  std::optional<SamplerPolicy> policy_;
  std::vector<Trigger> triggers_;
  std::vector<TriggerSpec> plannedTriggers_;
  bool privileged_ = false;
  Duration triggerWindow_{};

  sd_event* event_ = nullptr;
  sd_event_source* timer_ = nullptr;
  sd_event_source* unitsTimer_ = nullptr;  // a unit recompile held back (see unitsChanged)
  static constexpr int kUnitsCompileSpacing = 4;
  TimePoint unitsCompiledAt_{};
  Duration unitsCompileCost_{0};
  sd_event_source* dropInWatch_ = nullptr;
  std::string watchedDropInDir_;
  TimePoint lastSample_{};
  bool watchingOnly_ = false;  // active only for level rules (SamplerPolicy: watching)
  TimePoint lastResync_{};
  unsigned long long samples_ = 0;
  unsigned long long kills_ = 0;
  unsigned long long killAdvances_ = 0;  // steps of kills in flight, between samples
  Metrics counted_;  // what accumulates (kills, sample and kill times); metrics() adds the rest
};

}  // namespace unitoomd
