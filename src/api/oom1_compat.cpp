#include "api/oom1_compat.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/log.h"

namespace unitoomd {
namespace {

constexpr const char* kName = "org.freedesktop.oom1";
constexpr const char* kPath = "/org/freedesktop/oom1";
constexpr const char* kInterface = "org.freedesktop.oom1.Manager";
constexpr uint32_t kAllowReplacement = 1, kDoNotQueue = 4, kPrimaryOwner = 1;

// oomctl copies what it reads from the descriptor to stdout: a sealed-size
// memfd holding the text, read from its start.
sdbus::UnixFd textFd(const std::string& text) {
  int fd = memfd_create("unitoomd-dump", MFD_CLOEXEC);
  if (fd < 0) throw sdbus::Error("org.freedesktop.DBus.Error.Failed", std::string("memfd_create: ") + strerror(errno));
  sdbus::UnixFd owned(fd, sdbus::adopt_fd);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw sdbus::Error("org.freedesktop.DBus.Error.Failed", std::string("writing the dump: ") + strerror(errno));
    done += static_cast<size_t>(n);
  }
  if (lseek(fd, 0, SEEK_SET) < 0) throw sdbus::Error("org.freedesktop.DBus.Error.Failed", "lseek on the dump");
  return owned;
}

}  // namespace

std::unique_ptr<sdbus::IObject> offerOom1Dump(sdbus::IConnection& connection, std::function<std::string()> dumpText) {
  try {
    auto bus = sdbus::createProxy(connection, "org.freedesktop.DBus", "/org/freedesktop/DBus");
    bool owned = false;
    bus->callMethod("NameHasOwner").onInterface("org.freedesktop.DBus").withArguments(std::string(kName)).storeResultsTo(owned);
    if (owned) {
      LOG_INFO("%s is owned (systemd-oomd runs): oomctl shows its state, not unitoomd's", kName);
      return nullptr;
    }
    auto object = sdbus::createObject(connection, kPath);
    object->registerMethod("DumpByFileDescriptor")
        .onInterface(kInterface)
        .withOutputParamNames("fd")
        .implementedAs([dumpText = std::move(dumpText)]() { return textFd(dumpText()); });
    object->finishRegistration();
    uint32_t result = 0;
    bus->callMethod("RequestName")
        .onInterface("org.freedesktop.DBus")
        .withArguments(std::string(kName), kAllowReplacement | kDoNotQueue)
        .storeResultsTo(result);
    if (result != kPrimaryOwner) {
      LOG_INFO("%s was taken meanwhile: not offering oomctl's dump", kName);
      return nullptr;
    }
    LOG_INFO("offering %s's DumpByFileDescriptor while systemd-oomd is not running: `oomctl dump` shows unitoomd's state", kName);
    return object;
  } catch (const sdbus::Error& e) {
    LOG_NOTICE("not offering %s: %s", kName, e.getMessage().c_str());
    return nullptr;
  }
}

}  // namespace unitoomd
