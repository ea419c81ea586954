// Which processes of a scope are the shells of a terminal and which is the
// terminal emulator, known from the process tree rather than the scope's
// name: most terminals (kitty, foot, WezTerm, anything started through a
// launcher or xdg-terminal-exec) run as `app-<launcher>-<name>-<pid>.scope`
// with every tab's shell in that one cgroup. Pure.
//
// A shell is a session leader in the scope whose session has a controlling
// pseudo-terminal (/proc/PID/stat tty_nr: a Unix98 pty slave). The emulator
// is the shell's parent when that parent is in the scope: it holds the pty
// master. (Reading the emulator's fds for /dev/ptmx would name it directly,
// but /proc/PID/fd of another user's process needs CAP_SYS_PTRACE, which the
// shipped unit does not grant.) A process on a pty whose session leader is
// outside the scope (an app started with `systemd-run --scope` from a shell)
// makes no terminal of its scope: that scope is the app's own.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "desktop/process_choice.h"

namespace unitoomd {

// tty_nr of /proc/PID/stat: /dev/pts/N (majors 136-143).
bool isPseudoTerminal(unsigned ttyNr);
std::string ttyName(unsigned ttyNr);  // "pts/3"; "tty 4:1" for others

struct TerminalSessions {
  std::set<int> shells;                // session leaders on a pty, in the scope
  std::set<int> emulators;             // their parents in the scope
  std::vector<std::string> terminals;  // the shells' ptys, "pts/3", by shell pid
  bool any() const { return !shells.empty(); }
};
TerminalSessions terminalSessionsIn(const std::vector<ProcessInfo>& processes);

// Whether a victim is looked at for terminals: a scope or service run by a
// user's manager (strictly under user@UID.service; everything a per-user
// instance watches is). A system service with ptys is still killed as a
// unit, and so is a slice, which would mix many apps' processes.
bool mayHoldTerminal(std::string_view cgroupPath, bool everyCgroupIsUsers);

// How a victim scope is killed: one process or job (a terminal, or a scope
// named in KillProcessesIn=, the override), or the whole scope (an
// application, however many processes it has). `why` says which, in words
// for the kill report.
struct ScopeKillShape {
  bool perProcess = false;
  std::string why;
};
ScopeKillShape scopeKillShape(bool namedInKillProcessesIn, const TerminalSessions& terminals);

}  // namespace unitoomd
