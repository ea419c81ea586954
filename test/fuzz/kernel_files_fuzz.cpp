// Every parser of the kernel's files (observe/parsers.cpp): PSI
// (memory.pressure, /proc/pressure/*), flat keyed files (memory.stat,
// memory.events, cgroup.events, cgroup.stat, /proc/vmstat), single values
// (memory.current, memory.max), /proc/meminfo, /proc/swaps, cgroup.procs.
// Each gets the same bytes: hostile or truncated input is "unknown", never a
// crash and never a nonsensical value.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "observe/parsers.h"

using namespace unitoomd;

namespace {
void checkLine(const PsiLine& l) {
  for (double v : {l.avg10, l.avg60, l.avg300})
    if (!std::isfinite(v) || v < 0) abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto psi = parsePsi(text)) {
    checkLine(psi->some);
    if (psi->full) checkLine(*psi->full);
  }
  (void)parseFlatKeyed(text);
  (void)parseSingleValue(text);
  (void)parseMeminfo(text);
  if (auto swaps = parseSwaps(text))
    if (swaps->freeBytes() > swaps->totalBytes) abort();
  if (auto pids = parsePids(text))
    for (int pid : *pids)
      if (pid <= 0) abort();
  return 0;
}
