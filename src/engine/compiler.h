// IR -> Engine. The only place where plugin names become plugins (those of
// the registry it is handed) and strings become numbers; every problem
// becomes a Diagnostic with its line.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/diagnostics.h"
#include "engine/engine.h"
#include "engine/ir.h"
#include "engine/plugin_registry.h"

namespace unitoomd {

struct DropInFile {
  std::string path;  // also its tag in logs
  ir::Root root;
};

struct CompileOutput {
  std::unique_ptr<Engine> engine;  // null when the base config has errors
  Diagnostics errors;              // base errors (fatal) and drop-in errors (that file skipped)
  std::vector<std::string> skippedDropIns;
  // The rulesets of `engine` taken over from `carryFrom` as they ran
  // (sorted): in the old engine too, though its slots are empty now.
  std::vector<const Ruleset*> carried;
};

// Drop-ins are given oldest first; each targets the base ruleset of the same
// name and replaces its detectors and/or actions (as the base allows). The
// resulting copies run before the base, newest first; a base with
// disable-on-drop-in stops running while any drop-in targets it.
//
// `carryFrom`, the engine running now: a base ruleset whose name and
// fingerprint one of its rulesets has is not compiled again; that ruleset
// is moved into the new engine whole (its detectors keep timing), leaving
// its slot in `carryFrom` empty, as Engine::adoptStateFrom does. Only once
// the new engine is sure to be made: on a fatal error `carryFrom` is left
// as it was. A unit change recompiles 1,000 rulesets of which one changed;
// compiling all of them again only to drop 999 cost the CPU, and left the
// heap strewn with their freed pieces between the ones kept.
CompileOutput compile(const ir::Root& base, const std::vector<DropInFile>& dropIns, const PluginRegistry& plugins,
                      Engine* carryFrom = nullptr);

// Equal for rulesets that would compile to the same thing: a reload keeps
// those running as they are, with their detectors' timers. A 64-bit hash
// of the ruleset's text: a thousand unit rulesets need not keep their text
// twice.
uint64_t fingerprint(const ir::Ruleset& rs);

// The rulesets an engine runs, by name and fingerprint, for a front end to
// give those that did not change as ir::Ruleset::running.
class RunningRulesets {
 public:
  explicit RunningRulesets(const Engine* engine);
  // The fingerprint of `rs` when a ruleset compiled from it runs; else 0.
  uint64_t unchanged(const ir::Ruleset& rs) const;

 private:
  std::unordered_multimap<std::string_view, uint64_t> byName_;
};

// One ruleset alone (used for synthesized rulesets and by tests).
std::unique_ptr<Ruleset> compileRuleset(const ir::Ruleset& rs, const PluginRegistry& plugins, Diagnostics& diags);

}  // namespace unitoomd
