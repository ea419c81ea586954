// A strict, independent JSON reader for tests of what unitoomd writes:
// python3's json module, fed the bytes decoded as strict UTF-8 (so invalid
// UTF-8 fails) and parsed with strict=True (so a raw control character in a
// string fails).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "event_loop.h"

namespace unitoomd::test {

struct StrictJson {
  bool available = true;  // python3 found
  bool ok = false;        // parsed
  std::string output;     // the values asked for, one a line (hex of their UTF-8), or why it did not parse
};

// Parses `json` and prints, for each Python expression in `exprs` (over the
// parsed document `d`), the hex of the UTF-8 of the string it names.
inline StrictJson strictJson(const std::string& json, const std::vector<std::string>& exprs = {}) {
  TempDir dir;
  std::ofstream(dir.path + "/doc.json", std::ios::binary) << json;
  std::string script =
      "import json, sys\n"
      "raw = open(sys.argv[1], 'rb').read()\n"
      "try:\n"
      "    d = json.loads(raw.decode('utf-8', 'strict'), strict=True)\n"
      "except Exception as e:\n"
      "    print('not JSON:', repr(e)); sys.exit(1)\n";
  for (const auto& e : exprs) script += "print((" + e + ").encode('utf-8').hex())\n";
  std::ofstream(dir.path + "/check.py") << script;
  StrictJson r;
  std::string cmd = "python3 " + dir.path + "/check.py " + dir.path + "/doc.json 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) {
    r.available = false;
    return r;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int status = pclose(p);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) r.available = false;
  r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return r;
}

inline std::string hexOf(const std::string& s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

}  // namespace unitoomd::test
