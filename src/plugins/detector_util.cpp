#include "plugins/detector_util.h"

#include <algorithm>

#include "engine/plugin_args.h"
#include "observe/cgroup_fs.h"
#include "util/strings.h"

namespace unitoomd {

bool hasGlob(std::string_view s) { return s.find_first_of("*?[{") != std::string_view::npos; }

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

std::string boundingAncestorPath(const std::string& pattern) {
  std::string prefix = literalPrefix(pattern);
  if (hasGlob(pattern)) return prefix;
  if (prefix == "/") return {};
  auto slash = prefix.rfind('/');
  return slash == 0 ? "/" : prefix.substr(0, slash);
}

CgroupView* boundingAncestor(SampleContext& ctx, const std::string& ancestorPath) {
  return ancestorPath.empty() ? nullptr : ctx.cgroup(ancestorPath);
}

void addWakeSources(std::vector<WakeSource>& out, const std::vector<std::string>& patterns, Resource r, double thresholdPercent) {
  for (const auto& p : patterns) out.push_back(WakeSource{literalPrefix(p), r, thresholdPercent});
}

void addProvableWakeSources(std::vector<WakeSource>& out, const std::vector<std::string>& patterns, Resource r,
                            double thresholdPercent, StallKind kind) {
  for (const auto& p : patterns) out.push_back(WakeSource{literalPrefix(p), r, thresholdPercent, kind, !hasGlob(p)});
}

namespace {

uint64_t totalOf(const StallPoint& p, StallKind kind) { return kind == StallKind::Some ? p.someUsec : p.fullUsec; }

}  // namespace

std::optional<ProvenWake> ProvenWake::start(const StallProof& proof, const StallHistory& history, StallKind kind,
                                            Duration window) {
  if (history.empty()) return std::nullopt;
  const StallPoint& now = history.back();
  ProvenWake w;
  w.at = now.at;
  w.earliest = std::min(now.at, proof.at - std::max(Duration{0}, proof.window - window));
  if (history.size() >= 2) {
    const StallPoint& before = history[history.size() - 2];
    if (totalOf(now, kind) < totalOf(before, kind)) return std::nullopt;  // a different cgroup
    w.stalledUsec = totalOf(now, kind) - totalOf(before, kind);
    w.earliest = std::max(w.earliest, before.at);
  } else {
    w.stalledUsec = totalOf(now, kind);  // a cgroup's first reading: its stall since it was made
  }
  return w;
}

std::optional<TimePoint> ProvenWake::crossedAt(const StallHistory& history, StallKind kind, double thresholdPercent,
                                               Duration window) const {
  auto wake = std::find_if(history.begin(), history.end(), [&](const StallPoint& p) { return p.at == at; });
  if (wake == history.end()) return at;  // no longer known: nothing earlier than the wake is shown
  const StallPoint& last = history.back();
  if (&last == &*wake) return std::nullopt;
  if (totalOf(last, kind) < totalOf(*wake, kind)) return at;
  double spanUs = static_cast<double>(std::chrono::duration_cast<Duration>(last.at - wake->at).count());
  double rate = static_cast<double>(totalOf(last, kind) - totalOf(*wake, kind)) / spanUs;  // stalled us per us
  if (rate <= 0) return at;
  double fromOnsetUs = -static_cast<double>(stalledUsec) / rate +
                       thresholdPercent / 100.0 * static_cast<double>(window.count()) / rate;
  TimePoint crossed = at + Duration(static_cast<long long>(fromOnsetUs));
  return std::clamp(crossed, earliest, at);
}

const StallProof* applicableProof(const SampleContext& ctx, const std::string& cgroup, Resource r, StallKind kind,
                                  double thresholdPercent) {
  const StallProof* proof = ctx.stallProof(cgroup, r);
  // full stall is also some stall; some stall says nothing of full
  bool sameKind = proof && (proof->kind == kind || proof->kind == StallKind::Full);
  return sameKind && proof->percent >= thresholdPercent ? proof : nullptr;
}

Resource parseResource(PluginArgs& args) {
  return args.choice("resource", {"memory", "io"}, "") == "io" ? Resource::Io : Resource::Memory;
}

}  // namespace unitoomd
