// unitoomd.conf: the daemon's own settings. Its [OOM] section takes
// systemd-oomd's keys with the same meaning and defaults, so an
// administrator's oomd.conf works as is.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/diagnostics.h"
#include "util/time.h"

namespace unitoomd {

struct DaemonConfig {
  // [OOM]
  double swapUsedLimitPercent = 90;
  double defaultMemoryPressureLimitPercent = 60;
  Duration defaultMemoryPressureDuration = std::chrono::seconds(30);
  // How rulesets synthesized from units act: kill (KillUnit), stop
  // (StopUnit, SIGKILL after StopTimeoutSec=) or restart (RestartUnit).
  std::string unitKillMethod = "kill";
  Duration stopTimeout = std::chrono::seconds(10);
  // [Daemon]
  std::string rulesetFile;       // JSON rulesets; empty: none
  std::string rulesetDropInDir;  // JSON drop-ins; empty: none
  Duration sampleInterval = std::chrono::milliseconds(250);
  Duration idleInterval = std::chrono::seconds(30);
  bool dryRun = false;
  std::string cgroupRoot;  // empty: detect
};

struct ConfigPaths {
  std::string mainFile;                  // may not exist
  std::vector<std::string> dropInDirs;   // highest precedence first
};

// /etc/unitoomd/unitoomd.conf with unitoomd.conf.d/*.conf from /etc, /run,
// /usr/local/lib and /usr/lib (a file in an earlier directory masks one of
// the same name in a later one). With --config FILE: FILE and FILE.d/.
ConfigPaths defaultConfigPaths(const std::string& sysconfdir);
ConfigPaths explicitConfigPaths(const std::string& file);

// Applies one file's text on top of `config`.
void applyDaemonConfig(std::string_view text, const std::string& file, DaemonConfig& config, Diagnostics& diags);

// Main file then drop-ins in name order. A missing main file is fine when
// `mainMayBeMissing` (the default location); an explicit one must exist.
DaemonConfig loadDaemonConfig(const ConfigPaths& paths, bool mainMayBeMissing, Diagnostics& diags);

std::vector<std::string> dropInFiles(const std::vector<std::string>& dirs, const std::string& suffix);

}  // namespace unitoomd
