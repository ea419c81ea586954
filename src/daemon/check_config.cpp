#include "daemon/check_config.h"

#include <fcntl.h>

#include "config/daemon_config.h"
#include "config/ruleset_json.h"
#include "engine/compiler.h"
#include "observe/cgroup_fs.h"
#include "plugins/registry.h"
#include "util/strings.h"

namespace unitoomd {

Diagnostics checkConfigFiles(const std::vector<std::string>& files) {
  Diagnostics diags;
  for (const auto& file : files) {
    FileRead in = readWholeFile(AT_FDCWD, file.c_str());
    if (!in.ok()) {
      diags.push_back({file, 0, "cannot read the file"});
      continue;
    }
    const std::string& text = in.data;
    if (endsWith(file, ".json")) {
      auto slash = file.rfind('/');
      bool dropIn = slash != std::string::npos && endsWith(std::string_view(file).substr(0, slash), ".d");
      size_t before = diags.size();
      ir::Root root = parseRulesetJson(text, file, diags, dropIn);
      if (diags.size() != before) continue;
      if (!dropIn) {
        auto out = compile(root, {}, builtinPlugins());
        diags.insert(diags.end(), out.errors.begin(), out.errors.end());
        continue;
      }
      // A drop-in's parts are checked on their own; what it targets is
      // checked when the daemon loads it with its base.
      for (auto rs : root.rulesets) {
        ir::PluginCall placeholder{"continue", {}, {}, rs.where};
        if (!rs.hasDetectors) rs.detectors = {ir::DetectorGroup{"(base)", {placeholder}, rs.where}};
        if (!rs.hasActions) rs.actions = {placeholder};
        compileRuleset(rs, builtinPlugins(), diags);
      }
    } else {
      DaemonConfig ignored;
      applyDaemonConfig(text, file, ignored, diags);
    }
  }
  return diags;
}

}  // namespace unitoomd
