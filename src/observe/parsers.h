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
  uint64_t totalUsec = 0;                   // cumulative stall time
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
struct SwapDevice {
  std::string filename;  // as /proc/swaps lists it: "/dev/vdb", "/dev/zram0"
  uint64_t sizeBytes = 0;
  uint64_t usedBytes = 0;
};
struct SwapInfo {
  uint64_t totalBytes = 0;
  uint64_t usedBytes = 0;
  std::vector<SwapDevice> devices;
  uint64_t freeBytes() const { return totalBytes > usedBytes ? totalBytes - usedBytes : 0; }
};
std::optional<SwapInfo> parseSwaps(std::string_view text);

// zram. Its size in /proc/swaps is what it accepts uncompressed, not what it
// can hold: the compressed pages live in RAM, up to mem_limit (0: no limit
// but RAM itself). So a zram swap can be "10 % used" while memory is gone.
struct ZramStat {  // /sys/block/zramN/mm_stat, the fields used here
  uint64_t origDataBytes = 0;
  uint64_t comprDataBytes = 0;
  uint64_t memUsedTotalBytes = 0;  // RAM the device takes, compressed pages and overhead
  uint64_t memLimitBytes = 0;      // 0: none
};
std::optional<ZramStat> parseZramMmStat(std::string_view text);
// "/dev/zram3" -> "zram3"; nullopt for any other swap (a file, a partition).
std::optional<std::string> zramDeviceName(std::string_view swapFilename);
// A zram swap device as it really is: free space is what its memory room
// (mem_limit, else `memAvailableBytes`, less what it uses) holds at its
// present compression (uncompressed bytes per byte of memory it uses; 1
// while it is empty: no better guess), and never more than its size says.
// The used bytes stay as /proc/swaps says (what memory.swap.current counts).
SwapDevice zramEffective(const SwapDevice& device, const ZramStat& zram, uint64_t memAvailableBytes);
// Totals of the devices.
SwapInfo sumSwapDevices(std::vector<SwapDevice> devices);

// cgroup.procs: one pid per line.
std::optional<std::vector<int>> parsePids(std::string_view text);

}  // namespace unitoomd
