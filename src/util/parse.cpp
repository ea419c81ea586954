#include "util/parse.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "util/strings.h"

namespace unitoomd {

std::optional<uint64_t> parseUnsigned(std::string_view s) {
  s = trim(s);
  if (s.empty() || s[0] == '-' || s[0] == '+') return std::nullopt;
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<int64_t> parseSigned(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> parseDouble(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::fixed);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<bool> parseBool(std::string_view s) {
  s = trim(s);
  for (auto t : {"1", "yes", "true", "on", "y"})
    if (s == t) return true;
  for (auto f : {"0", "no", "false", "off", "n"})
    if (s == f) return false;
  return std::nullopt;
}

Result<Duration> parseDuration(std::string_view input) {
  std::string_view s = trim(input);
  if (s.empty()) return Error{EINVAL, "empty time span"};
  if (auto plain = parseDouble(s)) {
    if (*plain < 0) return Error{ERANGE, "negative time span"};
    if (*plain > 1e9) return Error{ERANGE, "time span too large"};
    return fromSeconds(*plain);
  }
  struct Unit {
    const char* name;
    double usec;
  };
  static const Unit units[] = {{"usec", 1},       {"us", 1},        {"msec", 1e3},  {"ms", 1e3},
                               {"seconds", 1e6},  {"second", 1e6},  {"sec", 1e6},   {"s", 1e6},
                               {"minutes", 60e6}, {"minute", 60e6}, {"min", 60e6},  {"m", 60e6},
                               {"hours", 3600e6}, {"hour", 3600e6}, {"hr", 3600e6}, {"h", 3600e6}};
  double total = 0;
  while (!s.empty()) {
    size_t n = 0;
    while (n < s.size() && (std::isdigit(static_cast<unsigned char>(s[n])) || s[n] == '.')) ++n;
    if (n == 0) return Error{EINVAL, "bad time span '" + std::string(input) + "'"};
    auto num = parseDouble(s.substr(0, n));
    if (!num) return Error{EINVAL, "bad time span '" + std::string(input) + "'"};
    s.remove_prefix(n);
    s = trim(s);
    const Unit* found = nullptr;
    for (const auto& u : units) {
      std::string_view name = u.name;
      if (startsWith(s, name) && (s.size() == name.size() || !std::isalpha(static_cast<unsigned char>(s[name.size()])))) {
        found = &u;
        break;
      }
    }
    if (!found) return Error{EINVAL, "bad time unit in '" + std::string(input) + "'"};
    s.remove_prefix(std::string_view(found->name).size());
    s = trim(s);
    total += *num * found->usec;
    if (total > 1e15) return Error{ERANGE, "time span too large"};
  }
  return Duration(static_cast<long long>(total));
}

Result<double> parsePercent(std::string_view input) {
  std::string_view s = trim(input);
  double scale = 1.0;
  if (endsWith(s, "%")) {
    s.remove_suffix(1);
  } else if (endsWith(s, "\u2031")) {  // permyriad sign, accepted like systemd
    s.remove_suffix(std::string_view("\u2031").size());
    scale = 0.01;
  }
  auto v = parseDouble(s);
  if (!v) return Error{EINVAL, "bad percentage '" + std::string(input) + "'"};
  double p = *v * scale;
  if (p < 0 || p > 100) return Error{ERANGE, "percentage out of range 0..100: '" + std::string(input) + "'"};
  return p;
}

Result<SizeOrPercent> parseSizeOrPercent(std::string_view input) {
  std::string_view s = trim(input);
  SizeOrPercent out;
  if (endsWith(s, "%")) {
    auto p = parsePercent(s);
    if (!p) return p.error();
    out.isPercent = true;
    out.percent = *p;
    return out;
  }
  double mult = 1024.0 * 1024.0;  // bare numbers are MiB, as in oomd
  if (!s.empty()) {
    char last = static_cast<char>(std::toupper(static_cast<unsigned char>(s.back())));
    bool suffix = true;
    switch (last) {
      case 'B': mult = 1; break;
      case 'K': mult = 1024.0; break;
      case 'M': mult = 1024.0 * 1024; break;
      case 'G': mult = 1024.0 * 1024 * 1024; break;
      case 'T': mult = 1024.0 * 1024 * 1024 * 1024; break;
      default: suffix = false;
    }
    if (suffix) s.remove_suffix(1);
  }
  auto v = parseDouble(s);
  if (!v || *v < 0) return Error{EINVAL, "bad size '" + std::string(input) + "'"};
  double bytes = *v * mult;
  if (bytes > static_cast<double>(std::numeric_limits<uint64_t>::max() / 2))
    return Error{ERANGE, "size too large: '" + std::string(input) + "'"};
  out.bytes = static_cast<uint64_t>(bytes);
  return out;
}

std::string formatDuration(Duration d) {
  long long us = d.count();
  if (us < 0) return "-" + formatDuration(Duration(-us));
  if (us < 1000) return strprintf("%lldus", us);
  if (us < 1000000) return strprintf("%lldms", us / 1000);
  double s = static_cast<double>(us) / 1e6;
  if (s < 60) {
    if (us % 1000000 == 0) return strprintf("%llds", us / 1000000);
    return strprintf("%.1fs", s);
  }
  long long secs = us / 1000000;
  if (secs % 60 == 0) return strprintf("%lldmin", secs / 60);
  return strprintf("%lldmin %llds", secs / 60, secs % 60);
}

}  // namespace unitoomd
