// Pure parsers for the kernel's text files. They take the file's contents and
// return std::nullopt for anything malformed: hostile or truncated input is
// "unknown", never a crash and never a made-up number.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace unitoomd {

struct PsiLine {
  double avg10 = 0, avg60 = 0, avg300 = 0;  // percent
  uint64_t totalUsec = 0;                    // cumulative stall time
};

struct Psi {
  PsiLine some;
  std::optional<PsiLine> full;  // /proc/pressure/cpu on old kernels has no "full"
};

// memory.pressure, io.pressure, /proc/pressure/*
std::optional<Psi> parsePsi(std::string_view text);

// "key value" per line: memory.stat, cgroup.events, cgroup.stat, /proc/vmstat.
using FlatKeyed = std::map<std::string, uint64_t, std::less<>>;
std::optional<FlatKeyed> parseFlatKeyed(std::string_view text);

// A single number ("max" -> UINT64_MAX): memory.current, memory.min, memory.oom.group.
std::optional<uint64_t> parseSingleValue(std::string_view text);

// /proc/meminfo, in bytes ("MemTotal:  123 kB" -> MemTotal = 123*1024).
std::optional<FlatKeyed> parseMeminfo(std::string_view text);

// /proc/swaps: the source of truth for swap size and use. (/proc/meminfo's
// SwapFree drops to 0 during swapoff while SwapTotal shrinks slowly, which
// made oomd kill for nothing; /proc/swaps lists what is really there.)
struct SwapInfo {
  uint64_t totalBytes = 0;
  uint64_t usedBytes = 0;
  uint64_t freeBytes() const { return totalBytes > usedBytes ? totalBytes - usedBytes : 0; }
};
std::optional<SwapInfo> parseSwaps(std::string_view text);

// cgroup.procs: one pid per line.
std::optional<std::vector<int>> parsePids(std::string_view text);

}  // namespace unitoomd
