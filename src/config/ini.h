// systemd-style INI: [Section], Key=Value, '#' and ';' comments.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostics.h"

namespace unitoomd {

struct IniEntry {
  std::string section;
  std::string key;
  std::string value;
  int line = 0;
};

std::vector<IniEntry> parseIni(std::string_view text, const std::string& file, Diagnostics& diags);

}  // namespace unitoomd
