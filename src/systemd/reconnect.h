// What every connection to a bus that may go away needs: opening the bus a
// BusKind names, and trying again later with a back-off (1 s, doubling, at
// most 30 s) on the sd-event loop, reset once a connection holds. While the
// bus's socket does not exist at all, no timer polls for it: an inotify
// watch on the nearest existing directory on its path wakes the retry when
// it appears (a 10 minute timer stays as a backstop).
#pragma once

#include <sys/inotify.h>
#include <systemd/sd-event.h>

#include <functional>
#include <sys/types.h>

#include <memory>
#include <string>

#include "bus/error.h"
#include "bus/owned.h"
#include "util/result.h"

#include "util/time.h"

namespace unitoomd {

// System: the system bus. User: this process's own session bus (--user).
// UserSessionOf: the session bus of another user, `uid`, opened by root.
enum class BusKind { System, User, UserSessionOf };

struct BusAddress {
  BusAddress(BusKind k) : kind(k) {}  // NOLINT: a kind alone names the bus
  BusAddress(BusKind k, uid_t u) : kind(k), uid(u) {}
  BusKind kind;
  uid_t uid = 0;
  std::string describe() const;  // "system bus", "session bus of user 1001"
  // The unix socket this bus listens on, where the address names one
  // (environment, else the well-known paths); empty when unknown.
  std::string socketPath() const;
};

// "unix:path=/run/dbus/system_bus_socket,guid=..." -> the path; the first
// unix:path= of a list of addresses; empty for any other transport.
std::string socketPathOfAddress(const std::string& address);

// The connection, or why the bus cannot be reached.
//
// Another user's session bus: dbus-daemon lets in only the user it runs for,
// judged by the credentials of the connecting socket, and the user manager's
// private socket speaks no Hello. So root connects as that user - effective
// uid and gid switched for the connect and the authentication, then back -
// which is what sudo or runuser would do, without a process or the user's
// environment.
Result<BusPtr, BusError> openBus(const BusAddress& bus);
// A bus client at this D-Bus address ("unix:path=..."), connected and its
// authentication sent as who we are now; the Hello is answered later.
Result<BusPtr, BusError> openBusAddress(const std::string& address);

class Reconnect {
 public:
  Reconnect(sd_event* event, std::function<void()> retry, std::string socketPath = "")
      : event_(event), retry_(std::move(retry)), socket_(std::move(socketPath)) {}
  ~Reconnect();
  Reconnect(const Reconnect&) = delete;
  Reconnect& operator=(const Reconnect&) = delete;

  void schedule();                                // retry after the current back-off, then double it
  void succeeded() { backoff_ = kFirstBackoff; }  // the next failure starts again at 1 s

 private:
  static constexpr Duration kFirstBackoff = std::chrono::seconds(1);
  static constexpr Duration kMaxBackoff = std::chrono::seconds(30);
  static constexpr Duration kAbsentSocketBackstop = std::chrono::minutes(10);
  static int onTimer(sd_event_source*, uint64_t, void* userdata);
  static int onDirectoryChange(sd_event_source*, const struct inotify_event* e, void* userdata);
  void armTimer(Duration after);
  bool watchForSocket();  // false when the socket exists or cannot be watched
  void stopWatching();

  sd_event* event_;
  std::function<void()> retry_;
  std::string socket_;
  std::string watchedDir_, awaitedName_;  // the nearest existing directory, and the next name on the path in it
  sd_event_source* timer_ = nullptr;
  sd_event_source* watch_ = nullptr;
  Duration backoff_ = kFirstBackoff;
};

}  // namespace unitoomd
