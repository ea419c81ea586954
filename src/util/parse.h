// Number parsers shared by every front end (JSON plugin arguments, INI keys).
// They never throw and reject trailing garbage, overflow, NaN and infinity.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "util/result.h"
#include "util/time.h"

namespace unitoomd {

std::optional<uint64_t> parseUnsigned(std::string_view s);
std::optional<int64_t> parseSigned(std::string_view s);
std::optional<double> parseDouble(std::string_view s);
std::optional<bool> parseBool(std::string_view s);

// systemd time spans: "30s", "250ms", "1min", "2.5s", "1min 30s", "500us".
// A bare number is in seconds (as in oomd's JSON and systemd's *Sec= keys).
Result<Duration> parseDuration(std::string_view s);

// "60%", "60.5%", "60" (percent), "50‱" (permyriad). Range 0..100.
Result<double> parsePercent(std::string_view s);

// A memory threshold: either an absolute size or a percentage of a total that
// is only known at sample time (so "10%" is never frozen at start-up).
struct SizeOrPercent {
  bool isPercent = false;
  double percent = 0;  // when isPercent
  uint64_t bytes = 0;  // otherwise

  uint64_t resolve(uint64_t total) const {
    return isPercent ? static_cast<uint64_t>(static_cast<double>(total) * percent / 100.0) : bytes;
  }
};

// "1.5G", "32K", "512M", "4096B", "10%". A bare number is in MiB, as in oomd.
Result<SizeOrPercent> parseSizeOrPercent(std::string_view s);

}  // namespace unitoomd
