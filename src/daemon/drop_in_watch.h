// The ruleset drop-in directory, watched with inotify: a file written,
// moved in or out, or removed there reloads the configuration, without a
// SIGHUP. Re-pointed when a reload names another directory.
#pragma once

#include <systemd/sd-event.h>

#include <functional>
#include <string>

namespace unitoomd {

class DropInWatch {
 public:
  DropInWatch(sd_event* event, std::function<void()> changed);
  ~DropInWatch();
  DropInWatch(const DropInWatch&) = delete;
  DropInWatch& operator=(const DropInWatch&) = delete;

  void watch(const std::string& dir);  // "": none

 private:
  static int onChange(sd_event_source* s, const struct inotify_event* ev, void* userdata);

  sd_event* event_;
  std::function<void()> changed_;
  sd_event_source* source_ = nullptr;
  std::string dir_;
};

}  // namespace unitoomd
