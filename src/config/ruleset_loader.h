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
};

LoadedRules loadRules(const std::string& rulesetFile, const std::string& dropInDir);

// Drop-in files (*.json, no dotfiles), oldest first by mtime, then by name.
std::vector<std::string> rulesetDropIns(const std::string& dir);

}  // namespace unitoomd
