#pragma once

#include <string>
#include <vector>

namespace unitoomd {

// One problem in one input file, printed as "FILE:LINE: problem".
struct Diagnostic {
  std::string file;
  int line = 0;
  std::string message;
  std::string str() const { return line > 0 ? file + ":" + std::to_string(line) + ": " + message : file + ": " + message; }
};

using Diagnostics = std::vector<Diagnostic>;

}  // namespace unitoomd
