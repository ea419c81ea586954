#include "engine/plugin_args.h"

#include "util/strings.h"

namespace unitoomd {

const std::string* PluginArgs::raw(const std::string& key) {
  used_.insert(key);
  auto it = call_.args.find(key);
  return it == call_.args.end() ? nullptr : &it->second;
}

int PluginArgs::lineOf(const std::string& key) const {
  auto it = call_.argLines.find(key);
  return it == call_.argLines.end() ? call_.where.line : it->second;
}

void PluginArgs::error(const std::string& key, const std::string& message) {
  ++errors_;
  diags_.push_back({call_.where.file, lineOf(key), "plugin '" + call_.name + "': " + message});
}

std::optional<std::string> PluginArgs::string(const std::string& key) {
  const std::string* v = raw(key);
  return v ? std::optional<std::string>(*v) : std::nullopt;
}

std::string PluginArgs::requiredString(const std::string& key) {
  const std::string* v = raw(key);
  if (!v || v->empty()) {
    error(key, "missing argument '" + key + "'");
    return {};
  }
  return *v;
}

CgroupPatterns PluginArgs::cgroups(const std::string& key, bool required) {
  const std::string* v = raw(key);
  if (!v) {
    if (required) error(key, "missing argument '" + key + "'");
    return {};
  }
  if (shared_)
    if (const CgroupPatterns* made = shared_->find(*v)) return *made;
  std::vector<std::string> out;
  int errorsBefore = errors_;
  for (auto part : split(*v, ',')) {
    auto p = trim(part);
    if (p.empty()) {
      error(key, "empty cgroup pattern in '" + *v + "'");
      continue;
    }
    out.emplace_back(p);
  }
  if (out.empty() && required) error(key, "argument '" + key + "' names no cgroup");
  CgroupPatterns patterns(std::move(out));
  if (shared_ && errors_ == errorsBefore) shared_->add(*v, patterns);
  return patterns;
}

double PluginArgs::number(const std::string& key, double fallback, double min, double max) {
  const std::string* v = raw(key);
  if (!v) return fallback;
  auto d = parseDouble(*v);
  if (!d) {
    error(key, "argument '" + key + "': not a number: '" + *v + "'");
    return fallback;
  }
  if (*d < min || *d > max) {
    error(key, strprintf("argument '%s': %s is out of range %g..%g", key.c_str(), v->c_str(), min, max));
    return fallback;
  }
  return *d;
}

double PluginArgs::requiredNumber(const std::string& key, double min, double max) {
  if (!has(key)) {
    used_.insert(key);
    error(key, "missing argument '" + key + "'");
    return min;
  }
  return number(key, min, min, max);
}

bool PluginArgs::flag(const std::string& key, bool fallback) {
  const std::string* v = raw(key);
  if (!v) return fallback;
  auto b = parseBool(*v);
  if (!b) {
    error(key, "argument '" + key + "': not a boolean: '" + *v + "'");
    return fallback;
  }
  return *b;
}

Duration PluginArgs::duration(const std::string& key, Duration fallback) {
  const std::string* v = raw(key);
  if (!v) return fallback;
  auto d = parseDuration(*v);
  if (!d) {
    error(key, "argument '" + key + "': " + d.error().message);
    return fallback;
  }
  return *d;
}

std::optional<SizeOrPercent> PluginArgs::size(const std::string& key) {
  const std::string* v = raw(key);
  if (!v) return std::nullopt;
  auto s = parseSizeOrPercent(*v);
  if (!s) {
    error(key, "argument '" + key + "': " + s.error().message);
    return std::nullopt;
  }
  return *s;
}

double PluginArgs::percent(const std::string& key, double fallback) {
  const std::string* v = raw(key);
  if (!v) return fallback;
  auto p = parsePercent(*v);
  if (!p) {
    error(key, "argument '" + key + "': " + p.error().message);
    return fallback;
  }
  return *p;
}

std::string PluginArgs::choice(const std::string& key, const std::vector<std::string>& allowed, const std::string& fallback) {
  const std::string* v = raw(key);
  if (!v) {
    if (fallback.empty()) error(key, "missing argument '" + key + "' (one of: " + join(allowed, ", ") + ")");
    return fallback;
  }
  for (const auto& a : allowed)
    if (*v == a) return a;
  error(key, "argument '" + key + "': '" + *v + "' is not one of: " + join(allowed, ", "));
  return fallback.empty() ? allowed.front() : fallback;
}

void PluginArgs::finish() {
  for (const auto& [key, value] : call_.args)
    if (!used_.count(key)) error(key, "unknown argument '" + key + "'");
}

}  // namespace unitoomd
