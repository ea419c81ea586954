#include "config/json.h"

#include <algorithm>
#include <cctype>

namespace unitoomd {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Result<JsonValue, JsonParseError> parseDocument() {
    JsonValue v;
    if (!value(v, 0)) return fail();
    skip();
    if (!err_.empty()) return fail();
    if (pos_ != s_.size()) {
      err_ = "unexpected text after the end of the document";
      return fail();
    }
    return v;
  }

 private:
  JsonParseError fail() {
    if (err_.empty()) setErr("malformed JSON");
    return JsonParseError{errLine_, columnOf(errPos_), err_};
  }

  bool setErr(std::string msg) {
    if (!err_.empty()) return false;
    err_ = std::move(msg);
    errLine_ = line_;
    errPos_ = std::min(pos_, s_.size());
    return false;
  }

  int columnOf(size_t pos) const {
    size_t newline = pos == 0 ? std::string_view::npos : s_.rfind('\n', pos - 1);
    size_t lineStart = newline == std::string_view::npos ? 0 : newline + 1;
    return static_cast<int>(pos - lineStart) + 1;
  }

  void skip() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '\n') ++line_, ++pos_;
      else if (c == ' ' || c == '\t' || c == '\r') ++pos_;
      else if (c == '/' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '/') {
        while (pos_ < s_.size() && s_[pos_] != '\n') ++pos_;
      } else if (c == '/' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '*') {
        pos_ += 2;
        while (pos_ + 1 < s_.size() && !(s_[pos_] == '*' && s_[pos_ + 1] == '/')) {
          if (s_[pos_] == '\n') ++line_;
          ++pos_;
        }
        if (pos_ + 1 >= s_.size()) {
          setErr("unterminated comment");
          pos_ = s_.size();
          return;
        }
        pos_ += 2;
      } else break;
    }
  }

  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return setErr("invalid literal");
    pos_ += word.size();
    return true;
  }

  bool value(JsonValue& out, int depth) {
    if (depth > 64) return setErr("nesting too deep");
    skip();
    if (!err_.empty()) return false;
    if (pos_ >= s_.size()) return setErr("unexpected end of input");
    out.line = line_;
    char c = s_[pos_];
    switch (c) {
      case '{': return object(out, depth);
      case '[': return array(out, depth);
      case '"': out.type = JsonValue::Type::String; return string(out.text);
      case 't':
        out.type = JsonValue::Type::Bool;
        out.boolean = true;
        return literal("true");
      case 'f':
        out.type = JsonValue::Type::Bool;
        out.boolean = false;
        return literal("false");
      case 'n': out.type = JsonValue::Type::Null; return literal("null");
      default:
        if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) return number(out);
        return setErr(std::string("unexpected character '") + c + "'");
    }
  }

  bool number(JsonValue& out) {
    size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    auto digits = [&] {
      size_t b = pos_;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      return pos_ > b;
    };
    if (!digits()) return setErr("malformed number");
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!digits()) return setErr("malformed number");
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digits()) return setErr("malformed number");
    }
    out.type = JsonValue::Type::Number;
    out.text = std::string(s_.substr(start, pos_ - start));
    return true;
  }

  static void appendUtf8(std::string& out, unsigned cp) {
    if (cp < 0x80) out += static_cast<char>(cp);
    else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool hex4(unsigned& cp) {
    if (pos_ + 4 > s_.size()) return setErr("bad \\u escape");
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      char h = s_[pos_++];
      cp <<= 4;
      if (h >= '0' && h <= '9') cp |= static_cast<unsigned>(h - '0');
      else if (h >= 'a' && h <= 'f') cp |= static_cast<unsigned>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') cp |= static_cast<unsigned>(h - 'A' + 10);
      else return setErr("bad \\u escape");
    }
    return true;
  }

  bool string(std::string& out) {
    ++pos_;  // opening quote
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '"') return true;
      if (c == '\n') return setErr("newline inside a string");
      if (static_cast<unsigned char>(c) < 0x20) return setErr("control character inside a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) break;
      char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && pos_ + 1 < s_.size() && s_[pos_] == '\\' && s_[pos_ + 1] == 'u') {
            pos_ += 2;
            unsigned lo;
            if (!hex4(lo)) return false;
            if (lo < 0xDC00 || lo > 0xDFFF) return setErr("bad surrogate pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          appendUtf8(out, cp);
          break;
        }
        default: return setErr(std::string("bad escape '\\") + e + "'");
      }
    }
    return setErr("unterminated string");
  }

  bool array(JsonValue& out, int depth) {
    out.type = JsonValue::Type::Array;
    ++pos_;
    skip();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (;;) {
      JsonValue item;
      if (!value(item, depth + 1)) return false;
      out.items.push_back(std::move(item));
      skip();
      if (pos_ >= s_.size()) return setErr("unterminated array");
      if (s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (s_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return setErr("expected ',' or ']' in array");
    }
  }

  bool object(JsonValue& out, int depth) {
    out.type = JsonValue::Type::Object;
    ++pos_;
    skip();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return true;
    }
    for (;;) {
      skip();
      if (pos_ >= s_.size() || s_[pos_] != '"') return setErr("expected a quoted key");
      std::string key;
      if (!string(key)) return false;
      skip();
      if (pos_ >= s_.size() || s_[pos_] != ':') return setErr("expected ':' after key \"" + key + "\"");
      ++pos_;
      JsonValue v;
      if (!value(v, depth + 1)) return false;
      for (const auto& m : out.members)
        if (m.first == key) return setErr("duplicate key \"" + key + "\"");
      out.members.emplace_back(std::move(key), std::move(v));
      skip();
      if (pos_ >= s_.size()) return setErr("unterminated object");
      if (s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (s_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return setErr("expected ',' or '}' in object");
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
  int line_ = 1;
  int errLine_ = 1;
  size_t errPos_ = 0;
  std::string err_;
};

}  // namespace

const JsonValue* JsonValue::find(std::string_view key) const {
  for (const auto& [k, v] : members)
    if (k == key) return &v;
  return nullptr;
}

bool JsonValue::scalarText(std::string& out) const {
  switch (type) {
    case Type::String:
    case Type::Number: out = text; return true;
    case Type::Bool: out = boolean ? "true" : "false"; return true;
    default: return false;
  }
}

const char* JsonValue::typeName() const {
  switch (type) {
    case Type::Null: return "null";
    case Type::Bool: return "boolean";
    case Type::Number: return "number";
    case Type::String: return "string";
    case Type::Array: return "array";
    case Type::Object: return "object";
  }
  return "?";
}

Result<JsonValue, JsonParseError> parseJson(std::string_view text) { return Parser(text).parseDocument(); }

}  // namespace unitoomd
