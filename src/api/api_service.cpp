#include "api/api_service.h"

#include "util/log.h"

namespace unitoomd {
ApiService::ApiService(sd_event* event, BusKind bus, ApiModel& model)
    : event_(event), bus_(bus), model_(model), reconnect_(event, [this] { connect(); }) {}

ApiService::~ApiService() { disconnect(); }

void ApiService::connect() {
  const char* which = bus_ == BusKind::System ? "system bus" : "session bus";
  try {
    connection_ = openBus(bus_);
    object_ = std::make_unique<ManagerObject>(*connection_, model_);
    connection_->requestName(kBusName);
  } catch (const sdbus::Error& e) {
    if (!warned_) LOG_WARN("cannot offer %s on the %s (%s); retrying", kBusName, which, e.getMessage().c_str());
    warned_ = true;
    disconnect();
    reconnect_.schedule();
    return;
  }
  loop_ = std::make_unique<BusLoop>(event_, *connection_, [this](const std::string& why) {
    LOG_WARN("lost the bus our API is on (%s); offering it again", why.c_str());
    disconnect();
    reconnect_.schedule();
  });
  reconnect_.succeeded();
  warned_ = false;
  LOG_INFO("offering %s on the %s", kBusName, which);
}

void ApiService::disconnect() {
  loop_.reset();
  object_.reset();
  connection_.reset();
}

}  // namespace unitoomd
