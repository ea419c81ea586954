#include "bus/served.h"

#include <string>

#include "bus/owned.h"

namespace unitoomd {

uid_t busDaemonUidOf(sd_bus* bus, const char* sender, uint64_t timeoutUsec) {
  if (!bus || !sender) return static_cast<uid_t>(-1);
  sd_bus_message *rawCall = nullptr, *rawReply = nullptr;
  if (sd_bus_message_new_method_call(bus, &rawCall, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                     "GetConnectionUnixUser") < 0)
    return static_cast<uid_t>(-1);
  MessagePtr call(rawCall);
  sd_bus_error error = SD_BUS_ERROR_NULL;
  int r = sd_bus_message_append(call.get(), "s", sender);
  if (r >= 0) r = sd_bus_call(bus, call.get(), timeoutUsec, &error, &rawReply);
  MessagePtr reply(rawReply);
  sd_bus_error_free(&error);
  uint32_t uid = 0;
  if (r < 0 || sd_bus_message_read(reply.get(), "u", &uid) < 0) return static_cast<uid_t>(-1);
  return static_cast<uid_t>(uid);
}

uid_t senderUid(sd_bus_message* m) {
  // Only what the message itself carries: sd_bus_query_sender_creds() asks
  // the bus daemon (GetConnectionCredentials) with sd-bus's 25 s timeout
  // when it carries nothing, as every message through dbus-daemon does.
  uid_t uid = static_cast<uid_t>(-1);
  if (sd_bus_creds* carried = sd_bus_message_get_creds(m); carried && sd_bus_creds_get_uid(carried, &uid) >= 0) return uid;
  return busDaemonUidOf(sd_bus_message_get_bus(m), sd_bus_message_get_sender(m), kSenderUidTimeoutUsec);
}

bool callerIsRoot(sd_bus_message* m, sd_bus_error* error, const char* what, const char* why) {
  uid_t uid = senderUid(m);
  if (uid == 0) return true;
  LOG_NOTICE("refused %s to uid %d: root only", what, static_cast<int>(uid));
  sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, (std::string(what) + " is for root only" + why).c_str());
  return false;
}

}  // namespace unitoomd
