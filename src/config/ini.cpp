#include "config/ini.h"

#include "util/strings.h"

namespace unitoomd {

std::vector<IniEntry> parseIni(std::string_view text, const std::string& file, Diagnostics& diags) {
  std::vector<IniEntry> out;
  std::string section;
  int lineNo = 0;
  for (auto raw : split(text, '\n')) {
    ++lineNo;
    auto line = trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      if (line.back() != ']' || line.size() < 3) {
        diags.push_back({file, lineNo, "malformed section header '" + std::string(line) + "'"});
        continue;
      }
      section = std::string(trim(line.substr(1, line.size() - 2)));
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      diags.push_back({file, lineNo, "expected Key=Value, got '" + std::string(line) + "'"});
      continue;
    }
    if (section.empty()) {
      diags.push_back({file, lineNo, "assignment outside of any section"});
      continue;
    }
    auto key = trim(line.substr(0, eq));
    if (key.empty()) {
      diags.push_back({file, lineNo, "empty key"});
      continue;
    }
    out.push_back({section, std::string(key), std::string(trim(line.substr(eq + 1))), lineNo});
  }
  return out;
}

}  // namespace unitoomd
