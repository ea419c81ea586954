#include "engine/compiler.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "util/parse.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

std::unique_ptr<Plugin> compilePlugin(const ir::PluginCall& call, const PluginRegistry& plugins, Diagnostics& diags,
                                      PatternPool& shared) {
  const PluginInfo* info = plugins.find(call.name);
  if (!info) {
    diags.push_back({call.where.file, call.where.line, "unknown plugin '" + call.name + "'"});
    return nullptr;
  }
  PluginArgs args(call, diags, &shared);
  auto plugin = info->make(args);
  args.finish();
  if (!args.ok() || !plugin) return nullptr;
  plugin->setName(info->name);
  return plugin;
}

void describeCall(const ir::PluginCall& call, std::string& out) {
  out += call.name + "{";
  for (const auto& [k, v] : call.args) out += k + "=" + v + ";";  // std::map: sorted, so stable
  out += "}";
}

// The rulesets of the running engine by fingerprint, to be taken over by
// name and fingerprint both (a drop-in's copy shares its base's name).
class Carry {
 public:
  explicit Carry(Engine* from) {
    if (!from) return;
    for (auto& r : from->rulesetSlots())
      if (r && r->fingerprint != 0) byFingerprint_.emplace(r->fingerprint, &r);
  }
  // Takes the running ruleset `rs` compiles to, if any, off the list: the
  // caller moves it once the new engine is sure to be made.
  std::unique_ptr<Ruleset>* take(const ir::Ruleset& rs, uint64_t fp) {
    auto [begin, end] = byFingerprint_.equal_range(fp);
    for (auto it = begin; it != end; ++it)
      if ((*it->second)->name == rs.name) {
        auto* slot = it->second;
        byFingerprint_.erase(it);
        return slot;
      }
    return nullptr;
  }

 private:
  std::unordered_multimap<uint64_t, std::unique_ptr<Ruleset>*> byFingerprint_;
};

}  // namespace

RunningRulesets::RunningRulesets(const Engine* engine) {
  if (!engine) return;
  for (const auto& r : engine->rulesets())
    if (r && r->fingerprint != 0) byName_.emplace(r->name, r->fingerprint);
}

uint64_t RunningRulesets::unchanged(const ir::Ruleset& rs) const {
  auto [begin, end] = byName_.equal_range(rs.name);
  if (begin == end) return 0;
  uint64_t fp = fingerprint(rs);
  for (auto it = begin; it != end; ++it)
    if (it->second == fp) return fp;
  return 0;
}

uint64_t fingerprint(const ir::Ruleset& rs) {
  std::string out = rs.name + "\n" + rs.description + "\n" + rs.origin + "\n" + rs.postActionDelay.value_or("-") + "\n" +
                    rs.silenceLogs + "\n";
  for (const auto& g : rs.detectors) {
    out += "[" + g.name + ":";
    for (const auto& c : g.detectors) describeCall(c, out);
    out += "]";
  }
  out += "\n";
  for (const auto& c : rs.actions) describeCall(c, out);
  uint64_t hash = 14695981039346656037ull;  // FNV-1a
  for (unsigned char ch : out) hash = (hash ^ ch) * 1099511628211ull;
  return hash;
}

std::unique_ptr<Ruleset> compileRuleset(const ir::Ruleset& rs, const PluginRegistry& plugins, Diagnostics& diags) {
  size_t before = diags.size();
  auto out = std::make_unique<Ruleset>();
  out->name = rs.name;
  out->description = rs.description.empty() ? rs.name : rs.description;
  out->origin = rs.origin;
  out->fingerprint = fingerprint(rs);
  if (rs.name.empty()) diags.push_back({rs.where.file, rs.where.line, "ruleset has no name"});
  if (rs.detectors.empty()) diags.push_back({rs.where.file, rs.where.line, "ruleset '" + rs.name + "' has no detector groups"});
  if (rs.actions.empty()) diags.push_back({rs.where.file, rs.where.line, "ruleset '" + rs.name + "' has no actions"});
  if (rs.postActionDelay) {
    auto d = parseDuration(*rs.postActionDelay);
    if (!d) diags.push_back({rs.where.file, rs.where.line, "post_action_delay: " + d.error().message});
    else out->postActionDelay = *d;
  }
  if (rs.prekillHookTimeout) {
    auto d = parseDuration(*rs.prekillHookTimeout);
    if (!d) diags.push_back({rs.where.file, rs.where.line, "prekill_hook_timeout: " + d.error().message});
  }
  for (auto part : split(rs.silenceLogs, ',')) {
    auto p = trim(part);
    if (p.empty() || p == "plugins") continue;
    if (p == "engine") out->silenceEngineLogs = true;
    else
      diags.push_back({rs.where.file, rs.where.line, "silence-logs: unknown target '" + std::string(p) + "' (engine, plugins)"});
  }
  PatternPool shared;  // one copy of the unit's cgroup for its three plugins
  for (const auto& g : rs.detectors) {
    DetectorGroup group;
    group.name = g.name;
    if (g.detectors.empty()) diags.push_back({g.where.file, g.where.line, "detector group '" + g.name + "' has no detectors"});
    for (const auto& call : g.detectors)
      if (auto p = compilePlugin(call, plugins, diags, shared)) group.detectors.push_back(std::move(p));
    out->groups.push_back(std::move(group));
  }
  for (const auto& call : rs.actions)
    if (auto p = compilePlugin(call, plugins, diags, shared)) out->actions.push_back(std::move(p));
  if (diags.size() != before) return nullptr;
  return out;
}

