#include "act/memory_high_lift.h"

#include <cstring>

#include "util/log.h"
#include "util/parse.h"
#include "util/strings.h"

namespace unitoomd {

std::optional<std::string> memoryHighLimit(std::string_view contents) {
  std::string_view v = trim(contents);
  if (!parseUnsigned(v)) return std::nullopt;  // "max", empty, garbage
  return std::string(v);
}

std::optional<std::string> liftMemoryHigh(const CgroupDir& victim) {
  FileRead cur = victim.read("memory.high");
  auto limit = cur.ok() ? memoryHighLimit(cur.data) : std::nullopt;
  if (!limit) return std::nullopt;
  auto r = victim.write("memory.high", "max");
  if (!r) {
    LOG_DEBUG("%s: %s", r.error().message.c_str(), strerror(r.error().errnum));
    return std::nullopt;
  }
  return limit;
}

void restoreMemoryHigh(const CgroupDir& victim, const std::string& limit) {
  FileRead cur = victim.read("memory.high");
  if (!cur.ok() || trim(cur.data) != "max") return;  // gone, or set anew by its owner: theirs now
  auto r = victim.write("memory.high", limit);
  if (!r) LOG_DEBUG("%s: %s", r.error().message.c_str(), strerror(r.error().errnum));
}

}  // namespace unitoomd
