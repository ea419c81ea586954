#include "bus/call.h"

#include <exception>
#include <memory>

#include "util/log.h"

namespace unitoomd {
namespace {

template <typename Handler>
void freeHandler(void* userdata) {
  delete static_cast<Handler*>(userdata);
}

int onReply(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto& handler = *static_cast<ReplyHandler*>(userdata);
  try {
    if (const sd_bus_error* e = sd_bus_message_get_error(m)) {
      BusError error = busErrorOf(e, sd_bus_message_get_errno(m));
      handler(nullptr, &error);
    } else {
      handler(m, nullptr);
    }
  } catch (const std::exception& e) {
    LOG_ERROR("handling a D-Bus reply: %s", e.what());
  }
  return 0;
}

struct Match {
  SignalHandler handler;
  std::string what;
};

int onSignal(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto& match = *static_cast<Match*>(userdata);
  try {
    match.handler(m);
  } catch (const std::exception& e) {
    LOG_ERROR("handling %s: %s", match.what.c_str(), e.what());
  }
  return 0;
}

// Without this, a refused AddMatch would close the connection.
int onMatchInstalled(sd_bus_message* m, void* userdata, sd_bus_error*) {
  if (const sd_bus_error* e = sd_bus_message_get_error(m))
    LOG_WARN("the bus refused to pass on %s: %s", static_cast<Match*>(userdata)->what.c_str(), e->message ? e->message : e->name);
  return 0;
}

}  // namespace

std::optional<BusError> callAsync(sd_bus* bus, const BusMethod& method, const ArgsWriter& args, ReplyHandler handler,
                                 uint64_t timeoutUsec) {
  sd_bus_message* raw = nullptr;
  int r = sd_bus_message_new_method_call(bus, &raw, method.destination, method.path, method.interface, method.member);
  if (r < 0) return busErrnoError(std::string("making a call of ") + method.member, r);
  MessagePtr call(raw);
  if (args && (r = args(call.get())) < 0) return busErrnoError(std::string("the arguments of ") + method.member, r);
  auto owned = std::make_unique<ReplyHandler>(std::move(handler));
  sd_bus_slot* slot = nullptr;
  r = sd_bus_call_async(bus, &slot, call.get(), onReply, owned.get(), timeoutUsec);
  if (r < 0) return busErrnoError(std::string("sending ") + method.member, r);
  sd_bus_slot_set_destroy_callback(slot, freeHandler<ReplyHandler>);
  owned.release();
  // The bus keeps the slot (and the handler) until the reply is handled.
  sd_bus_slot_set_floating(slot, 1);
  sd_bus_slot_unref(slot);
  return std::nullopt;
}

Result<Slot, BusError> addMatch(sd_bus* bus, const std::string& rule, SignalHandler handler, const std::string& what) {
  auto owned = std::make_unique<Match>(Match{std::move(handler), what});
  sd_bus_slot* slot = nullptr;
  int r = sd_bus_add_match_async(bus, &slot, rule.c_str(), onSignal, onMatchInstalled, owned.get());
  if (r < 0) return busErrnoError("AddMatch for " + what, r);
  sd_bus_slot_set_destroy_callback(slot, freeHandler<Match>);
  owned.release();
  return Slot(slot);
}

}  // namespace unitoomd
