// Warnings said once each (a unit's bad ManagedOOM* setting, a config
// ruleset shadowing a unit's). Units come and go for weeks (and a user's
// manager names its own): the memory is forgotten all at once now and then
// rather than let grow; a warning still true is said again after that.
#pragma once

#include <set>
#include <string>

namespace unitoomd {

class SaidOnce {
 public:
  static constexpr size_t kRemembered = 1000;
  // True the first time (since the memory was last forgotten).
  bool first(const std::string& warning) {
    if (said_.size() > kRemembered) said_.clear();
    return said_.insert(warning).second;
  }

 private:
  std::set<std::string> said_;
};

}  // namespace unitoomd
