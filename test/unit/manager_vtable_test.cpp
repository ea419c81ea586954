// What unitoomd serves at /org/unitoomd1 is the interface it documents and
// installs (dbus/org.unitoomd1.Manager.xml): every member, its signature,
// its argument names and, for a property, whether it signals its changes.
// busctl introspects the vtable, so the two must not drift apart.
#include <gtest/gtest.h>
#include <systemd/sd-bus.h>

#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "api/manager_object.h"

namespace unitoomd {
namespace {

// "property Name" -> "s read false", "method Name" -> "in:format:s out:text:s ",
// "signal Name" -> "unit:s cgroup:s "
using Members = std::map<std::string, std::string>;

std::string attribute(const std::string& tag, const char* name) {
  std::smatch m;
  std::regex re(std::string(name) + "=\"([^\"]*)\"");
  return std::regex_search(tag, m, re) ? m[1].str() : "";
}

Members fromXml(const std::string& xml) {
  Members out;
  std::regex element(R"(<(property|method|signal)\s[^>]*?(/>|>([\s\S]*?)</\1>))");
  for (auto it = std::sregex_iterator(xml.begin(), xml.end(), element); it != std::sregex_iterator(); ++it) {
    std::string kind = (*it)[1], whole = (*it)[0], body = (*it)[3];
    std::string head = whole.substr(0, whole.find('>'));
    std::string name = attribute(head, "name");
    std::string desc;
    if (kind == "property") {
      std::smatch m;
      std::string emits = "true";
      if (std::regex_search(body, m, std::regex(R"re(EmitsChangedSignal" value="([^"]*)")re"))) emits = m[1];
      desc = attribute(head, "type") + " " + attribute(head, "access") + " " + emits;
    } else {
      std::regex arg(R"(<arg\s[^>]*>)");
      for (auto a = std::sregex_iterator(body.begin(), body.end(), arg); a != std::sregex_iterator(); ++a) {
        std::string tag = (*a)[0];
        std::string direction = kind == "method" ? (attribute(tag, "direction") == "in" ? "in:" : "out:") : "";
        desc += direction + attribute(tag, "name") + ":" + attribute(tag, "type") + " ";
      }
    }
    out[kind + " " + name] = desc;
  }
  return out;
}

// "s\0t\0" and "format\0text\0" -> the names, one a complete type each.
std::vector<std::string> names(const char* packed) {
  std::vector<std::string> out;
  for (const char* p = packed; p && *p; p += strlen(p) + 1) out.emplace_back(p);
  return out;
}

// A D-Bus signature split into its complete types ("sa(ss)d" -> s, a(ss), d).
std::vector<std::string> completeTypes(const std::string& signature) {
  std::vector<std::string> out;
  for (size_t i = 0; i < signature.size();) {
    size_t j = i;
    while (signature[j] == 'a') ++j;
    if (signature[j] == '(' || signature[j] == '{') {
      int depth = 0;
      do {
        if (signature[j] == '(' || signature[j] == '{') ++depth;
        if (signature[j] == ')' || signature[j] == '}') --depth;
        ++j;
      } while (depth > 0);
    } else {
      ++j;
    }
    out.push_back(signature.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string arguments(const char* prefix, const char* signature, const std::vector<std::string>& argNames, size_t& next) {
  std::string out;
  for (const auto& type : completeTypes(signature ? signature : ""))
    out += std::string(prefix) + (next < argNames.size() ? argNames[next++] : "?") + ":" + type + " ";
  return out;
}

Members fromVtable(const sd_bus_vtable* v) {
  Members out;
  for (; v->type != _SD_BUS_VTABLE_END; ++v) {
    switch (v->type) {
      case _SD_BUS_VTABLE_METHOD: {
        auto argNames = names(v->x.method.names);
        size_t next = 0;
        std::string in = arguments("in:", v->x.method.signature, argNames, next);
        out[std::string("method ") + v->x.method.member] = in + arguments("out:", v->x.method.result, argNames, next);
        break;
      }
      case _SD_BUS_VTABLE_SIGNAL: {
        size_t next = 0;
        out[std::string("signal ") + v->x.signal.member] = arguments("", v->x.signal.signature, names(v->x.signal.names), next);
        break;
      }
      case _SD_BUS_VTABLE_PROPERTY:
      case _SD_BUS_VTABLE_WRITABLE_PROPERTY: {
        std::string emits = (v->flags & SD_BUS_VTABLE_PROPERTY_CONST)         ? "const"
                            : (v->flags & SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE) ? "true"
                                                                               : "false";
        std::string access = v->type == _SD_BUS_VTABLE_PROPERTY ? "read" : "readwrite";
        out[std::string("property ") + v->x.property.member] = std::string(v->x.property.signature) + " " + access + " " + emits;
        break;
      }
      default: break;
    }
  }
  return out;
}

TEST(ManagerVtable, ServesExactlyTheDocumentedInterface) {
  const char* path = getenv("UNITOOMD_MANAGER_XML");
  if (!path) GTEST_SKIP() << "UNITOOMD_MANAGER_XML (dbus/org.unitoomd1.Manager.xml) is not set; meson sets it";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::stringstream xml;
  xml << in.rdbuf();
  Members documented = fromXml(xml.str());
  ASSERT_GE(documented.size(), 18u) << "the interface file was not understood";
  Members served = fromVtable(ManagerObject::vtable());
  for (const auto& [member, shape] : documented) {
    auto it = served.find(member);
    if (it == served.end()) ADD_FAILURE() << member << " is documented but not served";
    else EXPECT_EQ(it->second, shape) << member;
  }
  for (const auto& [member, shape] : served)
    if (!documented.count(member)) ADD_FAILURE() << member << " is served but not documented";
}

// Every method answers any caller as far as sd-bus goes (Reload and
// SetDryRun check for root themselves): without the flag sd-bus would ask
// for the caller's privilege and refuse plain users even Dump.
TEST(ManagerVtable, MethodsAreOpenToEveryCaller) {
  for (const sd_bus_vtable* v = ManagerObject::vtable(); v->type != _SD_BUS_VTABLE_END; ++v)
    if (v->type == _SD_BUS_VTABLE_METHOD) {
      EXPECT_TRUE(v->flags & SD_BUS_VTABLE_UNPRIVILEGED) << v->x.method.member;
    }
}

}  // namespace
}  // namespace unitoomd
