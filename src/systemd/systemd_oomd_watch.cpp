#include "systemd/systemd_oomd_watch.h"

#include <unistd.h>

#include <functional>

#include "util/log.h"

namespace unitoomd {
namespace {

constexpr const char* kOom1 = "org.freedesktop.oom1";
constexpr const char* kDBus = "org.freedesktop.DBus";
constexpr uint64_t kCallTimeoutUsec = 10'000'000;

// Nothing may be thrown back into sd-bus: an odd message is logged.
template <typename F>
void guarded(const char* what, F&& f) {
  try {
    f();
  } catch (const sdbus::Error& e) {
    LOG_DEBUG("%s: %s", what, e.getMessage().c_str());
  } catch (const std::exception& e) {
    LOG_ERROR("%s: %s", what, e.what());
  }
}

}  // namespace

std::unique_ptr<SystemdOomdWatch> SystemdOomdWatch::start(sdbus::IConnection& connection) {
  try {
    std::unique_ptr<SystemdOomdWatch> watch(new SystemdOomdWatch(connection));
    watch->check();
    return watch;
  } catch (const sdbus::Error& e) {
    LOG_DEBUG("cannot watch for systemd-oomd: %s", e.getMessage().c_str());
    return nullptr;
  }
}

SystemdOomdWatch::SystemdOomdWatch(sdbus::IConnection& connection)
    : dbus_(sdbus::createProxy(connection, kDBus, "/org/freedesktop/DBus")),
      ownerChanges_(connection.addMatch(
          std::string("type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',"
                      "arg0='") +
              kOom1 + "'",
          [this](sdbus::Message& m) {
            guarded("NameOwnerChanged", [&] {
              std::string name, oldOwner, newOwner;
              m >> name >> oldOwner >> newOwner;
              if (!newOwner.empty()) check();
            });
          })) {}

void SystemdOomdWatch::check() {
  auto call = dbus_->createMethodCall(kDBus, "GetNameOwner");
  call << std::string(kOom1);
  dbus_->callMethod(
      call,
      [this](sdbus::MethodReply& reply, const sdbus::Error* error) {
        if (error) return;  // not running: good
        guarded("GetNameOwner", [&] {
          std::string owner;
          reply >> owner;
          warnUnlessItIsUs(owner);
        });
      },
      kCallTimeoutUsec);
}

// unitoomd itself holds the name while systemd-oomd is not running
// (api/oom1_compat.h): that is no second killer.
void SystemdOomdWatch::warnUnlessItIsUs(const std::string& owner) {
  auto call = dbus_->createMethodCall(kDBus, "GetConnectionUnixProcessID");
  call << owner;
  dbus_->callMethod(
      call,
      [owner](sdbus::MethodReply& reply, const sdbus::Error* error) {
        guarded("GetConnectionUnixProcessID", [&] {
          uint32_t pid = 0;
          if (!error) reply >> pid;
          if (pid != 0 && pid == static_cast<uint32_t>(getpid())) return;
          LOG_WARN(
              "systemd-oomd is running on this bus (org.freedesktop.oom1 is %s): two OOM killers now act on the "
              "same cgroups. Keep one: systemctl disable --now systemd-oomd.service systemd-oomd.socket",
              owner.c_str());
        });
      },
      kCallTimeoutUsec);
}

}  // namespace unitoomd
