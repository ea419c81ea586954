#include "desktop/protection.h"

#include <fnmatch.h>

#include "util/strings.h"

namespace unitoomd {

bool matchesAny(std::string_view name, const std::vector<std::string>& globs) {
  std::string n(name);
  for (const auto& g : globs)
    if (fnmatch(g.c_str(), n.c_str(), 0) == 0) return true;
  return false;
}

std::string protectedComponent(std::string_view cgroupPath, const std::vector<std::string>& globs) {
  for (auto part : split(cgroupPath, '/'))
    if (!part.empty() && matchesAny(part, globs)) return std::string(part);
  return "";
}

std::string_view cgroupName(std::string_view cgroupPath) {
  auto slash = cgroupPath.rfind('/');
  return slash == std::string_view::npos ? cgroupPath : cgroupPath.substr(slash + 1);
}

}  // namespace unitoomd
