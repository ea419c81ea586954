#include "systemd/control_dir_watch.h"

#include <dirent.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

#include "util/log.h"
#include "util/event_names.h"
#include "util/nearest_directory.h"

namespace unitoomd {

namespace {

constexpr uint32_t kTopEvents = IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
constexpr uint32_t kUnitDirEvents = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ONLYDIR;

std::string homeOf(uid_t uid) {
  struct passwd* pw = getpwuid(uid);
  return pw && pw->pw_dir ? pw->pw_dir : "";
}

}  // namespace

std::vector<std::string> ownControlDirs(bool user) {
  if (!user) return {"/etc/systemd/system.control", "/run/systemd/system.control"};
  std::vector<std::string> out;
  const char* config = getenv("XDG_CONFIG_HOME");
  std::string home = getenv("HOME") ? getenv("HOME") : homeOf(getuid());
  if (config && *config == '/') out.push_back(std::string(config) + "/systemd/user.control");
  else if (!home.empty()) out.push_back(home + "/.config/systemd/user.control");
  const char* runtime = getenv("XDG_RUNTIME_DIR");
  if (runtime && *runtime == '/') out.push_back(std::string(runtime) + "/systemd/user.control");
  return out;
}

std::vector<std::string> userControlDirsOf(uid_t uid) {
  std::vector<std::string> out;
  std::string home = homeOf(uid);
  if (!home.empty()) out.push_back(home + "/.config/systemd/user.control");
  out.push_back("/run/user/" + std::to_string(uid) + "/systemd/user.control");
  return out;
}

std::string unitOfDropInDir(const std::string& name) {
  if (name.size() <= 2 || name.compare(name.size() - 2, 2, ".d") != 0) return "";
  std::string unit = name.substr(0, name.size() - 2);
  return unit.find('.') == std::string::npos ? "" : unit;
}

ControlDirWatch::ControlDirWatch(sd_event* event, const std::vector<std::string>& dirs,
                                 std::function<void(const std::string&)> changed)
    : event_(event), changed_(std::move(changed)) {
  for (const auto& path : dirs) {
    auto d = std::make_unique<Dir>();
    d->owner = this;
    d->path = path;
    setUp(*d, false);
    dirs_.push_back(std::move(d));
  }
}

ControlDirWatch::~ControlDirWatch() {
  for (auto& d : dirs_) tearDown(*d);
}

size_t ControlDirWatch::watches() const {
  size_t n = 0;
  for (const auto& d : dirs_) n += (d->top ? 1 : 0) + (d->await ? 1 : 0) + d->units.size();
  return n;
}

void ControlDirWatch::tearDown(Dir& d) {
  if (d.top) d.top = sd_event_source_disable_unref(d.top);
  if (d.await) d.await = sd_event_source_disable_unref(d.await);
  for (auto& [unit, w] : d.units)
    if (w->source) sd_event_source_disable_unref(w->source);
  d.units.clear();
  d.awaitedName.clear();
}

void ControlDirWatch::setUp(Dir& d, bool announce) {
  tearDown(d);
  if (sd_event_add_inotify(event_, &d.top, d.path.c_str(), kTopEvents, onTop, &d) >= 0) {
    nameSource(d.top, "control-dir-watch:" + d.path);
    std::vector<std::string> found;
    DIR* dir = opendir(d.path.c_str());
    if (dir) {
      while (dirent* e = readdir(dir)) {
        std::string unit = unitOfDropInDir(e->d_name);
        if (!unit.empty()) found.push_back(unit);
      }
      closedir(dir);
    }
    for (const auto& unit : found) watchUnitDir(d, unit);
    if (announce)
      for (const auto& unit : found) changed_(unit);
    return;
  }
  d.top = nullptr;
  // Not there (yet): wait for the next missing name on its path to appear.
  AwaitPoint at = awaitPointOf(d.path);
  if (at.name.empty()) return;  // there, but not a directory we may watch
  if (sd_event_add_inotify(event_, &d.await, at.directory.c_str(), IN_CREATE | IN_MOVED_TO | IN_ONLYDIR, onAwait, &d) < 0) {
    d.await = nullptr;
    LOG_DEBUG("cannot watch %s for %s: set-property is seen at the next resync", at.directory.c_str(), d.path.c_str());
    return;
  }
  nameSource(d.await, "control-dir-await:" + at.directory);
  d.awaitedName = at.name;
}

void ControlDirWatch::watchUnitDir(Dir& d, const std::string& unit) {
  if (d.units.count(unit)) return;
  auto w = std::make_unique<UnitDir>();
  w->dir = &d;
  w->unit = unit;
  std::string path = d.path + "/" + unit + ".d";
  if (sd_event_add_inotify(event_, &w->source, path.c_str(), kUnitDirEvents, onUnitDir, w.get()) < 0) return;
  nameSource(w->source, "control-dir-watch:" + path);
  d.units.emplace(unit, std::move(w));
}

int ControlDirWatch::onTop(sd_event_source* s, const struct inotify_event* e, void* userdata) {
  countWake(s);
  Dir& d = *static_cast<Dir*>(userdata);
  ControlDirWatch& self = *d.owner;
  if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
    self.setUp(d, true);  // gone: wait for it to come back
    return 0;
  }
  std::string unit = e->len ? unitOfDropInDir(e->name) : "";
  if (unit.empty()) return 0;
  if (e->mask & (IN_CREATE | IN_MOVED_TO)) {
    self.watchUnitDir(d, unit);  // its first setting may be written before the watch holds
  } else {
    auto it = d.units.find(unit);
    if (it != d.units.end()) {
      if (it->second->source) sd_event_source_disable_unref(it->second->source);
      d.units.erase(it);
    }
  }
  self.changed_(unit);
  return 0;
}

int ControlDirWatch::onUnitDir(sd_event_source* s, const struct inotify_event* e, void* userdata) {
  countWake(s);
  auto& w = *static_cast<UnitDir*>(userdata);
  if (e->mask & IN_IGNORED) return 0;  // the directory went; onTop drops the watch
  std::string unit = w.unit;           // changed_ may lead to this watch being dropped
  w.dir->owner->changed_(unit);
  return 0;
}

int ControlDirWatch::onAwait(sd_event_source* s, const struct inotify_event* e, void* userdata) {
  countWake(s);
  Dir& d = *static_cast<Dir*>(userdata);
  if (e->len && d.awaitedName == e->name) d.owner->setUp(d, true);
  return 0;
}

}  // namespace unitoomd
