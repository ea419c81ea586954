// The intermediate representation: plain structs of strings, the seam between
// every front end (the JSON ruleset files, their drop-ins, and later the
// rulesets synthesized from systemd unit properties) and the one compiler.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace unitoomd::ir {

struct Location {
  std::string file;
  int line = 0;
  std::string str() const { return file + ":" + std::to_string(line); }
};

struct PluginCall {
  std::string name;
  std::map<std::string, std::string> args;
  std::map<std::string, int> argLines;  // for "unknown argument" errors
  Location where;
};

struct DetectorGroup {
  std::string name;
  std::vector<PluginCall> detectors;
  Location where;
};

struct DropInPolicy {
  bool detectors = false;
  bool actions = false;
  bool disableOnDropIn = false;
};

struct Ruleset {
  std::string name;
  std::string description;  // one sentence; shown in every kill report
  std::string origin;       // "file /etc/unitoomd/rulesets.json" or "unit work.slice ManagedOOMMemoryPressure=kill"
  DropInPolicy dropIn;
  std::optional<std::string> postActionDelay;
  std::optional<std::string> prekillHookTimeout;
  std::string silenceLogs;
  bool hasDetectors = false;  // a drop-in may leave either part out
  bool hasActions = false;
  std::vector<DetectorGroup> detectors;
  std::vector<PluginCall> actions;
  Location where;
  // Non-zero: the ruleset runs now, compiled from IR of this fingerprint
  // (compiler.h), and only `name` is filled in: the compiler takes the
  // running one over (compile()'s carryFrom), and fails without it. A front
  // end that recompiles 1,000 rulesets for one that changed need not hand
  // over the text of the other 999.
  uint64_t running = 0;
};

struct Root {
  std::vector<Ruleset> rulesets;
};

}  // namespace unitoomd::ir
