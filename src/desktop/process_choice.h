// Which process to kill inside a login session or terminal scope, where
// killing the whole scope would take the user's shell (and every other tab's
// work) with the job that ate the memory. Pure: the kill edge reads /proc and
// hands the facts over.
//
// The largest process (resident + swapped) that is not protected is the
// culprit. If it belongs to a job - its process group is not its session's
// (a shell's jobs get groups of their own) - the whole job goes (the
// pipeline, `make` with its compilers), but only its members inside the
// scope; otherwise the process alone (a job in the shell's own group: the
// group would take the shell). The session leader (the tab's shell, the
// login session's first process) is never killed, nor the terminal emulator
// holding the shells' ptys (desktop/terminal_sessions.h): an idle shell is
// the common case, a shell that is itself the hog the rare one, and the scope
// is then reported as having nothing to kill so the next candidate is taken.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace unitoomd {

struct ProcessInfo {
  int pid = 0;
  int pgid = 0;
  int sid = 0;
  std::string comm;
  uint64_t rssBytes = 0;
  uint64_t swapBytes = 0;
  int ppid = 0;
  unsigned ttyNr = 0;  // the session's controlling terminal (/proc/PID/stat tty_nr); 0: none
  uint64_t bytes() const { return rssBytes + swapBytes; }
};

struct ProcessVictim {
  int pid = 0;  // the culprit
  std::string comm;
  uint64_t bytes = 0;  // its memory
  int pgid = 0;
  bool wholeJob = false;  // its process group (inside the scope) goes too
  std::vector<int> pids;  // everything to signal, the culprit first
};

// nullopt when every process is protected (or there is none); `why` then
// says so, naming the protected ones.
std::optional<ProcessVictim> chooseProcessVictim(const std::vector<ProcessInfo>& processes,
                                                 const std::vector<std::string>& protectedComms, std::string* why);

// /proc/PID/stat: parent, process group, session and controlling terminal
// ("pid (comm) S ppid pgrp session tty_nr ...").
struct ProcStat {
  std::string comm;
  int pgid = 0;
  int sid = 0;
  int ppid = 0;
  unsigned ttyNr = 0;
};
std::optional<ProcStat> parseProcStat(std::string_view text);
// /proc/PID/status: VmRSS and VmSwap, in bytes (kernel threads have neither: 0).
std::pair<uint64_t, uint64_t> parseProcStatusMemory(std::string_view text);

}  // namespace unitoomd
