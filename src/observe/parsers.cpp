#include "observe/parsers.h"

#include <algorithm>
#include <limits>

#include "util/parse.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

// The next field of `line` split at blanks (empty at the end); no
// allocation: PSI files are parsed for every watched cgroup at every sample.
// A loop, not find_first_of(" \t"): libstdc++ calls memchr on the set for
// every character, a tenth of a sample that reads 10,000 cgroups.
bool isBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view nextField(std::string_view& line) {
  size_t b = 0;
  while (b < line.size() && isBlank(line[b])) ++b;
  if (b == line.size()) return line = {}, std::string_view();
  size_t e = b;
  while (e < line.size() && !isBlank(line[e])) ++e;
  std::string_view f = line.substr(b, e - b);
  line.remove_prefix(e);
  return f;
}

// "avg10=0.00 avg60=0.00 avg300=0.00 total=0" after the line's kind.
std::optional<PsiLine> parsePsiFields(std::string_view rest) {
  PsiLine line;
  bool have10 = false, have60 = false, have300 = false, haveTotal = false;
  for (auto field = nextField(rest); !field.empty(); field = nextField(rest)) {
    size_t eq = field.find('=');
    if (eq == std::string_view::npos || field.find('=', eq + 1) != std::string_view::npos) return std::nullopt;
    std::string_view key = field.substr(0, eq), value = field.substr(eq + 1);
    if (key == "total") {
      auto v = parseUnsigned(value);
      if (!v) return std::nullopt;
      line.totalUsec = *v;
      haveTotal = true;
      continue;
    }
    auto v = parseDouble(value);
    if (!v || *v < 0 || *v > 100) return std::nullopt;
    if (key == "avg10") line.avg10 = *v, have10 = true;
    else if (key == "avg60") line.avg60 = *v, have60 = true;
    else if (key == "avg300") line.avg300 = *v, have300 = true;
  }
  if (!have10 || !have60 || !have300 || !haveTotal) return std::nullopt;
  return line;
}

}  // namespace

std::optional<Psi> parsePsi(std::string_view text) {
  std::optional<PsiLine> some, full;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view rest = trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    std::string_view kind = nextField(rest);
    if (kind.empty()) continue;
    auto line = parsePsiFields(rest);
    if (!line) return std::nullopt;
    if (kind == "some") some = line;
    else if (kind == "full") full = line;
    else return std::nullopt;
  }
  if (!some) return std::nullopt;
  return Psi{*some, full};
}

std::optional<FlatKeyed> parseFlatKeyed(std::string_view text) {
  FlatKeyed out;
  for (auto raw : split(text, '\n')) {
    auto fields = splitBlanks(trim(raw));
    if (fields.empty()) continue;
    if (fields.size() != 2) return std::nullopt;
    auto v = parseUnsigned(fields[1]);
    if (!v) return std::nullopt;
    out.emplace(std::string(fields[0]), *v);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::optional<uint64_t> parseSingleValue(std::string_view text) {
  auto t = trim(text);
  if (t == "max") return std::numeric_limits<uint64_t>::max();
  return parseUnsigned(t);
}

std::optional<FlatKeyed> parseMeminfo(std::string_view text) {
  FlatKeyed out;
  for (auto raw : split(text, '\n')) {
    auto line = trim(raw);
    if (line.empty()) continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto fields = splitBlanks(line.substr(colon + 1));
    if (fields.empty() || fields.size() > 2) return std::nullopt;
    auto v = parseUnsigned(fields[0]);
    if (!v) return std::nullopt;
    uint64_t mult = 1;
    if (fields.size() == 2) {
      if (fields[1] != "kB") return std::nullopt;
      mult = 1024;
    }
    if (*v > std::numeric_limits<uint64_t>::max() / mult) return std::nullopt;
    out.emplace(std::string(line.substr(0, colon)), *v * mult);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::optional<SwapInfo> parseSwaps(std::string_view text) {
  auto lines = split(text, '\n');
  if (lines.empty() || !startsWith(trim(lines[0]), "Filename")) return std::nullopt;
  std::vector<SwapDevice> devices;
  for (size_t i = 1; i < lines.size(); ++i) {
    auto fields = splitBlanks(trim(lines[i]));
    if (fields.empty()) continue;
    if (fields.size() < 4) return std::nullopt;
    auto size = parseUnsigned(fields[2]);
    auto used = parseUnsigned(fields[3]);
    if (!size || !used || *size > UINT64_MAX / 1024 || *used > UINT64_MAX / 1024) return std::nullopt;
    devices.push_back({std::string(fields[0]), *size * 1024, *used * 1024});
  }
  return sumSwapDevices(std::move(devices));
}

SwapInfo sumSwapDevices(std::vector<SwapDevice> devices) {
  SwapInfo info;
  for (const auto& d : devices) {
    info.totalBytes = info.totalBytes > UINT64_MAX - d.sizeBytes ? UINT64_MAX : info.totalBytes + d.sizeBytes;
    info.usedBytes = info.usedBytes > UINT64_MAX - d.usedBytes ? UINT64_MAX : info.usedBytes + d.usedBytes;
  }
  info.devices = std::move(devices);
  return info;
}

std::optional<ZramStat> parseZramMmStat(std::string_view text) {
  // orig_data_size compr_data_size mem_used_total mem_limit mem_used_max
  // same_pages pages_compacted huge_pages [huge_pages_since]
  auto fields = splitBlanks(trim(text));
  if (fields.size() < 5) return std::nullopt;
  uint64_t v[4];
  for (int i = 0; i < 4; ++i) {
    auto n = parseUnsigned(fields[static_cast<size_t>(i)]);
    if (!n) return std::nullopt;
    v[i] = *n;
  }
  return ZramStat{v[0], v[1], v[2], v[3]};
}

std::optional<std::string> zramDeviceName(std::string_view swapFilename) {
  constexpr std::string_view prefix = "/dev/zram";
  if (!startsWith(swapFilename, prefix) || swapFilename.size() == prefix.size() || swapFilename.size() > prefix.size() + 6)
    return std::nullopt;
  for (char c : swapFilename.substr(prefix.size()))
    if (c < '0' || c > '9') return std::nullopt;
  return std::string(swapFilename.substr(5));
}

SwapDevice zramEffective(const SwapDevice& device, const ZramStat& zram, uint64_t memAvailableBytes) {
  double used = static_cast<double>(device.usedBytes);
  double memUsed = static_cast<double>(zram.memUsedTotalBytes);
  double limit = zram.memLimitBytes > 0 ? static_cast<double>(zram.memLimitBytes)
                                        : memUsed + static_cast<double>(memAvailableBytes);
  double memoryRoom = limit > memUsed ? limit - memUsed : 0;
  double perByte = used > 0 && memUsed > 0 ? used / memUsed : 1.0;
  double sizeRoom = device.sizeBytes > device.usedBytes ? static_cast<double>(device.sizeBytes - device.usedBytes) : 0;
  double room = std::min(sizeRoom, memoryRoom * perByte);
  SwapDevice out = device;
  out.sizeBytes = device.usedBytes + static_cast<uint64_t>(room);
  return out;
}

std::optional<std::vector<int>> parsePids(std::string_view text) {
  std::vector<int> out;
  for (auto raw : split(text, '\n')) {
    auto t = trim(raw);
    if (t.empty()) continue;
    auto v = parseUnsigned(t);
    if (!v || *v == 0 || *v > static_cast<uint64_t>(std::numeric_limits<int>::max())) return std::nullopt;
    out.push_back(static_cast<int>(*v));
  }
  return out;
}

}  // namespace unitoomd
