// The JSON reader (config/json.cpp) and oomd's ruleset format on top of it
// (config/ruleset_json.cpp), then the compiler: any bytes give a value or
// diagnostics, never a crash, a hang or a leak. What parses is compiled, as
// the daemon does with a ruleset file and its drop-ins.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/json.h"
#include "config/ruleset_json.h"
#include "engine/compiler.h"
#include "plugins/registry.h"

using namespace unitoomd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto json = parseJson(text);
  (void)json;

  Diagnostics diags;
  ir::Root base = parseRulesetJson(text, "fuzz.json", diags, false);
  Diagnostics dropInDiags;
  ir::Root dropIn = parseRulesetJson(text, "fuzz-drop-in.json", dropInDiags, true);
  if (diags.empty()) {
    std::vector<DropInFile> dropIns;
    if (dropInDiags.empty()) dropIns.push_back({"fuzz-drop-in.json", dropIn});
    CompileOutput out = compile(base, dropIns, builtinPlugins());
    (void)out;
  }
  return 0;
}
