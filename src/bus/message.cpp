#include "bus/message.h"

namespace unitoomd {
namespace {

// Enters the variant if it holds `signature`; skips it otherwise.
bool enterVariantOf(sd_bus_message* m, const char* signature) {
  if (peekVariantType(m) != signature) {
    sd_bus_message_skip(m, "v");
    return false;
  }
  return sd_bus_message_enter_container(m, SD_BUS_TYPE_VARIANT, signature) > 0;
}

template <typename T>
bool readBasicVariant(sd_bus_message* m, const char* signature, T& out) {
  if (!enterVariantOf(m, signature)) return false;
  T value{};
  if (sd_bus_message_read_basic(m, signature[0], &value) <= 0) return false;
  if (sd_bus_message_exit_container(m) < 0) return false;
  out = value;
  return true;
}

}  // namespace

std::string peekVariantType(sd_bus_message* m) {
  char type = 0;
  const char* contents = nullptr;
  if (sd_bus_message_peek_type(m, &type, &contents) <= 0 || type != SD_BUS_TYPE_VARIANT || !contents) return "";
  return contents;
}

bool readVariant(sd_bus_message* m, std::string& out) {
  const char* s = nullptr;
  if (!readBasicVariant(m, "s", s)) return false;
  out = s;
  return true;
}

bool readVariant(sd_bus_message* m, uint32_t& out) { return readBasicVariant(m, "u", out); }
bool readVariant(sd_bus_message* m, uint64_t& out) { return readBasicVariant(m, "t", out); }

bool readVariant(sd_bus_message* m, std::vector<uint32_t>& out) {
  if (!enterVariantOf(m, "au")) return false;
  const void* data = nullptr;
  size_t bytes = 0;
  if (sd_bus_message_read_array(m, 'u', &data, &bytes) < 0) return false;
  if (sd_bus_message_exit_container(m) < 0) return false;
  const auto* values = static_cast<const uint32_t*>(data);
  out.assign(values, values + bytes / sizeof(uint32_t));
  return true;
}

}  // namespace unitoomd
