#include "engine/history.h"

namespace unitoomd {

const char* resourceName(Resource r) { return r == Resource::Memory ? "memory" : "io"; }

CgroupHistory& History::at(uint64_t inode, TimePoint now) {
  auto& h = byInode_[inode];
  h.lastSeen = now;
  return h;
}

const CgroupHistory* History::find(uint64_t inode) const {
  auto it = byInode_.find(inode);
  return it == byInode_.end() ? nullptr : &it->second;
}

void History::prune(TimePoint now, Duration unused) {
  prunedAt_ = now;
  for (auto it = byInode_.begin(); it != byInode_.end();) {
    if (now - it->second.lastSeen > unused) it = byInode_.erase(it);
    else ++it;
  }
}

}  // namespace unitoomd
