#include "util/display_text.h"

#include <algorithm>

namespace unitoomd {
namespace {

bool continuation(unsigned char c, unsigned char lo = 0x80, unsigned char hi = 0xbf) { return c >= lo && c <= hi; }

// The length of the character that starts at s[i] when it is valid UTF-8 that
// sd-bus accepts (strict: no overlong form, no surrogate, nothing above
// U+10FFFF, no noncharacter), with its code point in `cp`; else 0.
size_t validChar(std::string_view s, size_t i, char32_t& cp) {
  auto at = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char b = at(0);
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // the second byte's range
  if (b < 0x80) {
    cp = b;
    return 1;
  } else if (b >= 0xc2 && b <= 0xdf) {
    n = 2, cp = b & 0x1f;
  } else if (b >= 0xe0 && b <= 0xef) {
    n = 3, cp = b & 0x0f;
    if (b == 0xe0) lo = 0xa0;       // overlong
    else if (b == 0xed) hi = 0x9f;  // surrogates
  } else if (b >= 0xf0 && b <= 0xf4) {
    n = 4, cp = b & 0x07;
    if (b == 0xf0) lo = 0x90;       // overlong
    else if (b == 0xf4) hi = 0x8f;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size() || !continuation(at(1), lo, hi)) return 0;
  for (size_t k = 1; k < n; ++k) {
    if (!continuation(at(k))) return 0;
    cp = (cp << 6) | (at(k) & 0x3f);
  }
  if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe) return 0;  // noncharacters
  return n;
}

// What a person should not be shown as it is: it moves the cursor, starts a
// terminal sequence, breaks the line or reorders the text after it.
bool invisibleOrMoving(char32_t cp) {
  return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
         (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

void appendHex(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 0xf];
}

// Writes s through `emit` (which appends one character's worth and says how
// many input bytes it took), cut to maxBytes with the marker.
template <class Emit>
std::string bounded(std::string_view s, size_t maxBytes, Emit emit) {
  maxBytes = std::max(maxBytes, kTruncationMarker.size());
  const size_t room = maxBytes - kTruncationMarker.size();
  std::string out;
  out.reserve(std::min(s.size(), maxBytes));
  size_t keep = 0;  // the last cut point that leaves room for the marker
  for (size_t i = 0; i < s.size();) {
    if (out.size() <= room) keep = out.size();
    i += emit(s, i, out);
    if (out.size() > maxBytes) {
      out.resize(keep);
      out += kTruncationMarker;
      return out;
    }
  }
  return out;
}

}  // namespace

std::string displaySafe(std::string_view s, size_t maxBytes) {
  return bounded(s, maxBytes, [](std::string_view s, size_t i, std::string& out) -> size_t {
    char32_t cp = 0;
    size_t n = validChar(s, i, cp);
    if (n == 0) {
      appendHex(out, static_cast<unsigned char>(s[i]));
      return 1;
    }
    if (invisibleOrMoving(cp))
      for (size_t k = 0; k < n; ++k) appendHex(out, static_cast<unsigned char>(s[i + k]));
    else out.append(s.substr(i, n));
    return n;
  });
}

std::string utf8Safe(std::string_view s, size_t maxBytes) {
  return bounded(s, maxBytes, [](std::string_view s, size_t i, std::string& out) -> size_t {
    char32_t cp = 0;
    size_t n = validChar(s, i, cp);
    if (n == 0 || cp == 0) {
      appendHex(out, static_cast<unsigned char>(s[i]));
      return 1;
    }
    out.append(s.substr(i, n));
    return n;
  });
}

std::string jsonQuote(std::string_view raw, size_t maxBytes) {
  std::string s = utf8Safe(raw, maxBytes);
  std::string out = "\"";
  out.reserve(s.size() + 2);
  for (size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    size_t n = validChar(s, i, cp);
    if (n == 0) {  // not reached (utf8Safe left none), and valid JSON all the same: the text \xNN
      out += '\\';
      appendHex(out, static_cast<unsigned char>(s[i]));
      i += 1;
      continue;
    }
    if (cp == '"') out += "\\\"";
    else if (cp == '\\') out += "\\\\";
    else if (cp == '\n') out += "\\n";
    else if (cp == '\t') out += "\\t";
    else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 0xf];
    } else {
      out.append(s, i, n);
    }
    i += n;
  }
  return out + "\"";
}

}  // namespace unitoomd
