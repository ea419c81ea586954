#include "daemon/drop_in_watch.h"

#include <sys/inotify.h>

#include <cstring>

#include "daemon/guarded.h"
#include "util/event_names.h"
#include "util/log.h"

namespace unitoomd {

DropInWatch::DropInWatch(sd_event* event, std::function<void()> changed) : event_(event), changed_(std::move(changed)) {}

DropInWatch::~DropInWatch() {
  if (source_) sd_event_source_disable_unref(source_);
}

void DropInWatch::watch(const std::string& dir) {
  if (dir == dir_) return;
  if (source_) source_ = sd_event_source_disable_unref(source_);
  dir_ = dir;
  if (dir_.empty()) return;
  int r = sd_event_add_inotify(event_, &source_, dir_.c_str(),
                               IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ONLYDIR, onChange, this);
  if (r < 0) LOG_NOTICE("not watching %s for drop-ins: %s", dir_.c_str(), strerror(-r));
  else nameSource(source_, "ruleset-drop-in-watch");
}

int DropInWatch::onChange(sd_event_source* s, const struct inotify_event*, void* userdata) {
  countWake(s);
  auto* self = static_cast<DropInWatch*>(userdata);
  return guarded("drop-in reload", [&] { self->changed_(); });
}

}  // namespace unitoomd
