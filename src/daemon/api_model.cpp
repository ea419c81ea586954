#include "daemon/api_model.h"

#include <unistd.h>

#include "observe/parsers.h"
#include "unitoomd-config.h"
#include "util/event_names.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

std::optional<Psi> memoryPressureOf(const CgroupFs& fs, const std::string& cgroup) {
  FileRead f;
  if (cgroup == "/") f = fs.readProc("pressure/memory");
  else if (auto dir = fs.open(cgroup)) f = dir->read("memory.pressure");
  return f.ok() ? parsePsi(f.data) : std::nullopt;
}

}  // namespace

std::set<std::string> memoryCgroupsShown(const Engine& engine, const std::set<uid_t>& followedUsers) {
  std::set<std::string> out;
  for (const auto& w : engine.wakeSources())
    if (w.resource == Resource::Memory) out.insert(w.cgroup);
  // watched or not by a ruleset: the kernel's kills there are told to the user
  for (uid_t uid : followedUsers) out.insert(strprintf("/user.slice/user-%u.slice/user@%u.service", uid, uid));
  return out;
}

Snapshot snapshotOf(const DaemonView& v, bool readPressure, TimePoint now) {
  Snapshot s;
  s.version = UNITOOMD_VERSION;
  s.dryRun = v.dryRun;
  s.killCount = v.ledger.kills();
  s.followedUsers.assign(v.followedUsers.begin(), v.followedUsers.end());
  s.standingBy = v.standingBy;
  if (v.bus) s.bus = *v.bus == BusKind::System ? "system bus" : "user's session bus";
  for (const auto& r : v.engine.rulesets())
    s.rulesets.push_back({r->name, r->description, r->origin, rulesetStateName(r->state(now))});
  for (const auto& path : v.memoryCgroups) {
    CgroupPressure c{path};
    if (auto psi = readPressure ? memoryPressureOf(v.fs, path) : std::nullopt) {
      c.memorySome = psi->some.avg10;
      if (psi->full) c.memoryFull = psi->full->avg10;
    }
    s.cgroups.push_back(std::move(c));
  }
  s.kills.assign(v.ledger.recentKills().begin(), v.ledger.recentKills().end());
  s.wokenBy = busiestWakeSources(24);  // the VM lab diffs two dumps: a source of the moment must not fall off
  if (v.asker)
    for (const auto& q : v.asker->questions())
      s.questions.push_back({q.askedRealtimeUsec, static_cast<uint32_t>(q.uid), q.app, q.cgroup, q.state, q.answer, q.outcome});
  return s;
}

Metrics metricsOf(const DaemonView& v) {
  Metrics m = v.ledger.counted();
  m.version = UNITOOMD_VERSION;
  m.kernelOomKills = v.kernelOomKills;
  m.rulesets = v.engine.rulesets().size();
  m.unitsFollowed = v.unitsFollowed;
  for (const auto& path : v.memoryCgroups) {
    CgroupPressureMetric c{path};
    if (auto psi = memoryPressureOf(v.fs, path)) {
      c.someAvg10 = psi->some.avg10;
      c.someStallSeconds = static_cast<double>(psi->some.totalUsec) / 1e6;
      if (psi->full) {
        c.fullAvg10 = psi->full->avg10;
        c.fullStallSeconds = static_cast<double>(psi->full->totalUsec) / 1e6;
      }
    }
    m.cgroups.push_back(std::move(c));
  }
  m.triggersArmed = v.triggersArmed;
  FileRead stat = v.fs.readProc("self/stat");
  if (stat.ok()) parseOwnUsage(stat.data, sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE), m.cpuSeconds, m.residentBytes);
  return m;
}

}  // namespace unitoomd
