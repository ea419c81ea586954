// unitoomctl: look at and steer a running unitoomd over its D-Bus API
// (org.unitoomd1), in the manner of systemctl and oomctl.
//
//   unitoomctl [--user] [--json] status|dump|rulesets|kills
//   unitoomctl [--user] metrics [--prometheus] [--output FILE]
//   unitoomctl [--user] reload | dry-run on|off
//
// Exit codes: 0 done, 1 failed (the message says why), 2 bad usage,
// 3 unitoomd is not running on that bus, 4 permission denied.
#include <getopt.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <iterator>
#include <cstring>
#include <string>
#include <vector>

#include "api/snapshot.h"
#include "util/display_text.h"

namespace {

constexpr const char* kName = "org.unitoomd1";
constexpr const char* kPath = "/org/unitoomd1";
constexpr const char* kIface = "org.unitoomd1.Manager";

enum Exit { kOk = 0, kFailed = 1, kUsage = 2, kNotRunning = 3, kDenied = 4 };

// What reaches the terminal from the daemon is escaped (util/display_text.h):
// unit names and cgroup paths in it are anyone's bytes, and a cgroup named
// "\x1b]0;..." must not retitle or repaint the terminal. The daemon's own
// renderings are already safe; escaping them again changes nothing.
using unitoomd::displaySafe;
namespace shown = unitoomd::shown;

// Dump's text, line by line (its newlines are the daemon's own).
std::string safeLines(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string::npos ? text.size() : nl;
    out += displaySafe(std::string_view(text).substr(start, end - start), shown::kLogBytes);
    if (nl == std::string::npos) break;
    out += '\n';
    start = nl + 1;
  }
  return out;
}

struct Options {
  bool user = false;
  bool json = false;
  bool prometheus = false;  // metrics in the text format 0.0.4 (node_exporter's textfile collector)
  std::string output;       // metrics written to this file (atomically), not stdout
};

struct Bus {
  sd_bus* bus = nullptr;
  bool user = false;
  ~Bus() { sd_bus_flush_close_unref(bus); }
};

int notRunning(bool user) {
  fprintf(stderr, "unitoomd is not running on the %s (%s has no owner). Start it with: systemctl%s start unitoomd\n",
          user ? "session bus" : "system bus", kName, user ? " --user" : "");
  return kNotRunning;
}

// Asked before any call, so that a question never starts the daemon through
// D-Bus activation (nor fails obscurely when activation is not set up).
bool running(Bus& b) {
  sd_bus_error e = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  int owned = 0;
  if (sd_bus_call_method(b.bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner", &e,
                         &reply, "s", kName) >= 0)
    sd_bus_message_read(reply, "b", &owned);
  sd_bus_error_free(&e);
  sd_bus_message_unref(reply);
  return owned;
}

int failWith(const sd_bus_error& e, int r, bool user, const char* what) {
  if (sd_bus_error_has_name(&e, SD_BUS_ERROR_SERVICE_UNKNOWN) || sd_bus_error_has_name(&e, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
    return notRunning(user);
  if (sd_bus_error_has_name(&e, SD_BUS_ERROR_ACCESS_DENIED)) {
    fprintf(stderr, "%s: permission denied (%s). Run it as root.\n", what,
            displaySafe(e.message ? e.message : "", shown::kLogBytes).c_str());
    return kDenied;
  }
  fprintf(stderr, "%s failed: %s\n", what, displaySafe(e.message ? e.message : strerror(-r), shown::kLogBytes).c_str());
  return kFailed;
}

// Prints rows as columns separated by two spaces; the last column is not padded.
void printTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], row[i].size());
    }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    printf("%s\n", line.c_str());
  }
}

// Calls METHOD on INTERFACE of unitoomd's object; on failure says why and
// returns the exit code.
int call(Bus& b, const char* what, const char* interface, const char* method, sd_bus_message** reply, const char* types, ...) {
  va_list ap;
  va_start(ap, types);
  sd_bus_error e = SD_BUS_ERROR_NULL;
  int r = sd_bus_call_methodv(b.bus, kName, kPath, interface, method, &e, reply, types, ap);
  va_end(ap);
  if (r >= 0) return kOk;
  int code = failWith(e, r, b.user, what);
  sd_bus_error_free(&e);
  return code;
}

int callString(Bus& b, const char* method, const char* what, std::string& out) {
  sd_bus_message* reply = nullptr;
  int code = call(b, what, kIface, method, &reply, "");
  if (code != kOk) return code;
  const char* s = nullptr;
  int r = sd_bus_message_read(reply, "s", &s);
  if (r >= 0) out = s;
  sd_bus_message_unref(reply);
  return r < 0 ? kFailed : kOk;
}

