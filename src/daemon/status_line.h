// The daemon's line in `systemctl status` (sd_notify STATUS=). Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace unitoomd {

struct StatusFacts {
  size_t rulesets = 0;
  size_t triggers = 0;
  uint64_t kills = 0;
  bool dryRun = false;
  bool standingBy = false;     // --user: the system instance protects this session
  int64_t unitsFollowed = -2;  // -2: not following systemd; -1: waiting for it
};

std::string statusLine(const StatusFacts& f);

}  // namespace unitoomd
