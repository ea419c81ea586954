// One sample's view of the system. Every value is read lazily, at most once
// per sample, and only if a rule asks for it; histories that need every
// sample (stall windows, counters) live in History and are fed as values are
// read. The clock is the caller's: `now` is given, never read.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/history.h"
#include "engine/quiet_trigger.h"
#include "observe/cgroup_fs.h"
#include "observe/parsers.h"
#include "policy/cgroup_preference.h"
#include "util/time.h"

namespace unitoomd {

class Killer;
class ReportSink;

template <typename T>
class Lazy {
 public:
  template <typename F>
  const std::optional<T>& get(F&& load) {
    if (!loaded_) {
      value_ = load();
      loaded_ = true;
    }
    return value_;
  }

 private:
  bool loaded_ = false;
  std::optional<T> value_;
};

struct CounterRates {
  double pgscanPerSec = 0;
  double pgstealPerSec = 0;
  double refaultsPerSec = 0;
  Duration span{};
};

class SampleContext;

class CgroupView {
 public:
  // `dir`: the cgroup already open; else it is opened when a read needs it
  // (most reads go through files kept open by inode: observe/kept_files.h).
  // `path` outlives the view (the sample's key for it: no copy a cgroup).
  CgroupView(SampleContext& ctx, const std::string& path, uint64_t inode, std::shared_ptr<CgroupDir> dir = nullptr);

  const std::string& path() const { return path_; }
  uint64_t inode() const { return inode_; }
  // The directory, opened on first need; null once the cgroup is gone (or
  // its name now belongs to another).
  const CgroupDir* dir();
  bool isRoot() const { return path() == "/"; }
  // Removed: a read said so (ENODEV, or a file vanished with its directory)
  // or the directory no longer resolves names. Once gone, gone for the sample.
  bool gone();

  const Psi* pressure(Resource r);
  // Stall percent over `window` from `total` deltas; avg10 until the history
  // covers a window (then *usedAvg10 is set).
  std::optional<double> stall(Resource r, StallKind kind, Duration window, bool* usedAvg10 = nullptr);

  std::optional<uint64_t> memoryCurrent();
  const FlatKeyed* memoryStat();
  std::optional<uint64_t> memoryStatField(std::string_view key);
  std::optional<uint64_t> swapCurrent();
  std::optional<uint64_t> memoryMin();
  std::optional<uint64_t> memoryMax();  // UINT64_MAX: no limit ("max", and the root)
  std::optional<uint64_t> memoryLow();
  std::optional<bool> oomGroup();
  std::optional<bool> populated();
  std::optional<uint64_t> nrDyingDescendants();
  const std::vector<int>* procs();
  std::vector<std::string> childPaths();
  // Owner of the directory; nullopt once gone.
  std::optional<uint32_t> ownerUid();
  bool hasXattr(const std::string& name);
  // policy/cgroup_preference.h over what this sample reads. `withUserClaims`:
  // also what a user's manager says of it (see policy/untrusted_units.h:
  // userClaimsCountFor).
  Preference preference(bool withUserClaims = false);
  // The protected cgroup ([Desktop] ProtectedUnits=) this one is, is inside,
  // or contains (a few levels down); empty when none. Such a cgroup is never
  // killed: killing it would take the protected one with it.
  std::string protectedBy();

  // Reclaim counters (memory.stat; /proc/vmstat for the root). Recorded into
  // the history when read, so rates come from consecutive samples.
  std::optional<CounterPoint> counters();
  std::optional<CounterRates> counterRates(Duration window);
  // memory.current over its decaying average (> 1 means growing).
  std::optional<double> growthRatio();
  // The change of memory.current plus memory.swap.current, in bytes per
  // second over the last seconds of samples (engine/trend.h); nullopt until
  // a few samples have seen it.
  std::optional<double> growthBytesPerSecond();
  // memory.current minus what memory.min/low protect.
  std::optional<uint64_t> effectiveUsage();

 private:
  FileRead read(const char* name);
  // Small files (pressure, single numbers) through a file kept open.
  SmallRead readSmall(const char* name, std::span<char> buf);
  std::optional<uint64_t> readNumber(const char* name);
  void unparsable(const char* name);

  bool goneSeen_ = false;