int dump(Bus& b, const Options& o) {
  std::string text;
  int r = callString(b, o.json ? "DumpJSON" : "Dump", "dump", text);
  // The JSON is printed as it came: jsonQuote wrote every control as \u00XX
  // (and escaping it here would break it).
  if (r == kOk) printf("%s%s", o.json ? text.c_str() : safeLines(text).c_str(), o.json ? "\n" : "");
  return r;
}

// The readers of the properties' values (the reply positioned on the
// variant); a negative errno when the reply is not what the interface says.

// A variant holding an array of structs of signature `item`: `readOne` reads
// one with sd_bus_message_read (0 at the end of the array).
template <typename ReadOne>
int readArray(sd_bus_message* m, const std::string& item, ReadOne readOne) {
  int r = sd_bus_message_enter_container(m, 'v', ("a" + item).c_str());
  if (r >= 0) r = sd_bus_message_enter_container(m, 'a', item.c_str());
  while (r >= 0 && (r = readOne()) > 0) {
  }
  if (r >= 0) r = sd_bus_message_exit_container(m);
  if (r >= 0) r = sd_bus_message_exit_container(m);
  return r;
}

int readRulesets(sd_bus_message* m, std::vector<unitoomd::RulesetInfo>& out) {
  return readArray(m, "(ssss)", [&] {
    const char *name, *desc, *origin, *state;
    int r = sd_bus_message_read(m, "(ssss)", &name, &desc, &origin, &state);
    if (r > 0) out.push_back({name, desc, origin, state});
    return r;
  });
}

int readCgroups(sd_bus_message* m, std::vector<unitoomd::CgroupPressure>& out) {
  return readArray(m, "(sdd)", [&] {
    const char* path;
    double some, full;
    int r = sd_bus_message_read(m, "(sdd)", &path, &some, &full);
    if (r > 0) out.push_back({path, some, full});
    return r;
  });
}

int readWokenBy(sd_bus_message* m, std::vector<unitoomd::WakeCount>& out) {
  return readArray(m, "(st)", [&] {
    const char* source;
    uint64_t n;
    int r = sd_bus_message_read(m, "(st)", &source, &n);
    if (r > 0) out.push_back({source, n, -1});  // the property has no CPU times (the dump has)
    return r;
  });
}

int readQuestions(sd_bus_message* m, std::vector<unitoomd::QuestionInfo>& out) {
  return readArray(m, "(tusssss)", [&] {
    unitoomd::QuestionInfo q;
    const char *app, *cgroup, *state, *answer, *outcome;
    int r = sd_bus_message_read(m, "(tusssss)", &q.askedRealtimeUsec, &q.uid, &app, &cgroup, &state, &answer, &outcome);
    if (r > 0) {
      q.app = app, q.cgroup = cgroup, q.state = state, q.answer = answer, q.outcome = outcome;
      out.push_back(std::move(q));
    }
    return r;
  });
}

int readFollowedUsers(sd_bus_message* m, std::vector<uint32_t>& out) {
  int r = sd_bus_message_enter_container(m, 'v', "au");
  const void* uids = nullptr;
  size_t size = 0;
  if (r >= 0) r = sd_bus_message_read_array(m, 'u', &uids, &size);
  if (r >= 0) out.assign(static_cast<const uint32_t*>(uids), static_cast<const uint32_t*>(uids) + size / sizeof(uint32_t));
  if (r >= 0) r = sd_bus_message_exit_container(m);
  return r;
}

int readString(sd_bus_message* m, std::string& out) {
  const char* s = nullptr;
  int r = sd_bus_message_read(m, "v", "s", &s);
  if (r >= 0) out = s;
  return r;
}

int readBool(sd_bus_message* m, bool& out) {
  int b = 0;
  int r = sd_bus_message_read(m, "v", "b", &b);
  out = b;
  return r;
}

int readProperty(sd_bus_message* m, const std::string& name, unitoomd::Snapshot& s) {
  if (name == "Version") return readString(m, s.version);
  if (name == "DryRun") return readBool(m, s.dryRun);
  if (name == "KillCount") return sd_bus_message_read(m, "v", "t", &s.killCount);
  if (name == "SystemdBus") return readString(m, s.bus);
  if (name == "FollowedUsers") return readFollowedUsers(m, s.followedUsers);
  if (name == "StandingBy") return readBool(m, s.standingBy);
  if (name == "Rulesets") return readRulesets(m, s.rulesets);
  if (name == "MonitoredCGroups") return readCgroups(m, s.cgroups);
  if (name == "WokenBy") return readWokenBy(m, s.wokenBy);
  if (name == "Questions") return readQuestions(m, s.questions);
  return sd_bus_message_skip(m, "v");  // a newer daemon's
}

