#include "systemd/systemd_oomd_watch.h"

#include <unistd.h>

#include "bus/call.h"
#include "util/log.h"

namespace unitoomd {
namespace {

constexpr const char* kOom1 = "org.freedesktop.oom1";
constexpr uint64_t kCallTimeoutUsec = 10'000'000;

BusMethod busDaemon(const char* member) {
  return {"org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", member};
}

// unitoomd itself holds the name while systemd-oomd is not running
// (api/oom1_compat.h): that is no second killer.
void warnUnlessItIsUs(sd_bus* bus, const std::string& owner) {
  auto unsent = callAsync(
      bus, busDaemon("GetConnectionUnixProcessID"), [owner](sd_bus_message* m) { return sd_bus_message_append(m, "s", owner.c_str()); },
      [owner](sd_bus_message* reply, const BusError*) {
        uint32_t pid = 0;
        if (reply && sd_bus_message_read(reply, "u", &pid) < 0) pid = 0;
        if (pid != 0 && pid == static_cast<uint32_t>(getpid())) return;
        LOG_WARN(
            "systemd-oomd is running on this bus (org.freedesktop.oom1 is %s): two OOM killers now act on the "
            "same cgroups. Keep one: systemctl disable --now systemd-oomd.service systemd-oomd.socket",
            owner.c_str());
      },
      kCallTimeoutUsec);
  if (unsent) LOG_DEBUG("GetConnectionUnixProcessID: %s", unsent->message.c_str());
}

}  // namespace

std::unique_ptr<SystemdOomdWatch> SystemdOomdWatch::start(sd_bus* bus) {
  std::unique_ptr<SystemdOomdWatch> watch(new SystemdOomdWatch(bus));
  auto match = addMatch(
      bus,
      std::string("type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',"
                  "arg0='") +
          kOom1 + "'",
      [w = watch.get()](sd_bus_message* m) {
        const char *name = nullptr, *oldOwner = nullptr, *newOwner = nullptr;
        if (sd_bus_message_read(m, "sss", &name, &oldOwner, &newOwner) > 0 && *newOwner) w->check();
      },
      "NameOwnerChanged of org.freedesktop.oom1");
  if (!match) {
    LOG_DEBUG("cannot watch for systemd-oomd: %s", match.error().message.c_str());
    return nullptr;
  }
  watch->ownerChanges_ = std::move(*match);
  watch->check();
  return watch;
}

// Replies may come after the watch is gone (the connection outlives it
// briefly): they hold only the bus, which they came in on.
void SystemdOomdWatch::check() {
  sd_bus* bus = bus_;
  auto unsent = callAsync(
      bus, busDaemon("GetNameOwner"), [](sd_bus_message* m) { return sd_bus_message_append(m, "s", kOom1); },
      [bus](sd_bus_message* reply, const BusError* error) {
        const char* owner = nullptr;
        if (error || sd_bus_message_read(reply, "s", &owner) < 0) return;  // not running: good
        warnUnlessItIsUs(bus, owner);
      },
      kCallTimeoutUsec);
  if (unsent) LOG_DEBUG("GetNameOwner: %s", unsent->message.c_str());
}

}  // namespace unitoomd
