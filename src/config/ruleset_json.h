// oomd's JSON ruleset format -> IR. A Facebook oomd config that uses the
// core plugins loads unchanged; unitoomd adds an optional one-sentence
// "description" per ruleset.
#pragma once

#include <string>
#include <string_view>

#include "config/diagnostics.h"
#include "engine/ir.h"

namespace unitoomd {

// `forDropIn`: detectors/actions may be left out (a drop-in changes one part).
ir::Root parseRulesetJson(std::string_view text, const std::string& file, Diagnostics& diags, bool forDropIn = false);

}  // namespace unitoomd
