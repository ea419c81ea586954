// A strict checker for what unitoomd writes as JSON (RFC 8259, no
// extensions, no comments, no trailing commas) that also requires valid UTF-8
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) and no
// raw control character in a string. Independent of src/config/json.cpp,
// which accepts comments and is the thing under test elsewhere.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace unitoomd::fuzz {

// Length of the valid UTF-8 character at s[i], 0 if it is not one.
inline size_t utf8CharLength(std::string_view s, size_t i) {
  auto at = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0x100u; };
  unsigned c = at(0);
  auto cont = [&](size_t k, unsigned lo = 0x80, unsigned hi = 0xbf) { return at(k) >= lo && at(k) <= hi; };
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c == 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (c == 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;  // no surrogates
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

inline bool isValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8CharLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

class StrictJson {
 public:
  // Whether `text` is exactly one JSON value (surrounding whitespace allowed).
  static bool valid(std::string_view text) {
    if (!isValidUtf8(text)) return false;
    StrictJson p(text);
    p.ws();
    if (!p.value(0)) return false;
    p.ws();
    return p.i_ == text.size();
  }

 private:
  explicit StrictJson(std::string_view s) : s_(s) {}
  std::string_view s_;
  size_t i_ = 0;

  bool more() const { return i_ < s_.size(); }
  char peek() const { return more() ? s_[i_] : '\0'; }
  void ws() {
    while (more() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++i_;
  }
  bool lit(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  static bool isDigit(char c) { return c >= '0' && c <= '9'; }
  static bool isHex(char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

  bool value(int depth) {
    if (depth > 200) return false;
    switch (peek()) {
      case '{': return object(depth);
      case '[': return array(depth);
      case '"': return string();
      case 't': return lit("true");
      case 'f': return lit("false");
      case 'n': return lit("null");
      default: return number();
    }
  }
  bool object(int depth) {
    ++i_;
    ws();
    if (peek() == '}') return ++i_, true;
    for (;;) {
      ws();
      if (peek() != '"' || !string()) return false;
      ws();
      if (peek() != ':') return false;
      ++i_;
      ws();
      if (!value(depth + 1)) return false;
      ws();
      if (peek() == ',') {
        ++i_;
        continue;
      }
      if (peek() == '}') return ++i_, true;
      return false;
    }
  }
  bool array(int depth) {
    ++i_;
    ws();
    if (peek() == ']') return ++i_, true;
    for (;;) {
      ws();
      if (!value(depth + 1)) return false;
      ws();
      if (peek() == ',') {
        ++i_;
        continue;
      }
      if (peek() == ']') return ++i_, true;
      return false;
    }
  }
  bool string() {
    ++i_;  // '"'
    while (more()) {
      unsigned char c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') return ++i_, true;
      if (c < 0x20) return false;
      if (c == '\\') {
        ++i_;
        char e = peek();
        if (e == 'u') {
          for (int k = 1; k <= 4; ++k)
            if (i_ + k >= s_.size() || !isHex(s_[i_ + k])) return false;
          i_ += 5;
        } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
          ++i_;
        } else {
          return false;
        }
        continue;
      }
      ++i_;
    }
    return false;
  }
  bool number() {
    size_t start = i_;
    if (peek() == '-') ++i_;
    if (peek() == '0') {
      ++i_;
    } else if (isDigit(peek())) {
      while (isDigit(peek())) ++i_;
    } else {
      return false;
    }
    if (peek() == '.') {
      ++i_;
      if (!isDigit(peek())) return false;
      while (isDigit(peek())) ++i_;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++i_;
      if (peek() == '+' || peek() == '-') ++i_;
      if (!isDigit(peek())) return false;
      while (isDigit(peek())) ++i_;
    }
    return i_ > start;
  }
};

}  // namespace unitoomd::fuzz
