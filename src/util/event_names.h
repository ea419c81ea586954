// Every sd-event source has a name (sd_event_source_set_description), as
// systemd's own daemons name theirs: a debugger, libsystemd's debug log and
// unitoomd's dump say what woke the daemon. Wake-ups are counted by name for
// the dump (`unitoomctl dump`: "Woken by").
#pragma once

#include <systemd/sd-event.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace unitoomd {

// Names S (nothing when S is null). Names stay short: sd-event keeps them
// for the source's life.
void nameSource(sd_event_source* s, const std::string& name);
// Called first in a source's callback: one more wake-up under its name.
void countWake(sd_event_source* s);
// The N names that woke the daemon most, with their counts, most first.
std::vector<std::pair<std::string, uint64_t>> busiestWakeSources(size_t n);

}  // namespace unitoomd