CompileOutput compile(const ir::Root& base, const std::vector<DropInFile>& dropIns, const PluginRegistry& plugins,
                      Engine* carryFrom) {
  CompileOutput out;
  Carry carry(carryFrom);
  std::vector<std::unique_ptr<Ruleset>> bases;
  std::vector<std::unique_ptr<Ruleset>*> carriedFrom(base.rulesets.size(), nullptr);  // by base index
  std::unordered_set<std::string_view> names;
  for (size_t i = 0; i < base.rulesets.size(); ++i) {
    const ir::Ruleset& rs = base.rulesets[i];
    if (!names.insert(rs.name).second)
      out.errors.push_back({rs.where.file, rs.where.line, "duplicate ruleset name '" + rs.name + "'"});
    carriedFrom[i] = carry.take(rs, rs.running ? rs.running : fingerprint(rs));
    if (!carriedFrom[i] && rs.running)
      out.errors.push_back({rs.where.file, rs.where.line, "ruleset '" + rs.name + "' is given as running unchanged, and is not"});
    bases.push_back(carriedFrom[i] || rs.running ? nullptr : compileRuleset(rs, plugins, out.errors));
  }
  if (!out.errors.empty()) return out;

  // copies[i] = drop-in copies targeting base i, newest first
  std::vector<std::vector<std::unique_ptr<Ruleset>>> copies(bases.size());
  for (const auto& file : dropIns) {
    Diagnostics fileErrors;
    std::vector<std::pair<size_t, std::unique_ptr<Ruleset>>> made;
    for (const auto& d : file.root.rulesets) {
      auto it = std::find_if(base.rulesets.begin(), base.rulesets.end(), [&](const ir::Ruleset& b) { return b.name == d.name; });
      if (it == base.rulesets.end()) {
        fileErrors.push_back({d.where.file, d.where.line, "drop-in targets no ruleset named '" + d.name + "'"});
        continue;
      }
      if (d.hasDetectors && !it->dropIn.detectors)
        fileErrors.push_back({d.where.file, d.where.line,
                              "ruleset '" + d.name + "' does not allow drop-in detectors (\"drop-in\": {\"detectors\": true})"});
      if (d.hasActions && !it->dropIn.actions)
        fileErrors.push_back({d.where.file, d.where.line,
                              "ruleset '" + d.name + "' does not allow drop-in actions (\"drop-in\": {\"actions\": true})"});
      if (!d.hasDetectors && !d.hasActions)
        fileErrors.push_back({d.where.file, d.where.line, "drop-in for '" + d.name + "' changes neither detectors nor actions"});
      if (it->running) {  // the daemon gives drop-ins' targets whole (Daemon::recompileUnits)
        fileErrors.push_back({d.where.file, d.where.line, "ruleset '" + d.name + "' was given without its text"});
        continue;
      }
      ir::Ruleset merged = *it;
      if (d.hasDetectors) merged.detectors = d.detectors;
      if (d.hasActions) merged.actions = d.actions;
      // Ruleset-level fields of the drop-in apply to its copy (oomd ignored them).
      if (!d.description.empty()) merged.description = d.description;
      if (d.postActionDelay) merged.postActionDelay = d.postActionDelay;
      if (!d.silenceLogs.empty()) merged.silenceLogs = d.silenceLogs;
      merged.origin = "drop-in " + file.path;
      auto compiled = compileRuleset(merged, plugins, fileErrors);
      if (compiled) made.emplace_back(static_cast<size_t>(it - base.rulesets.begin()), std::move(compiled));
    }
    if (!fileErrors.empty()) {
      out.errors.insert(out.errors.end(), fileErrors.begin(), fileErrors.end());
      out.skippedDropIns.push_back(file.path);
      continue;
    }
    for (auto& [idx, rs] : made) copies[idx].insert(copies[idx].begin(), std::move(rs));
  }

  std::vector<std::unique_ptr<Ruleset>> all;
  for (size_t i = 0; i < bases.size(); ++i) {
    if (carriedFrom[i]) {
      bases[i] = std::move(*carriedFrom[i]);
      out.carried.push_back(bases[i].get());
    }
    // drop-ins come and go independently of the base's text
    bases[i]->disabled = !copies[i].empty() && base.rulesets[i].dropIn.disableOnDropIn;
    for (auto& c : copies[i]) all.push_back(std::move(c));
    all.push_back(std::move(bases[i]));
  }
  out.engine = std::make_unique<Engine>(std::move(all));
  std::sort(out.carried.begin(), out.carried.end());
  return out;
}

}  // namespace unitoomd
