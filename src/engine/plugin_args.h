// Uniform argument parsing for plugins: every plugin gets the same "missing
// argument", "bad number" and "unknown argument" errors, each with the file
// and line of the plugin in the config.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/diagnostics.h"
#include "engine/cgroup_patterns.h"
#include "engine/ir.h"
#include "util/parse.h"
#include "util/time.h"

namespace unitoomd {

class PluginArgs {
 public:
  // `shared`: the patterns the ruleset's other plugins made (compiler.cpp).
  PluginArgs(const ir::PluginCall& call, Diagnostics& diags, PatternPool* shared = nullptr)
      : call_(call), diags_(diags), shared_(shared) {}

  bool has(const std::string& key) const { return call_.args.count(key) > 0; }
  std::optional<std::string> string(const std::string& key);
  std::string requiredString(const std::string& key);
  // Comma-separated cgroup patterns, as oomd's `cgroup` argument; the same
  // text in another plugin of the ruleset gives the same list.
  CgroupPatterns cgroups(const std::string& key, bool required = true);

  double number(const std::string& key, double fallback, double min, double max);
  double requiredNumber(const std::string& key, double min, double max);
  // Floats are floats: "1.25" is 1.25 (oomd parsed some ratios with stoi).
  bool flag(const std::string& key, bool fallback);
  Duration duration(const std::string& key, Duration fallback);
  std::optional<SizeOrPercent> size(const std::string& key);
  double percent(const std::string& key, double fallback);
  // One of a fixed set of words.
  std::string choice(const std::string& key, const std::vector<std::string>& allowed, const std::string& fallback);

  // Accepted for oomd compatibility but without effect here.
  void ignore(const std::string& key) { used_.insert(key); }

  void error(const std::string& key, const std::string& message);
  // Reports arguments nobody asked for; call last.
  void finish();
  bool ok() const { return errors_ == 0; }

 private:
  const std::string* raw(const std::string& key);
  int lineOf(const std::string& key) const;

  const ir::PluginCall& call_;
  Diagnostics& diags_;
  PatternPool* shared_;
  std::set<std::string> used_;
  int errors_ = 0;
};

}  // namespace unitoomd
