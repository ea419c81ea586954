// What unitoomd decodes from systemd's unit properties on D-Bus, without a bus:
//  - unit names from object paths (systemd/unit_tracker.cpp's
//    unitNameFromObjectPath, reached by including the file: it is internal);
//    systemd's encoding of any name decodes back to that name;
//  - a user's manager's claims (policy/untrusted_units.h): any name, cgroup and
//    values; what is kept is a valid unit name with a clean cgroup strictly
//    inside that user's subtree;
//  - the unit policy (policy/unit_policy.h) synthesized from arbitrary
//    settings: no rule or preference of a refused claim reaches any cgroup,
//    and what is synthesized compiles or is refused with diagnostics.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdlib>
#include <set>

#include "engine/compiler.h"
#include "plugins/registry.h"
#include "policy/unit_policy.h"
#include "policy/untrusted_units.h"
#include "systemd/unit_tracker.cpp"  // NOLINT: for unitNameFromObjectPath, internal to it

using namespace unitoomd;

namespace {

// sd_bus_path_encode(): letters stay, digits too but not first, every other
// byte is _XX; "" is "_".
std::string systemdPathOf(const std::string& name) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "/org/freedesktop/systemd1/unit/";
  if (name.empty()) return out + "_";
  bool first = true;
  for (unsigned char c : name) {
    bool digit = c >= '0' && c <= '9';
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (digit && !first)) {
      out += static_cast<char>(c);
    } else {
      out += '_';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
    first = false;
  }
  return out;
}

std::string pick(FuzzedDataProvider& in, std::initializer_list<const char*> usual) {
  if (in.ConsumeBool()) return in.ConsumeRandomLengthString(300);
  std::vector<const char*> v(usual);
  return v[in.ConsumeIntegralInRange<size_t>(0, v.size() - 1)];
}

UnitOomSettings settingsFrom(FuzzedDataProvider& in) {
  UnitOomSettings u;
  u.name = pick(in, {"work.slice", "app-firefox\\x2desr@1.service", "hog.service", "a.scope", "user@1000.service"});
  u.manager = pick(in, {"", "user@1000.service"});
  if (in.ConsumeBool()) u.claimedByUser = in.ConsumeIntegralInRange<uid_t>(0, 70000);
  std::string sub = userManagerSubtree(u.claimedByUser.value_or(1000));
  u.cgroup = pick(in, {"", "/", "/work.slice", "/system.slice/hog.service"});
  if (in.ConsumeBool()) u.cgroup = sub + u.cgroup;
  u.activeState = pick(in, {"active", "activating", "inactive", "failed", "reloading"});
  u.managedOOMSwap = pick(in, {"auto", "kill"});
  u.managedOOMMemoryPressure = pick(in, {"auto", "kill"});
  u.managedOOMMemoryPressureLimit = in.ConsumeIntegral<uint32_t>();
  if (in.ConsumeBool()) u.managedOOMMemoryPressureDurationUSec = in.ConsumeIntegral<uint64_t>();
  u.managedOOMPreference = pick(in, {"none", "avoid", "omit"});
  return u;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);

  // Names, as systemd encodes them in object paths, and any path at all.
  std::string name = in.ConsumeRandomLengthString(600);
  // A NUL byte cannot be in a unit name: such a path names no unit.
  std::string decodable = name.find('\0') == std::string::npos ? name : "";
  if (!name.empty() && unitNameFromObjectPath(systemdPathOf(name)) != decodable) abort();
  (void)unitNameFromObjectPath(name);
  (void)isValidUnitName(name);
  (void)isCleanCgroupPath(name);
  if (!refusalOfUserUnitName(name) && !isValidUnitName(name)) abort();

  // A few units, some of them claims of users' managers.
  std::vector<UnitOomSettings> units;
  size_t n = in.ConsumeIntegralInRange<size_t>(0, 8);
  for (size_t i = 0; i < n && in.remaining_bytes() > 0; ++i) units.push_back(settingsFrom(in));

  std::set<std::string> allowed = {"/"};  // cgroups a rule may name: not those of refused claims alone
  for (const auto& u : units) {
    if (!u.claimedByUser) {
      allowed.insert(u.cgroup);
      continue;
    }
    if (refusalOfUserUnit(*u.claimedByUser, u)) continue;
    std::string sub = userManagerSubtree(*u.claimedByUser);
    if (!isValidUnitName(u.name) || !isCleanCgroupPath(u.cgroup) || !cgroupWithin(u.cgroup, sub) || u.cgroup == sub) abort();
    allowed.insert(u.cgroup);
  }

  UnitPolicyDefaults defaults;
  defaults.killMethod = pick(in, {"kill", "stop", "restart"});
  UnitPolicy policy = synthesizeUnitPolicy(units, defaults);
  for (const auto& [cgroup, pref] : policy.preferences)
    if (!allowed.count(cgroup)) abort();
  for (const auto& rs : policy.rulesets.rulesets) {
    for (const auto& g : rs.detectors)
      for (const auto& call : g.detectors)
        if (auto c = call.args.find("cgroup"); c != call.args.end() && !allowed.count(c->second)) abort();
    for (const auto& call : rs.actions)
      if (auto c = call.args.find("cgroup"); c != call.args.end() && !allowed.count(c->second)) abort();
    Diagnostics diags;
    (void)compileRuleset(rs, builtinPlugins(), diags);
  }
  return 0;
}
