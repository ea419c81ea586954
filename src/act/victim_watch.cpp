#include "act/victim_watch.h"

#include "observe/parsers.h"
#include "util/log.h"
#include "util/strings.h"

namespace unitoomd {

void VictimWatch::add(const std::string& path, uint64_t inode, TimePoint killedAt) { victims_.push_back({path, inode, killedAt}); }

bool VictimWatch::check(const CgroupFs& fs, TimePoint now) {
  std::erase_if(victims_, [&](const Victim& v) {
    auto dir = fs.open(v.path);
    bool dead = !dir || dir->inode() != v.inode;
    if (!dead) {
      FileRead ev = dir->read("cgroup.events");
      auto kv = ev.ok() ? parseFlatKeyed(ev.data) : std::nullopt;
      if (ev.status == ReadStatus::Gone) dead = true;
      else if (kv) {
        auto it = kv->find(std::string_view("populated"));
        dead = it != kv->end() && it->second == 0;
      }
    }
    auto after = std::chrono::duration_cast<Duration>(now - v.killedAt);
    if (dead) {
      LOG_INFO("victim %s is gone, %s after the kill", v.path.c_str(), formatDuration(after).c_str());
      return true;
    }
    if (after > timeout_) {
      logStructured(LogLevel::Error,
                    strprintf("victim %s still has processes %s after the kill", v.path.c_str(), formatDuration(after).c_str()),
                    {{"CGROUP", v.path}});
      return true;
    }
    return false;
  });
  return !victims_.empty();
}

}  // namespace unitoomd
