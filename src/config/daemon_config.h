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

// [Desktop]: protecting desktop sessions (see unitoomd.conf(5)).
struct DesktopConfig {
  // Follow every user manager (user@UID.service) on its user's session bus:
  // the user's own units, ranked and killed through that manager.
  bool followUserManagers = true;
  // Scopes in which one process (or its job's process group) is killed
  // instead of the whole scope: login sessions and terminal tabs.
  std::vector<std::string> killProcessesIn = {"session-*.scope",  "vte-spawn-*.scope", "tmux-spawn-*.scope", "*terminal*.scope",
                                              "*Terminal*.scope", "*konsole*.scope",   "*kitty*.scope",      "*alacritty*.scope",
                                              "*foot*.scope",     "*wezterm*.scope"};
  // Units never killed, nor anything that contains one (cgroup names).
  std::vector<std::string> protectedUnits = {"init.scope",
                                             "session.slice",
                                             "dbus.service",
                                             "dbus-broker.service",
                                             "dbus.socket",
                                             "pipewire.service",
                                             "pipewire-pulse.service",
                                             "wireplumber.service",
                                             "pulseaudio.service",
                                             "org.gnome.Shell@*.service",
                                             "org.gnome.Shell.service",
                                             "gnome-shell*.service",
                                             "plasma-kwin_*.service",
                                             "plasma-plasmashell.service",
                                             "xdg-desktop-portal*.service",
                                             "gdm.service",
                                             "sddm.service",
                                             "lightdm.service",
                                             "display-manager.service",
                                             "systemd-logind.service",
                                             "systemd-journald.service",
                                             "unitoomd.service"};
  // Processes never killed inside such scopes (command names, /proc/PID/comm).
  std::vector<std::string> protectedProcesses = {
      "systemd",     "(sd-pam)", "dbus-daemon", "dbus-broker*", "gnome-shell", "gnome-session*", "mutter*",   "kwin_*",
      "plasmashell", "Xorg",     "Xwayland",    "sway",         "weston",      "labwc",          "pipewire*", "wireplumber",
      "pulseaudio",  "sshd",     "login",       "gdm*",         "sddm*",       "lightdm*"};
  enum class Lmm { Auto, Yes, No };
  Lmm lowMemoryMonitor = Lmm::Auto;  // provide org.freedesktop.LowMemoryMonitor
  bool notify = true;                // desktop notification after a kill in a user's session
  // Pause and ask (desktop/ask_policy.h): freeze a user's app and ask
  // "Close <app>" / "Keep running" before killing it. Opt-in.
  bool askBeforeKill = false;
  Duration askTimeout = std::chrono::seconds(20);  // no answer: killed
  Duration askCoolDown = std::chrono::minutes(5);  // after Keep running: spared this long
};

constexpr Duration kDefaultSystemdKillTimeout = std::chrono::milliseconds(300);

struct DaemonConfig {
  // [OOM]
  double swapUsedLimitPercent = 90;
  double defaultMemoryPressureLimitPercent = 60;
  Duration defaultMemoryPressureDuration = std::chrono::seconds(30);
  // How rulesets synthesized from units act: kill (KillUnit), stop
  // (StopUnit, SIGKILL after StopTimeoutSec=) or restart (RestartUnit).
  std::string unitKillMethod = "kill";
  Duration stopTimeout = std::chrono::seconds(10);
  // How long a kill waits for systemd (or a user's manager) to answer
  // before killing the cgroup itself with cgroup.kill (see unitoomd.conf(5)
  // for why 300 ms).
  Duration systemdKillTimeout = kDefaultSystemdKillTimeout;
  // Without usable swap, units with ManagedOOMSwap=kill (and -.slice) kill
  // the fastest grower when memory is predicted to run out within this; 0: off.
  Duration memoryExhaustion = std::chrono::seconds(10);
  // [Daemon]
  std::string rulesetFile;       // JSON rulesets; empty: none
  std::string rulesetDropInDir;  // JSON drop-ins; empty: none
  Duration sampleInterval = std::chrono::milliseconds(250);
  Duration idleInterval = std::chrono::seconds(30);
  bool dryRun = false;
  std::string cgroupRoot;  // empty: detect
  DesktopConfig desktop;
};

struct ConfigPaths {
  std::string mainFile;                 // may not exist
  std::vector<std::string> dropInDirs;  // highest precedence first
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
