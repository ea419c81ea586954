#include "api/api_service.h"

#include "util/log.h"

namespace unitoomd {
namespace {
constexpr Duration kMaxBackoff = std::chrono::seconds(30);
}

ApiService::ApiService(sd_event* event, BusKind bus, ApiModel& model) : event_(event), bus_(bus), model_(model) {}

ApiService::~ApiService() {
  disconnect();
  if (reconnect_) sd_event_source_disable_unref(reconnect_);
}

void ApiService::connect() {
  const char* which = bus_ == BusKind::System ? "system bus" : "session bus";
  try {
    connection_ = bus_ == BusKind::System ? sdbus::createSystemBusConnection() : sdbus::createSessionBusConnection();
    object_ = std::make_unique<ManagerObject>(*connection_, model_);
    connection_->requestName(kBusName);
  } catch (const sdbus::Error& e) {
    if (!warned_) LOG_WARN("cannot offer %s on the %s (%s); retrying", kBusName, which, e.getMessage().c_str());
    warned_ = true;
    disconnect();
    scheduleReconnect();
    return;
  }
  loop_ = std::make_unique<BusLoop>(event_, *connection_, [this](const std::string& why) {
    LOG_WARN("lost the bus our API is on (%s); offering it again", why.c_str());
    disconnect();
    scheduleReconnect();
  });
  backoff_ = std::chrono::seconds(1);
  warned_ = false;
  LOG_INFO("offering %s on the %s", kBusName, which);
}

void ApiService::disconnect() {
  loop_.reset();
  object_.reset();
  connection_.reset();
}

void ApiService::scheduleReconnect() {
  uint64_t now = 0;
  sd_event_now(event_, CLOCK_MONOTONIC, &now);
  uint64_t when = now + static_cast<uint64_t>(backoff_.count());
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
  if (!reconnect_) sd_event_add_time(event_, &reconnect_, CLOCK_MONOTONIC, when, 100000, onReconnect, this);
  else sd_event_source_set_time(reconnect_, when);
  sd_event_source_set_enabled(reconnect_, SD_EVENT_ONESHOT);
}

int ApiService::onReconnect(sd_event_source*, uint64_t, void* userdata) {
  static_cast<ApiService*>(userdata)->connect();
  return 0;
}

}  // namespace unitoomd
