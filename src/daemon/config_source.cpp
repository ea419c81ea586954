#include "daemon/config_source.h"

#include <string_view>
#include <unordered_set>

#include "observe/cgroup_fs.h"
#include "util/message_ids.h"

namespace unitoomd {

void logDiagnostics(const Diagnostics& diags, LogLevel level) {
  for (const auto& d : diags)
    logStructured(level, d.str(),
                  {{"MESSAGE_ID", message_id::kConfigError}, {"CONFIG_FILE", d.file}, {"CONFIG_LINE", std::to_string(d.line)}});
}

std::optional<DaemonConfig> ConfigSource::readConfig() {
  Diagnostics diags;
  DaemonConfig c = loadDaemonConfig(overrides_.configPaths, overrides_.configMayBeMissing, diags);
  if (overrides_.dryRun) c.dryRun = *overrides_.dryRun;
  if (overrides_.rulesetFile) c.rulesetFile = *overrides_.rulesetFile;
  if (overrides_.cgroupRoot) c.cgroupRoot = *overrides_.cgroupRoot;
  if (!diags.empty()) {
    logDiagnostics(diags, LogLevel::Error);
    error_ = diags.front().str();
    return std::nullopt;
  }
  return c;
}

std::optional<Loaded> ConfigSource::load(bool initial, const UnitRulesets& units) {
  error_.clear();
  std::optional<DaemonConfig> c = readConfig();
  if (!c) {
    if (!initial) logEvent(LogLevel::Error, message_id::kConfigError, "configuration not reloaded: keeping the last good one");
    return std::nullopt;
  }
  std::string root = c->cgroupRoot;
  if (root.empty()) {
    auto detected = CgroupFs::detectRoot();
    if (!detected) {
      LOG_ERROR("no cgroup2 hierarchy found (looked at /sys/fs/cgroup and /sys/fs/cgroup/unified)");
      return std::nullopt;
    }
    root = *detected;
  }
  RulesSource source = readRules(c->rulesetFile, c->rulesetDropInDir);
  LoadedRules rules = compileRules(source, units(*c));
  if (!rules.compiled.engine) {
    logDiagnostics(rules.compiled.errors, LogLevel::Error);
    if (!rules.compiled.errors.empty()) error_ = rules.compiled.errors.front().str();
    if (!initial) logEvent(LogLevel::Error, message_id::kConfigError, "rulesets not reloaded: keeping the last good ones");
    return std::nullopt;
  }
  if (!rules.compiled.errors.empty()) {
    logDiagnostics(rules.compiled.errors, LogLevel::Warning);
    for (const auto& f : rules.compiled.skippedDropIns) LOG_WARN("drop-in %s skipped", f.c_str());
  }
  rules_ = std::move(source);
  return Loaded{std::move(*c), std::move(root), std::move(rules.compiled.engine), rules.dropInsApplied.size()};
}

LoadedRules ConfigSource::recompile(std::vector<ir::Ruleset> units, Engine* running) const {
  LoadedRules rules = compileRules(rules_, std::move(units), running);
  // Only a synthesized ruleset can be new here, and they are built to
  // compile: say so loudly and keep what runs.
  if (!rules.compiled.engine) logDiagnostics(rules.compiled.errors, LogLevel::Error);
  return rules;
}

bool ConfigSource::targetedByDropIn(std::string_view name) const {
  for (const auto& file : rules_.dropIns)
    for (const auto& rs : file.root.rulesets)
      if (rs.name == name) return true;
  return false;
}

void logRulesetChanges(const Engine* before, const Engine& after, const std::vector<const Ruleset*>& carried) {
  if (!before) return;
  // views of names both engines hold while this runs: 10,000 unit rulesets'
  // names are not copied to be compared
  std::unordered_set<std::string_view> was, now;
  was.reserve(before->rulesets().size() + carried.size());
  now.reserve(after.rulesets().size());
  for (const auto& r : before->rulesets())
    if (r) was.insert(r->name);
  for (const Ruleset* r : carried) was.insert(r->name);
  for (const auto& r : after.rulesets()) {
    now.insert(r->name);
    if (!was.count(r->name)) LOG_INFO("ruleset '%s' added (%s): %s", r->name.c_str(), r->origin.c_str(), r->description.c_str());
  }
  for (const auto& r : before->rulesets())
    if (r && !now.count(r->name)) LOG_INFO("ruleset '%s' removed (%s)", r->name.c_str(), r->origin.c_str());
}

}  // namespace unitoomd
