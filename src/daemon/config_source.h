// Where the daemon's configuration comes from and what it compiles to:
// unitoomd.conf with the command line's overrides, the cgroup2 mount, the
// JSON ruleset file and its drop-ins, compiled with the rulesets
// synthesized from units. A reload that fails keeps the last good files
// (and the caller its engine); the first reason is kept for the API's
// Reload. Errors are logged here, with file and line.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/daemon_config.h"
#include "config/ruleset_loader.h"
#include "engine/engine.h"
#include "util/log.h"

namespace unitoomd {

// What the command line says, over unitoomd.conf.
struct ConfigOverrides {
  ConfigPaths configPaths;
  bool configMayBeMissing = true;
  std::optional<bool> dryRun;              // --dry-run
  std::optional<std::string> rulesetFile;  // --rulesets
  std::optional<std::string> cgroupRoot;   // --cgroup-root
};

struct Loaded {
  DaemonConfig config;
  std::string cgroupRoot;  // found when neither the config nor the command line says
  std::unique_ptr<Engine> engine;
  size_t dropInsApplied = 0;
};

class ConfigSource {
 public:
  explicit ConfigSource(ConfigOverrides overrides) : overrides_(std::move(overrides)) {}

  // The rulesets synthesized from units, under the configuration being loaded
  // (they take their defaults from its [OOM] section).
  using UnitRulesets = std::function<std::vector<ir::Ruleset>(const DaemonConfig&)>;
  // nullopt: unusable (see lastError); `initial`: at start, nothing to keep.
  std::optional<Loaded> load(bool initial, const UnitRulesets& units);
  // The last good files with new unit rulesets: a unit change is not a
  // config reload. Null if they do not compile (logged). `running`: the
  // engine running now, whose unchanged rulesets are taken over (compile()).
  LoadedRules recompile(std::vector<ir::Ruleset> units, Engine* running = nullptr) const;
  // A drop-in of the last good files targets the ruleset of that name (it
  // is then given whole: a drop-in is merged with its target's text).
  bool targetedByDropIn(std::string_view name) const;
  // Why the last load failed ("" if it did not, or said nothing).
  const std::string& lastError() const { return error_; }

 private:
  std::optional<DaemonConfig> readConfig();

  ConfigOverrides overrides_;
  RulesSource rules_;  // the last good config rulesets, as parsed
  std::string error_;
};

void logDiagnostics(const Diagnostics& diags, LogLevel level);
// Rulesets that come and go with units are worth a line each in the journal.
// `carried`: rulesets of `after` taken over from `before` (CompileOutput),
// whose slots there are empty now.
void logRulesetChanges(const Engine* before, const Engine& after, const std::vector<const Ruleset*>& carried = {});

}  // namespace unitoomd
