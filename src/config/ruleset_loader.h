// Reads the JSON ruleset file and its drop-in directory from disk and
// compiles them. A broken base is fatal to this load (the caller keeps the
// last good engine); a broken drop-in is reported and skipped.
#pragma once

#include <string>

#include "engine/compiler.h"

namespace unitoomd {

struct LoadedRules {
  CompileOutput compiled;
  std::vector<std::string> dropInsApplied;
  std::vector<std::string> shadowed;  // synthesized rulesets left out: a config ruleset has the name
};

// The files as parsed, before compiling: kept so that rulesets synthesized
// from systemd units can be recompiled with them without reading the files
// again (a unit change is not a config reload).
struct RulesSource {
  ir::Root base;
  std::vector<DropInFile> dropIns;
  Diagnostics baseErrors;    // fatal to this load
  Diagnostics dropInErrors;  // that file skipped
};

RulesSource readRules(const std::string& rulesetFile, const std::string& dropInDir);
// Config rulesets first, then the synthesized ones (a name the config
// already uses keeps the config's ruleset), compiled with the built-in
// plugins. `carryFrom`: the engine running now (compile()'s).
LoadedRules compileRules(const RulesSource& source, std::vector<ir::Ruleset> synthesized, Engine* carryFrom = nullptr);
LoadedRules loadRules(const std::string& rulesetFile, const std::string& dropInDir);

// Drop-in files (*.json, no dotfiles), oldest first by mtime, then by name.
std::vector<std::string> rulesetDropIns(const std::string& dir);

}  // namespace unitoomd
