// Owners for sd-bus's reference-counted objects: each drops its reference
// when it goes. A connection is flushed and closed first (what is queued
// still goes out, and the peer sees it leave); a slot's unref cancels what
// it stands for (a pending call, a match, an object's vtable).
#pragma once

#include <systemd/sd-bus.h>

#include <memory>

namespace unitoomd {

struct BusCloser {
  void operator()(sd_bus* b) const { sd_bus_flush_close_unref(b); }
};
struct MessageUnref {
  void operator()(sd_bus_message* m) const { sd_bus_message_unref(m); }
};
struct SlotUnref {
  void operator()(sd_bus_slot* s) const { sd_bus_slot_unref(s); }
};

using BusPtr = std::unique_ptr<sd_bus, BusCloser>;
using MessagePtr = std::unique_ptr<sd_bus_message, MessageUnref>;
using Slot = std::unique_ptr<sd_bus_slot, SlotUnref>;

}  // namespace unitoomd
