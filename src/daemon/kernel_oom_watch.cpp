#include "daemon/kernel_oom_watch.h"

#include <sys/inotify.h>

#include "observe/parsers.h"
#include "util/log.h"
#include "util/event_names.h"
#include "util/message_ids.h"
#include "util/strings.h"

namespace unitoomd {

KernelOomWatch::~KernelOomWatch() {
  for (auto& [cg, w] : watched_) sd_event_source_disable_unref(w.source);
}

std::optional<uint64_t> KernelOomWatch::readOomKills(const CgroupDir& dir) {
  FileRead f = dir.read("memory.events");
  if (!f.ok()) return std::nullopt;
  auto events = parseFlatKeyed(f.data);
  if (!events) return std::nullopt;
  auto it = events->find("oom_kill");
  return it == events->end() ? std::optional<uint64_t>(0) : std::optional<uint64_t>(it->second);
}

void KernelOomWatch::watch(const CgroupFs& fs, const std::set<std::string>& cgroups) {
  for (auto it = watched_.begin(); it != watched_.end();) {
    if (cgroups.count(it->first)) {
      ++it;
      continue;
    }
    sd_event_source_disable_unref(it->second.source);
    it = watched_.erase(it);
  }
  // Where memory.events cannot be (a hybrid layout), 10,000 units' cgroups
  // are not opened to find it missing at every recompile.
  if (!fs.mayOffer("memory.events")) return;
  for (const auto& cg : cgroups) {
    if (cg == "/" || watched_.count(cg)) continue;
    Watched w;
    w.dir = fs.open(cg);
    auto count = w.dir ? readOomKills(*w.dir) : std::nullopt;
    if (!count) continue;  // no memory controller here, or no such cgroup yet
    w.oomKills = *count;
    std::string file = fs.root() + cg + "/memory.events";
    if (sd_event_add_inotify(event_, &w.source, file.c_str(), IN_MODIFY, onChange, this) < 0) {
      LOG_DEBUG("cannot watch %s for kernel OOM kills", file.c_str());
      continue;
    }
    nameSource(w.source, "kernel-oom-watch:" + cg);
    watched_.emplace(cg, std::move(w));
  }
}

void KernelOomWatch::check() {
  for (auto& [cg, w] : watched_) check(cg, w);
}

void KernelOomWatch::checkIfDue(TimePoint now) {
  if (checkedAt_ && now - *checkedAt_ < kBackstopEvery) return;
  checkedAt_ = now;
  check();
}

void KernelOomWatch::check(const std::string& cgroup, Watched& w) {
  auto count = readOomKills(*w.dir);
  if (!count || *count <= w.oomKills) {
    if (count) w.oomKills = *count;
    return;
  }
  uint64_t died = *count - w.oomKills;
  killsSeen_ += died;
  w.oomKills = *count;
  std::string unit = unitOf_ ? unitOf_(cgroup) : "";
  LogFields fields{
      {"MESSAGE_ID", message_id::kKernelOomKill}, {"CGROUP", cgroup}, {"UNITOOMD_KERNEL_OOM_KILLS", std::to_string(died)}};
  if (!unit.empty()) {
    fields.emplace_back("UNIT", unit);
    fields.emplace_back("OBJECT_SYSTEMD_UNIT", unit);
  }
  logStructured(LogLevel::Warning,
                strprintf("The kernel's OOM killer killed %llu process(es) in %s%s", static_cast<unsigned long long>(died),
                          cgroup.c_str(), unit.empty() ? "" : (" (" + unit + ")").c_str()),
                fields);
  if (onKills_) onKills_(cgroup, unit, died);
}

int KernelOomWatch::onChange(sd_event_source* s, const struct inotify_event*, void* userdata) {
  countWake(s);
  auto* self = static_cast<KernelOomWatch*>(userdata);
  for (auto& [cg, w] : self->watched_)
    if (w.source == s) self->check(cg, w);
  return 0;
}

}  // namespace unitoomd
