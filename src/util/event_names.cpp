#include "util/event_names.h"

#include <algorithm>
#include <map>

namespace unitoomd {
namespace {

// Names are bounded by what the daemon creates (one per trigger, bus and
// watch); a name that goes away keeps its count, so the map is capped.
constexpr size_t kMaxNames = 4096;
std::map<std::string, uint64_t>& wakes() {
  static std::map<std::string, uint64_t> m;
  return m;
}

}  // namespace

void nameSource(sd_event_source* s, const std::string& name) {
  if (s) sd_event_source_set_description(s, name.c_str());
}

void countWake(sd_event_source* s) {
  const char* name = nullptr;
  if (!s || sd_event_source_get_description(s, &name) < 0 || !name) name = "(unnamed)";
  auto& m = wakes();
  auto it = m.find(name);
  if (it != m.end()) ++it->second;
  else if (m.size() < kMaxNames) m.emplace(name, 1);
}

std::vector<std::pair<std::string, uint64_t>> busiestWakeSources(size_t n) {
  std::vector<std::pair<std::string, uint64_t>> v(wakes().begin(), wakes().end());
  std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (v.size() > n) v.resize(n);
  return v;
}

}  // namespace unitoomd