// Every property of the interface at once (one call).
int readProperties(Bus& b, unitoomd::Snapshot& s) {
  sd_bus_message* reply = nullptr;
  int code = call(b, "reading the state", "org.freedesktop.DBus.Properties", "GetAll", &reply, "s", kIface);
  if (code != kOk) return code;
  int r = sd_bus_message_enter_container(reply, 'a', "{sv}");
  while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
    const char* name = nullptr;
    r = sd_bus_message_read(reply, "s", &name);
    if (r >= 0) r = readProperty(reply, name, s);
    if (r >= 0) r = sd_bus_message_exit_container(reply);
  }
  sd_bus_message_unref(reply);
  if (r >= 0) return kOk;
  fprintf(stderr, "reading the state: unexpected reply: %s\n", strerror(-r));
  return kFailed;
}

int rulesets(Bus& b, const Options& o) {
  sd_bus_message* reply = nullptr;
  int code = call(b, "reading the rulesets", "org.freedesktop.DBus.Properties", "Get", &reply, "ss", kIface, "Rulesets");
  if (code != kOk) return code;
  std::vector<unitoomd::RulesetInfo> list;
  int r = readRulesets(reply, list);
  sd_bus_message_unref(reply);
  if (r < 0) {
    fprintf(stderr, "reading the rulesets: unexpected reply: %s\n", strerror(-r));
    return kFailed;
  }
  if (o.json) {
    printf("%s\n", unitoomd::renderRulesetsJson(list).c_str());
    return kOk;
  }
  std::vector<std::vector<std::string>> rows{{"RULESET", "STATE", "ORIGIN", "DESCRIPTION"}};
  for (const auto& r : list)
    rows.push_back({displaySafe(r.name, shown::kNameBytes), displaySafe(r.state, shown::kNameBytes),
                    displaySafe(r.origin, shown::kTextBytes), displaySafe(r.description, shown::kTextBytes)});
  printTable(rows);
  printf("\n%zu ruleset(s).\n", list.size());
  return kOk;
}

int listKills(Bus& b, std::vector<unitoomd::KillRecord>& list) {
  sd_bus_message* reply = nullptr;
  int code = call(b, "listing the kills", kIface, "ListKills", &reply, "");
  if (code != kOk) return code;
  sd_bus_message_enter_container(reply, 'a', "(tssssa{ss})");
  while (sd_bus_message_enter_container(reply, 'r', "tssssa{ss}") > 0) {
    unitoomd::KillRecord k;
    const char *unit, *cgroup, *ruleset, *reason;
    sd_bus_message_read(reply, "tssss", &k.realtimeUsec, &unit, &cgroup, &ruleset, &reason);
    k.unit = unit, k.cgroup = cgroup, k.ruleset = ruleset, k.reason = reason;
    sd_bus_message_enter_container(reply, 'a', "{ss}");
    const char *key, *value;
    while (sd_bus_message_read(reply, "{ss}", &key, &value) > 0) {
      if (strcmp(key, "dry_run") == 0) k.dryRun = true;
      else k.figures.emplace_back(key, value);
    }
    sd_bus_message_exit_container(reply);
    sd_bus_message_exit_container(reply);
    list.push_back(std::move(k));
  }
  sd_bus_message_unref(reply);
  return kOk;
}

int kills(Bus& b, const Options& o) {
  std::vector<unitoomd::KillRecord> list;
  if (int code = listKills(b, list); code != kOk) return code;
  if (o.json) {
    printf("%s\n", unitoomd::renderKillsJson(list).c_str());
    return kOk;
  }
  if (list.empty()) {
    printf("No kills since unitoomd started.\n");
    return kOk;
  }
  std::vector<std::vector<std::string>> rows{{"TIME", "UNIT", "CGROUP", "RULESET", "REASON"}};
  for (const auto& k : list)
    rows.push_back({unitoomd::formatLocalTime(k.realtimeUsec),
                    (k.dryRun ? "(dry run) " : "") + (k.unit.empty() ? "-" : displaySafe(k.unit, shown::kNameBytes)),
                    displaySafe(k.cgroup, shown::kPathBytes), displaySafe(k.ruleset, shown::kNameBytes),
                    displaySafe(k.reason, shown::kTextBytes)});
  printTable(rows);
  printf("\n%zu kill(s) listed.\n", list.size());
  return kOk;
}

// The daemon's account as Dump gives it, without the long kill list:
// `unitoomctl kills` has it.
int status(Bus& b, const Options& o) {
  if (o.json) return dump(b, o);
  unitoomd::Snapshot s;
  std::vector<unitoomd::KillRecord> recent;
  if (int code = readProperties(b, s); code != kOk) return code;
  if (int code = listKills(b, recent); code != kOk) return code;
  printf("%s\nRecent kills: %zu (unitoomctl kills)\n", unitoomd::renderStatus(s).c_str(), recent.size());
  return kOk;
}

