#include "desktop/process_choice.h"

#include <algorithm>
#include <set>

#include "desktop/protection.h"
#include "desktop/terminal_sessions.h"
#include "util/parse.h"
#include "util/strings.h"

namespace unitoomd {

std::optional<ProcessVictim> chooseProcessVictim(const std::vector<ProcessInfo>& processes,
                                                 const std::vector<std::string>& protectedComms, std::string* why) {
  const ProcessInfo* top = nullptr;
  std::vector<std::string> spared;
  std::set<int> emulators = terminalSessionsIn(processes).emulators;
  for (const auto& p : processes) {
    if (matchesAny(p.comm, protectedComms)) {
      spared.push_back(p.comm);
      continue;
    }
    if (emulators.count(p.pid)) {
      spared.push_back(p.comm + " (terminal emulator)");
      continue;
    }
    if (p.pid == p.sid) {
      spared.push_back(p.comm + " (session leader)");
      continue;
    }
    if (!top || p.bytes() > top->bytes() || (p.bytes() == top->bytes() && p.pid < top->pid)) top = &p;
  }
  if (!top) {
    if (why)
      *why = processes.empty()
                 ? "no processes"
                 : "every process is protected, leads the session or holds its terminal (" + join(spared, ", ") + ")";
    return std::nullopt;
  }
  ProcessVictim v;
  v.pid = top->pid;
  v.comm = top->comm;
  v.bytes = top->bytes();
  v.pgid = top->pgid;
  v.pids.push_back(top->pid);
  bool inJob = top->pgid > 0 && top->pgid != top->sid;
  if (inJob) {
    bool groupProtected = false;
    for (const auto& p : processes)
      if (p.pgid == top->pgid && matchesAny(p.comm, protectedComms)) groupProtected = true;
    if (!groupProtected) {
      v.wholeJob = true;
      for (const auto& p : processes)
        if (p.pgid == top->pgid && p.pid != top->pid && p.pid != p.sid && !emulators.count(p.pid)) v.pids.push_back(p.pid);
    }
  }
  return v;
}

std::optional<ProcStat> parseProcStat(std::string_view text) {
  // comm may hold spaces and parentheses: it ends at the last ')'.
  auto open = text.find('('), close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
  auto fields = splitBlanks(text.substr(close + 1));
  // state ppid pgrp session tty_nr
  if (fields.size() < 5) return std::nullopt;
  auto ppid = parseSigned(fields[1]), pgid = parseSigned(fields[2]), sid = parseSigned(fields[3]), tty = parseSigned(fields[4]);
  if (!ppid || !pgid || !sid || !tty) return std::nullopt;
  return ProcStat{std::string(text.substr(open + 1, close - open - 1)), static_cast<int>(*pgid), static_cast<int>(*sid),
                  static_cast<int>(*ppid), static_cast<unsigned>(*tty)};
}

std::pair<uint64_t, uint64_t> parseProcStatusMemory(std::string_view text) {
  uint64_t rss = 0, swap = 0;
  for (auto line : split(text, '\n')) {
    uint64_t* out = startsWith(line, "VmRSS:") ? &rss : startsWith(line, "VmSwap:") ? &swap : nullptr;
    if (!out) continue;
    auto words = splitBlanks(line.substr(line.find(':') + 1));
    if (words.empty()) continue;
    if (auto kb = parseUnsigned(words[0])) *out = *kb * 1024;
  }
  return {rss, swap};
}

}  // namespace unitoomd
