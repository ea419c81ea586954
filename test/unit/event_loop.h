// A real sd-event loop for tests of what waits on it (timers, inotify), and
// a temporary directory that goes away with the test.
#pragma once

#include <systemd/sd-event.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace unitoomd::test {

struct EventLoop {
  sd_event* event = nullptr;
  EventLoop() { sd_event_new(&event); }
  ~EventLoop() { sd_event_unref(event); }
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;
  // Dispatches what is ready within about 100 ms.
  void spin() {
    for (int i = 0; i < 5; ++i) sd_event_run(event, 20000);
  }
};

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/unitoomd-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

}  // namespace unitoomd::test