// Written whole or not at all: node_exporter's textfile collector may read
// the file at any moment, and must never see half of it.
int writeAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  FILE* f = fopen(tmp.c_str(), "we");
  bool ok = f && fwrite(text.data(), 1, text.size(), f) == text.size() && fflush(f) == 0 && fsync(fileno(f)) == 0;
  if (f && fclose(f) != 0) ok = false;
  if (ok && chmod(tmp.c_str(), 0644) == 0 && rename(tmp.c_str(), path.c_str()) == 0) return kOk;
  fprintf(stderr, "cannot write %s: %s\n", path.c_str(), strerror(errno));
  unlink(tmp.c_str());
  return kFailed;
}

int metrics(Bus& b, const Options& o) {
  sd_bus_message* reply = nullptr;
  int code = call(b, "reading the metrics", kIface, "GetMetrics", &reply, "s", o.prometheus ? "prometheus" : "openmetrics");
  if (code != kOk) return code;
  const char* text = nullptr;
  int r = sd_bus_message_read(reply, "s", &text);
  std::string out = r >= 0 && text ? text : "";
  sd_bus_message_unref(reply);
  if (r < 0) return kFailed;
  // The daemon made every label value valid UTF-8 and escaped it; the text is
  // for programs, and printed as it came.
  if (!o.output.empty()) return writeAtomically(o.output, out);
  printf("%s", out.c_str());
  return kOk;
}

int reload(Bus& b) { return call(b, "reload", kIface, "Reload", nullptr, ""); }

int dryRun(Bus& b, const char* arg) {
  if (!arg || (strcmp(arg, "on") != 0 && strcmp(arg, "off") != 0)) {
    fprintf(stderr, "usage: unitoomctl dry-run on|off\n");
    return kUsage;
  }
  int on = strcmp(arg, "on") == 0;
  if (int code = call(b, "dry-run", kIface, "SetDryRun", nullptr, "b", on); code != kOk) return code;
  printf("dry run %s%s\n", arg, strcmp(arg, "on") == 0 ? ": unitoomd reports what it would kill and kills nothing" : "");
  return kOk;
}

void usage(FILE* f) {
  fprintf(f,
          "unitoomctl [--user] [--json] COMMAND\n\n"
          "Look at and steer unitoomd, the userspace OOM killer.\n\n"
          "  status          what unitoomd watches and how loaded it is\n"
          "  dump            its whole state\n"
          "  rulesets        every ruleset: state, origin, description\n"
          "  kills           the recent kills: what, why, which ruleset\n"
          "  metrics         numbers for monitoring, as OpenMetrics text\n"
          "  reload          read the configuration again (root)\n"
          "  dry-run on|off  only report, or kill again (root)\n\n"
          "  --user          the user's own instance (session bus)\n"
          "  --json          JSON output for status, dump, rulesets, kills\n"
          "  --prometheus    metrics in Prometheus' text format 0.0.4 (node_exporter)\n"
          "  --output FILE   metrics written to FILE, replaced atomically\n");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  static option opts[] = {{"user", no_argument, nullptr, 'u'},       {"json", no_argument, nullptr, 'j'},
                          {"prometheus", no_argument, nullptr, 'p'}, {"output", required_argument, nullptr, 'o'},
                          {"help", no_argument, nullptr, 'h'},       {nullptr, 0, nullptr, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "h", opts, nullptr)) != -1) {
    switch (c) {
      case 'u': o.user = true; break;
      case 'j': o.json = true; break;
      case 'p': o.prometheus = true; break;
      case 'o': o.output = optarg; break;
      case 'h': usage(stdout); return kOk;
      default: usage(stderr); return kUsage;
    }
  }
  std::string cmd = optind < argc ? argv[optind] : "status";
  static const char* const kCommands[] = {"status", "dump", "rulesets", "kills", "metrics", "reload", "dry-run"};
  if (std::find(std::begin(kCommands), std::end(kCommands), cmd) == std::end(kCommands)) {
    fprintf(stderr, "unknown command '%s'\n\n", displaySafe(cmd, shown::kNameBytes).c_str());
    usage(stderr);
    return kUsage;
  }
  Bus b;
  b.user = o.user;
  int r = o.user ? sd_bus_open_user(&b.bus) : sd_bus_open_system(&b.bus);
  if (r < 0) {
    fprintf(stderr, "cannot connect to the %s bus: %s\n", o.user ? "session" : "system", strerror(-r));
    return kNotRunning;
  }
  if (!running(b)) return notRunning(o.user);
  if (cmd == "status") return status(b, o);
  if (cmd == "dump") return dump(b, o);
  if (cmd == "rulesets") return rulesets(b, o);
  if (cmd == "kills") return kills(b, o);
  if (cmd == "metrics") return metrics(b, o);
  if (cmd == "reload") return reload(b);
  return dryRun(b, optind + 1 < argc ? argv[optind + 1] : nullptr);
}
