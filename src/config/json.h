// A small JSON reader that remembers the line of every value, so a config
// error names its line ("rulesets.json:42: unknown plugin 'foo'"), and that
// accepts // and /* */ comments as oomd's configs do. Numbers keep their
// source text: "1.25" stays 1.25, whatever a plugin makes of it.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace unitoomd {

struct JsonValue {
  enum class Type { Null, Bool, Number, String, Array, Object };
  Type type = Type::Null;
  int line = 0;
  bool boolean = false;
  std::string text;                                        // String: the decoded string; Number: its source text
  std::vector<JsonValue> items;                            // Array
  std::vector<std::pair<std::string, JsonValue>> members;  // Object, in file order
  // User-provided: clang (14, with libstdc++ 12) cannot define the implicit
  // one while `members` names the still incomplete JsonValue in a pair.
  JsonValue() {}

  bool isObject() const { return type == Type::Object; }
  bool isArray() const { return type == Type::Array; }
  bool isString() const { return type == Type::String; }
  const JsonValue* find(std::string_view key) const;
  // Scalar as a string (plugin arguments are strings in oomd's format).
  bool scalarText(std::string& out) const;
  const char* typeName() const;
};

// Where a text stops being JSON (both count from 1; the column in bytes)
// and what is wrong there.
struct JsonParseError {
  int line = 0;
  int column = 0;
  std::string message;
};

Result<JsonValue, JsonParseError> parseJson(std::string_view text);

}  // namespace unitoomd
