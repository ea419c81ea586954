// Reading what a peer sent where its type is not certain: a property's
// variant, a dict of them. The rest is read and written with sd-bus's own
// sd_bus_message_read / sd_bus_message_append and a signature.
//
// A peer may send any type (a user's bus is untrusted): a variant holding
// another type than asked is skipped and reported as false, never read as
// the wrong thing.
#pragma once

#include <systemd/sd-bus.h>

#include <cstdint>
#include <string>
#include <vector>

namespace unitoomd {

// The signature inside the variant at the read position ("s", "au"); empty
// when the next item is not a variant.
std::string peekVariantType(sd_bus_message* m);

// The variant at the read position, if it holds this type: true and read;
// false when it holds another (skipped) or cannot be read.
bool readVariant(sd_bus_message* m, std::string& out);
bool readVariant(sd_bus_message* m, uint32_t& out);
bool readVariant(sd_bus_message* m, uint64_t& out);
bool readVariant(sd_bus_message* m, std::vector<uint32_t>& out);

// An a{sv}: calls `entry(key)` with the read position at each value, which
// it reads (readVariant) or leaves for skipping. Negative errno when the
// dict is malformed.
template <typename F>
int readVariantDict(sd_bus_message* m, F&& entry) {
  int r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
  if (r < 0) return r;
  while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
    const char* key = nullptr;
    if ((r = sd_bus_message_read_basic(m, SD_BUS_TYPE_STRING, &key)) < 0) return r;
    bool read = entry(std::string(key));
    if (!read && (r = sd_bus_message_skip(m, "v")) < 0) return r;
    if ((r = sd_bus_message_exit_container(m)) < 0) return r;
  }
  if (r < 0) return r;
  return sd_bus_message_exit_container(m);
}

}  // namespace unitoomd
