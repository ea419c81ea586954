#include "daemon/status_line.h"

#include "util/strings.h"

namespace unitoomd {

std::string statusLine(const StatusFacts& f) {
  if (f.standingBy) return "Standing by: the system instance protects this user's session";
  std::string units = f.unitsFollowed == -2   ? ""
                      : f.unitsFollowed == -1 ? ", waiting for systemd"
                                              : strprintf(", %lld unit(s) followed", static_cast<long long>(f.unitsFollowed));
  return strprintf("%zu ruleset(s), %zu PSI trigger(s), %llu kill(s)%s%s", f.rulesets, f.triggers,
                   static_cast<unsigned long long>(f.kills), units.c_str(), f.dryRun ? " (dry run)" : "");
}

}  // namespace unitoomd
