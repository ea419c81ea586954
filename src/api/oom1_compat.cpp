#include "api/oom1_compat.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "bus/served.h"
#include "util/fd.h"
#include "util/log.h"

namespace unitoomd {

namespace {

constexpr const char* kName = "org.freedesktop.oom1";
constexpr const char* kPath = "/org/freedesktop/oom1";
constexpr const char* kInterface = "org.freedesktop.oom1.Manager";
constexpr uint32_t kAllowReplacement = 1, kDoNotQueue = 4, kPrimaryOwner = 1;

// oomctl copies what it reads from the descriptor to stdout: a memfd
// holding the text, read from its start. -errno when it cannot be made.
int textFd(const std::string& text, UniqueFd& out) {
  UniqueFd fd(memfd_create("unitoomd-dump", MFD_CLOEXEC));
  if (fd.get() < 0) return -errno;
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? -errno : -EIO;
    done += static_cast<size_t>(n);
  }
  if (lseek(fd.get(), 0, SEEK_SET) < 0) return -errno;
  out = std::move(fd);
  return 0;
}

int dumpByFileDescriptor(sd_bus_message* call, void* userdata, sd_bus_error* error) {
  return served(error, "DumpByFileDescriptor", [&] {
    UniqueFd fd;
    int r = textFd(static_cast<Oom1Dump*>(userdata)->dumpText(), fd);
    if (r < 0) return sd_bus_error_set_errnof(error, -r, "writing the dump: %s", strerror(-r));
    return sd_bus_reply_method_return(call, "h", fd.get());  // sd-bus sends a duplicate
  });
}

const sd_bus_vtable kVtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD_WITH_NAMES("DumpByFileDescriptor", "", "", "h", SD_BUS_PARAM(fd), dumpByFileDescriptor,
                             SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

}  // namespace

std::unique_ptr<Oom1Dump> offerOom1Dump(sd_bus* bus, std::function<std::string()> dumpText) {
  sd_bus_error error = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  auto fail = [&](const char* what, int r) {
    LOG_NOTICE("not offering %s: %s: %s", kName, what, error.message ? error.message : strerror(-r));
    sd_bus_error_free(&error);
    sd_bus_message_unref(reply);
    return nullptr;
  };
  int r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner", &error,
                             &reply, "s", kName);
  int owned = 0;
  if (r < 0 || (r = sd_bus_message_read(reply, "b", &owned)) < 0) return fail("NameHasOwner", r);
  reply = sd_bus_message_unref(reply);
  if (owned) {
    LOG_INFO("%s is owned (systemd-oomd runs): oomctl shows its state, not unitoomd's", kName);
    return nullptr;
  }
  auto object = std::make_unique<Oom1Dump>(Oom1Dump{std::move(dumpText), nullptr});
  sd_bus_slot* slot = nullptr;
  if ((r = sd_bus_add_object_vtable(bus, &slot, kPath, kInterface, kVtable, object.get())) < 0) return fail(kPath, r);
  object->slot.reset(slot);
  r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "RequestName", &error,
                         &reply, "su", kName, kAllowReplacement | kDoNotQueue);
  uint32_t result = 0;
  if (r < 0 || (r = sd_bus_message_read(reply, "u", &result)) < 0) return fail("RequestName", r);
  sd_bus_message_unref(reply);
  if (result != kPrimaryOwner) {
    LOG_INFO("%s was taken meanwhile: not offering oomctl's dump", kName);
    return nullptr;
  }
  LOG_INFO("offering %s's DumpByFileDescriptor while systemd-oomd is not running: `oomctl dump` shows unitoomd's state", kName);
  return object;
}

}  // namespace unitoomd
