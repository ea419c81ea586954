// Every sd-event source has a name (sd_event_source_set_description), as
// systemd's own daemons name theirs: a debugger, libsystemd's debug log and
// unitoomd's dump say what woke the daemon. Wake-ups are counted by name for
// the dump (`unitoomctl dump`: "Woken by"), with the CPU time each cost (in
// its JSON): the thread's CPU time from one wake-up to the next falls to the
// first, so the loop's own work after a callback counts with it.
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
struct WakeCount {
  std::string source;
  uint64_t count = 0;
  double cpuSeconds = 0;  // < 0: not known
};
// The N names that woke the daemon most, with their counts, most first.
std::vector<WakeCount> busiestWakeSources(size_t n);

}  // namespace unitoomd
