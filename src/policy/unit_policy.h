// Unit policy: what systemd's unit tree asks of an OOM killer, turned into
// ordinary rulesets (IR) that run beside the config-file ones. Pure: the
// D-Bus edge fills UnitOomSettings, this decides, tests use plain structs.
//
//   ManagedOOMMemoryPressure=kill  -> "<unit>/ManagedOOMMemoryPressure":
//       full memory stall of the unit's cgroup above its limit for its
//       duration, while it reclaims -> kill the candidate under it that
//       causes the pressure (leaves and memory.oom.group cgroups).
//   ManagedOOMSwap=kill            -> "<unit>/ManagedOOMSwap":
//       memory and swap both used beyond SwapUsedLimit= -> kill the
//       candidate under the unit using the most swap (> 5 % of swap).
//   ManagedOOMSwap=kill, and -.slice always -> "<unit>/MemoryExhaustion":
//       while the system has no usable swap, memory predicted to run out
//       within MemoryExhaustionSec= at the present rate -> kill the
//       candidate under the unit growing fastest. Without swap nothing
//       else would act before the kernel: swap never fills, and a fast
//       grower stalls nobody until the last moment.
//   ManagedOOMPreference=avoid|omit -> a preference on the unit's cgroup,
//       inherited by everything below it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/context.h"
#include "engine/ir.h"
#include "util/time.h"

namespace unitoomd {

// What the unit tree says of one unit, as read from D-Bus.
struct UnitOomSettings {
  std::string name;     // "work.slice"
  std::string manager;  // "user@1001.service" for a user manager's unit followed by the system instance
  // Set for a unit read from a user's own bus: a claim that counts only
  // inside that user's subtree (policy/untrusted_units.h).
  std::optional<uid_t> claimedByUser;
  std::string cgroup;       // ControlGroup, "/user.slice/.../work.slice"; empty: none
  std::string activeState;  // ActiveState
  std::string managedOOMSwap = "auto";
  std::string managedOOMMemoryPressure = "auto";
  uint32_t managedOOMMemoryPressureLimit = 0;  // fraction scaled to UINT32_MAX; 0: the default
  // ManagedOOMMemoryPressureDurationUSec (systemd 257+); absent or
  // UINT64_MAX: the default.
  std::optional<uint64_t> managedOOMMemoryPressureDurationUSec;
  std::string managedOOMPreference = "none";
};

// The daemon config's part in it (unitoomd.conf [OOM]).
struct UnitPolicyDefaults {
  double swapUsedLimitPercent = 90;
  double memoryPressureLimitPercent = 60;
  Duration memoryPressureDuration = std::chrono::seconds(30);
  std::string killMethod = "kill";  // kill | stop | restart
  Duration stopTimeout = std::chrono::seconds(10);
  Duration memoryExhaustion = std::chrono::seconds(10);  // 0: no exhaustion rulesets
};

struct UnitPolicy {
  ir::Root rulesets;
  std::map<std::string, Preference> preferences;      // by cgroup path
  std::map<std::string, Preference> userPreferences;  // the same, said by users' own managers
  std::vector<std::string> warnings;                  // odd values, said once per change
};

// Percent from systemd's scaled fraction, to systemd's precision (0.01 %).
double scaledFractionToPercent(uint32_t scaled);

// Whether a unit in this ActiveState has processes to watch.
bool isLiveState(const std::string& activeState);

// `running`: the fingerprint of a ruleset that runs unchanged (else 0),
// e.g. RunningRulesets::unchanged; such a ruleset is given by its name and
// that fingerprint alone (ir::Ruleset::running). Each is made whole, asked
// about, and let go before the next: taking in units in bulk, 1,000 units'
// IR (3 KB each) was made at every recompile and freed after it, and the
// rulesets compiled meanwhile were strewn between its pieces.
using RunningFingerprint = std::function<uint64_t(const ir::Ruleset&)>;
UnitPolicy synthesizeUnitPolicy(const std::vector<UnitOomSettings>& units, const UnitPolicyDefaults& defaults,
                                const RunningFingerprint& running = {});

}  // namespace unitoomd