  SampleContext& ctx_;
  const std::string& path_;
  uint64_t inode_;
  std::shared_ptr<CgroupDir> dir_;
  bool dirTried_ = false;
  Lazy<Psi> pressure_[2];
  Lazy<uint64_t> current_, swap_, min_, max_, low_, dying_;
  Lazy<FlatKeyed> stat_, events_;
  Lazy<bool> oomGroup_;
  Lazy<std::vector<int>> procs_;
  Lazy<CounterPoint> counters_;
  Lazy<double> growth_, growthRate_;
  std::optional<Preference> preference_, preferenceWithClaims_;
  std::optional<std::string> protectedBy_;
};

// Engine-side context of the ruleset whose actions are running: what fired
// and why, for the kill report.
struct ActionContext {
  std::string ruleset;
  std::string description;
  std::string origin;
  std::string group;
  std::vector<std::string> findings;
  std::optional<Duration> postActionDelayOverride;
};

unsigned onlineCpus();  // read once per process

class SampleContext {
 public:
  SampleContext(const CgroupFs& fs, History& history, TimePoint now);

  TimePoint now() const { return now_; }
  const CgroupFs& fs() const { return fs_; }
  History& history() { return history_; }

  CgroupView* cgroup(const std::string& path);  // null when it does not exist
  std::vector<CgroupView*> resolve(const std::vector<std::string>& patterns);
  std::vector<CgroupView*> resolveOne(const std::string& pattern);

  const FlatKeyed* meminfo();
  std::optional<SwapInfo> swaps();
  const FlatKeyed* vmstat();
  const Psi* systemPressure(Resource r);

  // Logged once per daemon lifetime per (what, who): "memory.stat is not
  // offered here; memory_reclaim falls back to PSI".
  void noteUnavailable(const std::string& what, const std::string& consequence);
  // A file that should read did not (EIO, ENOMEM, ...; errnum 0: it read as
  // garbage or cut short): what needs it is unknown this sample, and no rule
  // fires or ranks on a made-up value. Logged once per (file, cgroup inode,
  // errnum), not at every sample. `file` as shown: "/a.slice/memory.current".
  void noteReadFailure(const std::string& file, uint64_t inode, int errnum);

  // Detectors say why they fired; the engine hands the firing group's
  // findings to the actions (and so to the kill report).
  void addFinding(std::string text) { findings_.push_back(std::move(text)); }
  std::vector<std::string> takeFindings() { return std::exchange(findings_, {}); }

  ActionContext& action() { return action_; }

  // Set by the daemon; kill plugins use them.
  Killer* killer = nullptr;
  ReportSink* reports = nullptr;
  bool dryRun = false;
  // ManagedOOMPreference= of units, by cgroup path (set when following systemd).
  const std::map<std::string, Preference>* unitPreferences = nullptr;
  // ManagedOOMPreference= of units read from users' own managers: they
  // count only where the caller says so.
  const std::map<std::string, Preference>* userPreferences = nullptr;
  // Cgroup names never killed ([Desktop] ProtectedUnits=).
  const std::vector<std::string>* protectedUnits = nullptr;
  // Cgroups (paths) not killed for now, and why: apps a user chose to keep
  // running when asked ([Desktop] AskBeforeKill=).
  const std::map<std::string, std::string>* spared = nullptr;
  // PSI triggers that fired since the previous sample.
  const std::vector<StallProof>* stallProofs = nullptr;
  const StallProof* stallProof(const std::string& cgroup, Resource r) const {
    if (stallProofs)
      for (const auto& p : *stallProofs)
        if (p.cgroup == cgroup && p.resource == r) return &p;
    return nullptr;
  }
  // The armed PSI triggers that have not fired: bounds on their cgroups'
  // stall without a read (engine/quiet_trigger.h). Null: none known.
  const QuietTriggers* quietTriggers = nullptr;
  std::optional<QuietTrigger> quietTrigger(const std::string& cgroup, Resource r) const {
    return quietTriggers ? quietTriggers->quiet(cgroup, r) : std::nullopt;
  }
  // Online CPUs: PSI's per-CPU weighting makes bounds depend on it.
  unsigned cpus = onlineCpus();

 private:
  template <typename Parse>
  auto readProcParsed(const char* relative, Parse parse) -> decltype(parse(std::string_view()));

  const CgroupFs& fs_;
  History& history_;
  TimePoint now_;
  std::map<std::string, std::unique_ptr<CgroupView>> views_;
  std::map<std::string, std::vector<CgroupEntry>> globs_;
  Lazy<FlatKeyed> meminfo_, vmstat_;
  Lazy<SwapInfo> swaps_;
  Lazy<Psi> sysPressure_[2];
  std::vector<std::string> findings_;
  ActionContext action_;
};

}  // namespace unitoomd
