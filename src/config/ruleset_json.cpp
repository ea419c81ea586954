#include "config/ruleset_json.h"

#include "config/json.h"

namespace unitoomd {
namespace {

struct Reader {
  const std::string& file;
  Diagnostics& diags;

  void error(int line, std::string msg) { diags.push_back({file, line, std::move(msg)}); }

  bool expect(const JsonValue& v, JsonValue::Type t, const std::string& what) {
    if (v.type == t) return true;
    JsonValue probe;
    probe.type = t;
    error(v.line, what + " must be " + (t == JsonValue::Type::Object ? "an " : "a ") + probe.typeName() + ", not " +
                      (v.type == JsonValue::Type::Array || v.type == JsonValue::Type::Object ? "an " : "a ") + v.typeName());
    return false;
  }

  bool boolean(const JsonValue& v, const std::string& what, bool& out) {
    std::string s;
    if (v.type == JsonValue::Type::Bool) {
      out = v.boolean;
      return true;
    }
    if (v.scalarText(s) && (s == "true" || s == "false")) {
      out = s == "true";
      return true;
    }
    error(v.line, what + " must be true or false");
    return false;
  }

  bool scalar(const JsonValue& v, const std::string& what, std::string& out) {
    if (v.scalarText(out)) return true;
    error(v.line, what + " must be a string or number, not " +
                      std::string(v.typeName() == std::string("array") || v.typeName() == std::string("object") ? "an " : "a ") +
                      v.typeName());
    return false;
  }

  bool plugin(const JsonValue& v, ir::PluginCall& out) {
    if (!expect(v, JsonValue::Type::Object, "a plugin")) return false;
    out.where = {file, v.line};
    bool ok = true;
    for (const auto& [k, m] : v.members) {
      if (k == "name") {
        if (!expect(m, JsonValue::Type::String, "plugin \"name\"")) ok = false;
        else out.name = m.text;
      } else if (k == "args") {
        if (!expect(m, JsonValue::Type::Object, "plugin \"args\"")) {
          ok = false;
          continue;
        }
        for (const auto& [ak, av] : m.members) {
          std::string s;
          if (!scalar(av, "argument \"" + ak + "\"", s)) {
            ok = false;
            continue;
          }
          out.args[ak] = s;
          out.argLines[ak] = av.line;
        }
      } else {
        error(m.line, "unknown key \"" + k + "\" in a plugin (expected \"name\", \"args\")");
        ok = false;
      }
    }
    if (out.name.empty()) {
      error(v.line, "plugin has no \"name\"");
      ok = false;
    }
    return ok;
  }

  void group(const JsonValue& v, ir::Ruleset& rs) {
    if (!expect(v, JsonValue::Type::Array, "a detector group")) return;
    ir::DetectorGroup g;
    g.where = {file, v.line};
    if (v.items.empty() || !v.items[0].isString()) {
      error(v.line, "a detector group is an array whose first element is its name");
      return;
    }
    g.name = v.items[0].text;
    for (size_t i = 1; i < v.items.size(); ++i) {
      ir::PluginCall call;
      if (plugin(v.items[i], call)) g.detectors.push_back(std::move(call));
    }
    rs.detectors.push_back(std::move(g));
  }

  void ruleset(const JsonValue& v, ir::Root& root, bool forDropIn) {
    if (!expect(v, JsonValue::Type::Object, "a ruleset")) return;
    ir::Ruleset rs;
    rs.where = {file, v.line};
    rs.origin = (forDropIn ? "drop-in " : "file ") + file;
    for (const auto& [k, m] : v.members) {
      std::string s;
      if (k == "name") {
        if (expect(m, JsonValue::Type::String, "ruleset \"name\"")) rs.name = m.text;
      } else if (k == "description") {
        if (expect(m, JsonValue::Type::String, "ruleset \"description\"")) rs.description = m.text;
      } else if (k == "silence-logs") {
        if (expect(m, JsonValue::Type::String, "\"silence-logs\"")) rs.silenceLogs = m.text;
      } else if (k == "post_action_delay") {
        if (scalar(m, "\"post_action_delay\"", s)) rs.postActionDelay = s;
      } else if (k == "prekill_hook_timeout") {
        if (scalar(m, "\"prekill_hook_timeout\"", s)) rs.prekillHookTimeout = s;
      } else if (k == "drop-in") {
        if (!expect(m, JsonValue::Type::Object, "\"drop-in\"")) continue;
        for (const auto& [dk, dv] : m.members) {
          if (dk == "detectors") boolean(dv, "\"drop-in\".detectors", rs.dropIn.detectors);
          else if (dk == "actions") boolean(dv, "\"drop-in\".actions", rs.dropIn.actions);
          else if (dk == "disable-on-drop-in") boolean(dv, "\"drop-in\".disable-on-drop-in", rs.dropIn.disableOnDropIn);
          else error(dv.line, "unknown key \"" + dk + "\" in \"drop-in\" (expected detectors, actions, disable-on-drop-in)");
        }
      } else if (k == "detectors") {
        rs.hasDetectors = true;
        if (!expect(m, JsonValue::Type::Array, "\"detectors\"")) continue;
        for (const auto& g : m.items) group(g, rs);
      } else if (k == "actions") {
        rs.hasActions = true;
        if (!expect(m, JsonValue::Type::Array, "\"actions\"")) continue;
        for (const auto& a : m.items) {
          ir::PluginCall call;
          if (plugin(a, call)) rs.actions.push_back(std::move(call));
        }
      } else if (k == "cgroup" || k == "xattr_filter") {
        error(m.line, "per-cgroup rulesets (\"" + k + "\") are not supported; use cgroup patterns in the plugins");
      } else {
        error(m.line, "unknown key \"" + k + "\" in a ruleset");
      }
    }
    if (rs.name.empty()) error(v.line, "ruleset has no \"name\"");
    if (!forDropIn) {
      if (!rs.hasDetectors) error(v.line, "ruleset '" + rs.name + "' has no \"detectors\"");
      if (!rs.hasActions) error(v.line, "ruleset '" + rs.name + "' has no \"actions\"");
    }
    root.rulesets.push_back(std::move(rs));
  }
};

}  // namespace

ir::Root parseRulesetJson(std::string_view text, const std::string& file, Diagnostics& diags, bool forDropIn) {
  ir::Root root;
  auto doc = parseJson(text);
  if (!doc) {
    diags.push_back({file, doc.error().line, doc.error().message + " (column " + std::to_string(doc.error().column) + ")"});
    return root;
  }
  Reader r{file, diags};
  if (!r.expect(*doc, JsonValue::Type::Object, "the top level")) return root;
  bool sawRulesets = false;
  for (const auto& [k, v] : doc->members) {
    if (k == "rulesets") {
      sawRulesets = true;
      if (!r.expect(v, JsonValue::Type::Array, "\"rulesets\"")) continue;
      for (const auto& rs : v.items) r.ruleset(rs, root, forDropIn);
    } else if (k == "prekill_hooks") {
      if (r.expect(v, JsonValue::Type::Array, "\"prekill_hooks\"") && !v.items.empty())
        r.error(v.line, "prekill hooks are not supported");
    } else {
      r.error(v.line, "unknown top-level key \"" + k + "\" (expected \"rulesets\")");
    }
  }
  if (!sawRulesets) r.error(doc->line, "no \"rulesets\" array");
  return root;
}

}  // namespace unitoomd
