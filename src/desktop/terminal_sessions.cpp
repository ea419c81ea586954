#include "desktop/terminal_sessions.h"

#include <map>

#include "desktop/session_words.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

// The encoding of new_encode_dev(), which tty_nr uses.
unsigned majorOf(unsigned dev) { return (dev >> 8) & 0xfff; }
unsigned minorOf(unsigned dev) { return (dev & 0xff) | ((dev >> 12) & 0xfff00); }

}  // namespace

bool isPseudoTerminal(unsigned ttyNr) {
  unsigned major = majorOf(ttyNr);
  return major >= 136 && major <= 143;  // UNIX98_PTY_SLAVE_MAJOR .. + UNIX98_PTY_MAJOR_COUNT - 1
}

std::string ttyName(unsigned ttyNr) {
  if (isPseudoTerminal(ttyNr)) return strprintf("pts/%u", (majorOf(ttyNr) - 136) * 256 + minorOf(ttyNr));
  return strprintf("tty %u:%u", majorOf(ttyNr), minorOf(ttyNr));
}

TerminalSessions terminalSessionsIn(const std::vector<ProcessInfo>& processes) {
  TerminalSessions t;
  std::set<int> inScope;
  for (const auto& p : processes) inScope.insert(p.pid);
  std::map<int, std::string> ttys;
  for (const auto& p : processes) {
    if (p.pid != p.sid || !isPseudoTerminal(p.ttyNr)) continue;
    t.shells.insert(p.pid);
    ttys[p.pid] = ttyName(p.ttyNr);
    if (p.ppid > 0 && inScope.count(p.ppid)) t.emulators.insert(p.ppid);
  }
  // a shell that started another terminal (a nested emulator) stays a shell
  for (int s : t.shells) t.emulators.erase(s);
  for (const auto& [pid, tty] : ttys) t.terminals.push_back(tty);
  return t;
}

bool mayHoldTerminal(std::string_view cgroupPath, bool everyCgroupIsUsers) {
  if (everyCgroupIsUsers) {
    std::string_view name = cgroupPath.substr(cgroupPath.rfind('/') + 1);
    return endsWith(name, ".scope") || endsWith(name, ".service");
  }
  return isUserManagersUnit(cgroupPath);
}

ScopeKillShape scopeKillShape(bool namedInKillProcessesIn, const TerminalSessions& terminals) {
  if (namedInKillProcessesIn) return {true, "its name is in KillProcessesIn="};
  if (terminals.any())
    return {true, strprintf("a terminal: %zu interactive shell(s) on %s", terminals.shells.size(),
                            join(terminals.terminals, ", ").c_str())};
  return {false, "no interactive shell in it: an application, killed whole"};
}

}  // namespace unitoomd
