// What unitoomd writes as JSON (api/snapshot.cpp's renderings, through
// util/display_text's jsonQuote) for a snapshot whose unit and cgroup names,
// descriptions and reasons are any bytes (a user names cgroups in a delegated
// subtree, and may serve a fake systemd): the output is always valid UTF-8
// and strict JSON, and read back by unitoomd's own JSON reader every string is
// what utf8Safe says it is. The text renderings and display_text's functions
// keep their promises too: valid UTF-8, no control character, within bounds,
// stable when applied again.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>

#include "api/snapshot.h"
#include "config/json.h"
#include "strict_json.h"
#include "util/display_text.h"

using namespace unitoomd;
using unitoomd::fuzz::isValidUtf8;
using unitoomd::fuzz::StrictJson;

namespace {

// What failed is said before the abort that libFuzzer reports.
#define require(ok)                                                            \
  do {                                                                         \
    if (!(ok)) {                                                               \
      fprintf(stderr, "json_output_fuzz.cpp:%d: not so: %s\n", __LINE__, #ok); \
      abort();                                                                 \
    }                                                                          \
  } while (0)

std::string bytes(FuzzedDataProvider& in) {
  // Mostly short names, now and then one beyond the bounds.
  return in.ConsumeRandomLengthString(in.ConsumeBool() ? 64 : 6000);
}

// The string member `key` of a JSON object is `expected`.
void requireMember(const JsonValue& obj, const char* key, const std::string& raw) {
  const JsonValue* v = obj.find(key);
  require(v && v->isString() && v->text == utf8Safe(raw, shown::kDataBytes));
}

void checkShown(const std::string& raw) {
  for (size_t bound : {size_t{0}, size_t{7}, shown::kNameBytes}) {
    std::string d = displaySafe(raw, bound);
    require(isValidUtf8(d) && d.size() <= std::max<size_t>(bound, 3));
    for (unsigned char c : d) require(c >= 0x20 && c != 0x7f);
    require(displaySafe(d, bound) == d);
    std::string u = utf8Safe(raw, bound);
    require(isValidUtf8(u) && u.size() <= std::max<size_t>(bound, 3) && u.find('\0') == std::string::npos);
    require(utf8Safe(u, bound) == u);
    std::string q = jsonQuote(raw, bound);
    require(StrictJson::valid(q));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  Snapshot s;
  s.version = bytes(in);
  s.dryRun = in.ConsumeBool();
  s.killCount = in.ConsumeIntegral<uint64_t>();
  s.bus = bytes(in);
  s.standingBy = in.ConsumeBool();
  for (size_t i = in.ConsumeIntegralInRange<size_t>(0, 3); i > 0; --i) s.followedUsers.push_back(in.ConsumeIntegral<uint32_t>());
  for (size_t i = in.ConsumeIntegralInRange<size_t>(0, 3); i > 0; --i)
    s.rulesets.push_back({bytes(in), bytes(in), bytes(in), bytes(in)});
  for (size_t i = in.ConsumeIntegralInRange<size_t>(0, 3); i > 0; --i)
    s.cgroups.push_back({bytes(in), in.ConsumeFloatingPoint<double>(), in.ConsumeFloatingPoint<double>()});
  for (size_t i = in.ConsumeIntegralInRange<size_t>(0, 3); i > 0; --i) {
    KillRecord k;
    k.realtimeUsec = in.ConsumeIntegralInRange<uint64_t>(0, uint64_t{1} << 52);
    k.unit = bytes(in), k.cgroup = bytes(in), k.ruleset = bytes(in), k.reason = bytes(in);
    k.dryRun = in.ConsumeBool();
    // A figure's name is unitoomd's own (one of each), its value anything.
    static const char* const kFigures[] = {"UNITOOMD_OWN_MEMORY_STALL_PCT", "N_PROCESSES", "UNITOOMD_REASON"};
    for (size_t j = 0, n = in.ConsumeIntegralInRange<size_t>(0, 3); j < n; ++j) k.figures.emplace_back(kFigures[j], bytes(in));
    s.kills.push_back(std::move(k));
  }

  std::string json = renderDumpJson(s);
  require(StrictJson::valid(json));
  auto doc = parseJson(json);
  if (!doc)
    fprintf(stderr, "unitoomd's JSON reader: line %d column %d: %s\n", doc.error().line, doc.error().column,
            doc.error().message.c_str());
  require(static_cast<bool>(doc) && doc->isObject());
  requireMember(*doc, "version", s.version);
  requireMember(*doc, "systemd_bus", s.bus);
  const JsonValue* rulesets = doc->find("rulesets");
  require(rulesets && rulesets->isArray() && rulesets->items.size() == s.rulesets.size());
  for (size_t i = 0; i < s.rulesets.size(); ++i) {
    requireMember(rulesets->items[i], "name", s.rulesets[i].name);
    requireMember(rulesets->items[i], "description", s.rulesets[i].description);
  }
  const JsonValue* cgroups = doc->find("monitored_cgroups");
  require(cgroups && cgroups->isArray() && cgroups->items.size() == s.cgroups.size());
  for (size_t i = 0; i < s.cgroups.size(); ++i) requireMember(cgroups->items[i], "cgroup", s.cgroups[i].path);
  const JsonValue* kills = doc->find("kills");
  require(kills && kills->isArray() && kills->items.size() == s.kills.size());
  for (size_t i = 0; i < s.kills.size(); ++i) {
    requireMember(kills->items[i], "unit", s.kills[i].unit);
    requireMember(kills->items[i], "cgroup", s.kills[i].cgroup);
    requireMember(kills->items[i], "reason", s.kills[i].reason);
  }
  require(StrictJson::valid(renderRulesetsJson(s.rulesets)));
  require(StrictJson::valid(renderKillsJson(s.kills)));

  std::string text = renderDump(s);
  require(isValidUtf8(text));
  for (unsigned char c : text) require(c >= 0x20 || c == '\n');

  if (!s.rulesets.empty()) checkShown(s.rulesets[0].name);
  return 0;
}
