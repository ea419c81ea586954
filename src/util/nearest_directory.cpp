#include "util/nearest_directory.h"

#include <unistd.h>

namespace unitoomd {

AwaitPoint awaitPointOf(const std::string& path) {
  AwaitPoint p{path, ""};
  while (p.directory != "/" && access(p.directory.c_str(), F_OK) != 0) {
    size_t slash = p.directory.rfind('/');
    if (slash == std::string::npos) break;
    p.name = p.directory.substr(slash + 1);
    p.directory = slash == 0 ? "/" : p.directory.substr(0, slash);
  }
  return p;
}

}  // namespace unitoomd
