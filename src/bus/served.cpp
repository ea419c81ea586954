#include "bus/served.h"

#include <string>

namespace unitoomd {

uid_t senderUid(sd_bus_message* m) {
  sd_bus_creds* creds = nullptr;
  uid_t uid = static_cast<uid_t>(-1);
  if (sd_bus_query_sender_creds(m, SD_BUS_CREDS_UID | SD_BUS_CREDS_AUGMENT, &creds) >= 0) {
    if (sd_bus_creds_get_uid(creds, &uid) < 0) uid = static_cast<uid_t>(-1);
    sd_bus_creds_unref(creds);
  }
  return uid;
}

bool callerIsRoot(sd_bus_message* m, sd_bus_error* error, const char* what, const char* why) {
  uid_t uid = senderUid(m);
  if (uid == 0) return true;
  LOG_NOTICE("refused %s to uid %d: root only", what, static_cast<int>(uid));
  sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, (std::string(what) + " is for root only" + why).c_str());
  return false;
}

}  // namespace unitoomd
