#include "plugins/detector_util.h"

#include "engine/plugin_args.h"
#include "observe/cgroup_fs.h"
#include "util/strings.h"

namespace unitoomd {

namespace {

bool hasGlob(std::string_view s) { return s.find_first_of("*?[{") != std::string_view::npos; }

}  // namespace

std::string literalPrefix(const std::string& pattern) {
  std::string norm = CgroupFs::normalize(pattern);
  std::string out = "/";
  for (auto part : split(norm, '/')) {
    if (part.empty()) continue;
    if (hasGlob(part)) break;
    if (out.size() > 1) out += '/';
    out += part;
  }
  return out;
}

CgroupView* globAncestor(SampleContext& ctx, const std::string& pattern) {
  return hasGlob(pattern) ? ctx.cgroup(literalPrefix(pattern)) : nullptr;
}

void addWakeSources(std::vector<WakeSource>& out, const std::vector<std::string>& patterns, Resource r, double thresholdPercent) {
  for (const auto& p : patterns) out.push_back(WakeSource{literalPrefix(p), r, thresholdPercent});
}

Resource parseResource(PluginArgs& args) {
  return args.choice("resource", {"memory", "io"}, "") == "io" ? Resource::Io : Resource::Memory;
}

}  // namespace unitoomd
