// `systemctl set-property` sends no D-Bus signal (checked against systemd
// 252): the manager writes the setting as a drop-in in its control
// directory (/etc/systemd/system.control/UNIT.d/50-NAME.conf, or under /run
// with --runtime; user.control for user managers) and says nothing. Watching
// those directories with inotify tells which unit to read again, at once,
// instead of a resync of every unit on a timer.
//
// A control directory that does not exist yet (none is made before the
// first set-property) is awaited on the nearest existing directory of its
// path.
#pragma once

#include <sys/inotify.h>
#include <systemd/sd-event.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace unitoomd {

// The control directories of the manager this process runs under: the
// system manager's, or (`user`) the invoking user's manager's.
std::vector<std::string> ownControlDirs(bool user);
// The control directories of user `uid`'s manager, seen from outside.
std::vector<std::string> userControlDirsOf(uid_t uid);
// "pick.slice.d" -> "pick.slice"; empty for what is not a unit drop-in dir.
std::string unitOfDropInDir(const std::string& name);

class ControlDirWatch {
 public:
  ControlDirWatch(sd_event* event, const std::vector<std::string>& dirs, std::function<void(const std::string& unit)> changed);
  ~ControlDirWatch();
  ControlDirWatch(const ControlDirWatch&) = delete;
  ControlDirWatch& operator=(const ControlDirWatch&) = delete;

  // Directories watched right now (the control directories and their
  // UNIT.d, or the ancestors awaited); for tests.
  size_t watches() const;

 private:
  struct Dir;
  struct UnitDir {
    Dir* dir = nullptr;
    std::string unit;
    sd_event_source* source = nullptr;
  };
  struct Dir {
    ControlDirWatch* owner = nullptr;
    std::string path;
    sd_event_source* top = nullptr;                         // the control directory
    std::map<std::string, std::unique_ptr<UnitDir>> units;  // its UNIT.d directories, by unit
    sd_event_source* await = nullptr;                       // its nearest existing ancestor, while it does not exist
    std::string awaitedName;                                // the next name on the path in that ancestor
  };

  // `announce`: the directory (re)appeared, so what is already in it is news.
  void setUp(Dir& d, bool announce);
  void tearDown(Dir& d);
  void watchUnitDir(Dir& d, const std::string& unit);
  static int onTop(sd_event_source* s, const struct inotify_event* e, void* userdata);
  static int onUnitDir(sd_event_source* s, const struct inotify_event* e, void* userdata);
  static int onAwait(sd_event_source* s, const struct inotify_event* e, void* userdata);

  sd_event* event_;
  std::function<void(const std::string&)> changed_;
  std::vector<std::unique_ptr<Dir>> dirs_;
};

}  // namespace unitoomd
