#include "desktop/session_words.h"

#include <cctype>

#include "desktop/protection.h"
#include "util/display_text.h"
#include "util/parse.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

std::string unescapeUnitName(std::string_view s) {
  std::string out;
  auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x' && hex(s[i + 2]) >= 0 && hex(s[i + 3]) >= 0) {
      out += static_cast<char>(hex(s[i + 2]) * 16 + hex(s[i + 3]));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool allDigitsOrHex(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// The launchers that prefix app unit names (systemd.special(7), desktop
// environments' own).
constexpr const char* kLaunchers[] = {"gnome-", "kde-", "flatpak-", "snap-", "xfce-", "dbus-", "sway-", "i3-"};

// The body of a notification may be read as markup (the Desktop Notifications
// spec's "body-markup": <b>, <i>, <a href>, <img>): what is not ours must not
// become a link or an image.
std::string markupEscaped(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

}  // namespace

std::optional<uid_t> uidOfCgroup(std::string_view path) {
  for (auto part : split(path, '/')) {
    if (!startsWith(part, "user-") || !endsWith(part, ".slice")) continue;
    auto n = parseUnsigned(part.substr(5, part.size() - 5 - 6));
    if (n && *n < UINT32_MAX) return static_cast<uid_t>(*n);
  }
  return std::nullopt;
}

bool isUserManagersUnit(std::string_view cgroupPath) {
  auto slash = cgroupPath.rfind('/');
  if (slash == std::string_view::npos) return false;
  std::string_view name = cgroupPath.substr(slash + 1);
  if (!endsWith(name, ".scope") && !endsWith(name, ".service")) return false;
  for (auto at = cgroupPath.find("/user@"); at != std::string_view::npos; at = cgroupPath.find("/user@", at + 1)) {
    auto end = cgroupPath.find('/', at + 1);
    if (end != std::string_view::npos && end < slash && endsWith(cgroupPath.substr(at, end - at), ".service")) return true;
  }
  return false;
}

bool concernsUser(std::string_view monitored, uid_t uid) {
  std::string slice = strprintf("/user.slice/user-%u.slice", uid);
  if (startsWith(monitored, slice) && (monitored.size() == slice.size() || monitored[slice.size()] == '/')) return true;
  std::string m(monitored);
  if (m.size() > 1 && m.back() == '/') m.pop_back();
  return m == "/" || (startsWith(slice, m) && slice[m.size()] == '/');
}

std::string appNameOf(std::string_view unit) {
  std::string name(cgroupName(unit));
  for (const char* type : {".scope", ".service", ".slice"})
    if (endsWith(name, type)) {
      name.resize(name.size() - std::string_view(type).size());
      break;
    }
  if (startsWith(name, "app-")) {
    name = name.substr(4);
    for (const char* l : kLaunchers)
      if (startsWith(name, l) && name.size() > std::string_view(l).size()) {
        name = name.substr(std::string_view(l).size());
        break;
      }
    // a scope's random suffix: "-4242" or "-<uuid-ish hex>"
    auto dash = name.rfind('-');
    if (dash != std::string::npos && dash > 0 && allDigitsOrHex(name.substr(dash + 1)) && name.size() - dash > 2)
      name.resize(dash);
  }
  auto at = name.find('@');
  if (at != std::string::npos && at > 0) name.resize(at);
  return unescapeUnitName(name);
}

Notification notificationFor(const KillReport& r) {
  Notification n;
  // The names are the user's own (their units, their cgroups; appNameOf even
  // unescapes "\x1b" into ESC) and the text goes over D-Bus: shown escaped.
  // The summary is plain text by the spec; the body is escaped for markup too.
  std::string what = displaySafe(!r.process.empty() ? r.process : appNameOf(!r.unit.empty() ? r.unit : r.victim),
                                 shown::kNameBytes);
  n.summary = what + " was closed to free memory";
  std::string why;
  if (endsWith(r.ruleset, "/ManagedOOMMemoryPressure"))
    why =
        "Your session was spending too much time waiting for memory, so the program causing it was stopped "
        "before everything froze.";
  else if (endsWith(r.ruleset, "/MemoryExhaustion"))
    why = "Memory was about to run out, so the program taking it fastest was stopped before the system froze.";
  else if (endsWith(r.ruleset, "/ManagedOOMSwap"))
    why = "Memory and swap space were almost full, so the program using the most swap was stopped.";
  else why = "The system was running out of memory: " + displaySafe(r.description, shown::kTextBytes);
  std::string used;
  for (const auto& [k, v] : r.figures)
    if (k == "MEMORY_CURRENT" || k == "PROCESS_MEMORY")
      if (auto b = parseUnsigned(v)) used = " It was using " + formatBytes(*b) + ".";
  n.body = markupEscaped(why + used);
  return n;
}

Notification notificationForKernelOomKill(uint64_t processes) {
  Notification n;
  n.summary = processes == 1 ? "A program was closed to free memory" : "Programs were closed to free memory";
  n.body = markupEscaped(
      strprintf("The system ran out of memory before anything else could help, and the kernel stopped %s in "
                "your session. Closing programs you do not need keeps it from happening again.",
                processes == 1 ? "a program" : strprintf("%llu programs", static_cast<unsigned long long>(processes)).c_str()));
  return n;
}

}  // namespace unitoomd
