#include "config/ruleset_loader.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <optional>
#include <unordered_set>

#include "config/file_trust.h"
#include "config/ruleset_json.h"
#include "plugins/registry.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

// The text of a file that passes file_trust.h's check; else the problem, as
// a diagnostic naming the file.
std::optional<std::string> readFile(const std::string& path, Diagnostics& diags) {
  auto text = readTrustedFile(path);
  if (text) return std::move(*text);
  diags.push_back({path, 0, text.error().errnum == 0 ? text.error().message : "cannot read the file"});
  return std::nullopt;
}

}  // namespace

std::vector<std::string> rulesetDropIns(const std::string& dir) {
  std::vector<std::pair<struct timespec, std::string>> files;
  DIR* d = opendir(dir.c_str());
  if (!d) return {};
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name[0] == '.' || !endsWith(name, ".json")) continue;
    struct stat st;
    std::string path = dir + "/" + name;
    if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) files.emplace_back(st.st_mtim, path);
  }
  closedir(d);
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
    if (a.first.tv_sec != b.first.tv_sec) return a.first.tv_sec < b.first.tv_sec;
    if (a.first.tv_nsec != b.first.tv_nsec) return a.first.tv_nsec < b.first.tv_nsec;
    return a.second < b.second;
  });
  std::vector<std::string> out;
  for (auto& f : files) out.push_back(f.second);
  return out;
}

RulesSource readRules(const std::string& rulesetFile, const std::string& dropInDir) {
  RulesSource out;
  if (!rulesetFile.empty()) {
    auto text = readFile(rulesetFile, out.baseErrors);
    if (!text) return out;
    out.base = parseRulesetJson(*text, rulesetFile, out.baseErrors);
    if (!out.baseErrors.empty()) return out;
  }
  if (!dropInDir.empty()) {
    for (const auto& path : rulesetDropIns(dropInDir)) {
      Diagnostics fileDiags;
      if (auto text = readFile(path, fileDiags)) {
        DropInFile f{path, parseRulesetJson(*text, path, fileDiags, /*forDropIn=*/true)};
        if (fileDiags.empty()) out.dropIns.push_back(std::move(f));
      }
      out.dropInErrors.insert(out.dropInErrors.end(), fileDiags.begin(), fileDiags.end());
    }
  }
  return out;
}

LoadedRules compileRules(const RulesSource& source, std::vector<ir::Ruleset> synthesized, Engine* carryFrom) {
  LoadedRules out;
  if (!source.baseErrors.empty()) {
    out.compiled.errors = source.baseErrors;
    return out;
  }
  ir::Root base = source.base;
  // A set, not a scan of what was added so far: with 10,000 unit rulesets
  // the scan was 50 million name comparisons, most of a second.
  std::unordered_set<std::string> taken;
  for (const auto& r : base.rulesets) taken.insert(r.name);
  base.rulesets.reserve(base.rulesets.size() + synthesized.size());
  for (auto& rs : synthesized) {
    if (!taken.insert(rs.name).second) out.shadowed.push_back(rs.name);
    else base.rulesets.push_back(std::move(rs));  // moved: 1,000 units' IR is not held twice
  }
  synthesized = {};
  out.compiled = compile(base, source.dropIns, builtinPlugins(), carryFrom);
  out.compiled.errors.insert(out.compiled.errors.end(), source.dropInErrors.begin(), source.dropInErrors.end());
  for (const auto& f : source.dropIns)
    if (std::find(out.compiled.skippedDropIns.begin(), out.compiled.skippedDropIns.end(), f.path) ==
        out.compiled.skippedDropIns.end())
      out.dropInsApplied.push_back(f.path);
  return out;
}

LoadedRules loadRules(const std::string& rulesetFile, const std::string& dropInDir) {
  return compileRules(readRules(rulesetFile, dropInDir), {});
}

}  // namespace unitoomd
