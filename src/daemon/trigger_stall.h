// Whether the stall where a PSI trigger is armed reaches the trigger's wake
// threshold now, read through one sample. The daemon stays awake while it
// does (SamplerPolicy); with a trigger on every unit, reading each one at
// every sample would make an idle sample cost what exists (10,000 reads),
// not what is under pressure.
#pragma once

#include "daemon/trigger_plan.h"
#include "engine/context.h"

namespace unitoomd {

// Stall at or above a trigger's wake threshold, by kind of trigger.
struct StallSeen {
  bool detector = false;  // where a stall detector is
  bool wakeOnly = false;  // the system-wide wake of groups without one
};

// The trigger's cgroup reaches its wake threshold over the trigger's window
// (triggerWindow: the privileged or unprivileged one). Its parent is read
// first: when the parent's stall bounds every child below the threshold
// (descendantStallBound), the cgroup itself is not read, so siblings under
// a calm slice cost one read of that slice.
bool stallAtTrigger(const TriggerSpec& spec, SampleContext& ctx, Duration triggerWindow);

}  // namespace unitoomd
