// Which armed PSI triggers an awake sample must look at (PsiTriggers::
// stallSeen): only those armed or fired within their window may have seen
// stall at their threshold; the others are quiet for a window
// (engine/quiet_trigger.h) and stay so until they fire. So 10,000 armed
// triggers that stay quiet cost a sample nothing.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <utility>

#include "engine/quiet_trigger.h"

namespace unitoomd {

class LoudTriggers {
 public:
  using Key = std::pair<std::string, Resource>;  // the trigger's cgroup and resource

  // Armed or fired now: loud until it has been quiet for a window.
  void heard(Key key) { keys_.insert(std::move(key)); }

  // Calls `f(key)` for each trigger still loud at `now` and forgets the
  // others for good (until heard again). `quietOf(key)`: the trigger as it
  // stands, nullopt once it is no longer armed.
  template <typename QuietOf, typename F>
  void forEachLoud(TimePoint now, QuietOf&& quietOf, F&& f) {
    for (auto it = keys_.begin(); it != keys_.end();) {
      std::optional<QuietTrigger> q = quietOf(*it);
      if (!q || quietForAWindow(*q, now)) {
        it = keys_.erase(it);
        continue;
      }
      f(*it);
      ++it;
    }
  }
  size_t size() const { return keys_.size(); }

 private:
  std::set<Key> keys_;
};

}  // namespace unitoomd
