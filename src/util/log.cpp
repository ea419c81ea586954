#include "util/log.h"

#include <systemd/sd-journal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "util/display_text.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

LogLevel gMaxLevel = LogLevel::Info;
LogTarget gTarget = LogTarget::Auto;

// syslog's priorities, as systemd names them; unitoomd logs at 3 .. 7, and a
// level below 3 keeps only what is more severe than its own messages.
constexpr const char* kLevelNames[] = {"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};
constexpr std::pair<const char*, LogTarget> kTargetNames[] = {
    {"auto", LogTarget::Auto}, {"journal", LogTarget::Journal}, {"console", LogTarget::Console}, {"null", LogTarget::Null}};
LogCapture gCapture = nullptr;
void* gCaptureData = nullptr;

constexpr const char* kJournalSocket = "/run/systemd/journal/socket";

// True when stderr is the journal's stream (systemd sets $JOURNAL_STREAM to
// "dev:ino" of that socket): then native structured entries are better.
bool stderrIsJournal() {
  static int cached = -1;
  if (cached >= 0) return cached;
  cached = 0;
  const char* js = getenv("JOURNAL_STREAM");
  struct stat st;
  if (js && fstat(STDERR_FILENO, &st) == 0) {
    unsigned long long dev = 0, ino = 0;
    if (sscanf(js, "%llu:%llu", &dev, &ino) == 2 && dev == st.st_dev && ino == st.st_ino) cached = 1;
  }
  return cached;
}

// $UNITOOMD_LOG_TIME=1 stamps stderr lines with CLOCK_MONOTONIC seconds, the
// clock systemd's *TimestampMonotonic properties use, so a sandbox without
// journald can still line the daemon's decisions up with the units' fate.
bool stderrTimestamps() {
  static int cached = -1;
  if (cached < 0) {
    const char* v = getenv("UNITOOMD_LOG_TIME");
    cached = v && (strcmp(v, "1") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "true") == 0);
  }
  return cached;
}

const char* levelName(LogLevel l) {
  switch (l) {
    case LogLevel::Error: return "error";
    case LogLevel::Warning: return "warning";
    case LogLevel::Notice: return "notice";
    case LogLevel::Info: return "info";
    case LogLevel::Debug: return "debug";
  }
  return "?";
}

}  // namespace

void setLogLevel(LogLevel max) { gMaxLevel = max; }
LogLevel logLevel() { return gMaxLevel; }
void setLogTarget(LogTarget target) { gTarget = target; }
LogTarget logTarget() { return gTarget; }

std::optional<LogLevel> parseLogLevelName(std::string_view name) {
  for (int i = 0; i < 8; ++i)
    if (name == kLevelNames[i] || (name.size() == 1 && name[0] == '0' + i)) return static_cast<LogLevel>(i);
  return std::nullopt;
}

std::string logLevelName(LogLevel level) {
  int i = static_cast<int>(level);
  return i >= 0 && i < 8 ? kLevelNames[i] : std::to_string(i);
}

std::optional<LogTarget> parseLogTargetName(std::string_view name) {
  for (const auto& [n, t] : kTargetNames)
    if (name == n) return t;
  return std::nullopt;
}

std::string logTargetName(LogTarget target) {
  for (const auto& [n, t] : kTargetNames)
    if (t == target) return n;
  return "auto";
}
void setLogCapture(LogCapture capture, void* data) {
  gCapture = capture;
  gCaptureData = data;
}

// The log's edge: names and paths in messages and fields may be anyone's
// bytes (a cgroup named "\n" or "\x1b[31m", a fake systemd's unit names), so
// what leaves here, for the journal, stderr or a test's capture, is
// displaySafe: one line of printable UTF-8, no forged entries or terminal
// sequences, at most shown::kLogBytes a message or field.
void logStructured(LogLevel level, const std::string& rawMessage, const LogFields& rawFields) {
  if (!gCapture && level > gMaxLevel) return;
  std::string message = displaySafe(rawMessage, shown::kLogBytes);
  LogFields fields;
  fields.reserve(rawFields.size());
  for (const auto& [k, v] : rawFields) fields.emplace_back(displaySafe(k, shown::kNameBytes), displaySafe(v, shown::kLogBytes));
  if (gCapture) {
    gCapture(level, message, fields, gCaptureData);
    return;
  }
  if (gTarget == LogTarget::Null) return;
  if (gTarget == LogTarget::Journal || (gTarget == LogTarget::Auto && stderrIsJournal())) {
    std::vector<std::string> items;
    items.reserve(fields.size() + 3);
    items.push_back("MESSAGE=" + message);
    items.push_back(strprintf("PRIORITY=%d", static_cast<int>(level)));
    items.push_back("SYSLOG_IDENTIFIER=unitoomd");
    for (const auto& [k, v] : fields) items.push_back(k + "=" + v);
    std::vector<iovec> iov(items.size());
    for (size_t i = 0; i < items.size(); ++i) iov[i] = {items[i].data(), items[i].size()};
    // sd_journal_sendv() says 0 when journald's socket is not there at all
    // ("fail silently"): then the line goes to stderr, or it is lost
    if (access(kJournalSocket, F_OK) == 0 && sd_journal_sendv(iov.data(), static_cast<int>(iov.size())) >= 0) return;
  }
  std::string line;
  if (stderrTimestamps()) {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    line = strprintf("%lld.%06ld ", static_cast<long long>(ts.tv_sec), ts.tv_nsec / 1000);
  }
  line += strprintf("unitoomd[%s]: %s", levelName(level), message.c_str());
  for (const auto& [k, v] : fields)
    if (k != "MESSAGE_ID") line += " " + k + "=" + v;
  line += "\n";
  // stderr may be journald's stream with nobody reading it any more: EPIPE,
  // never a SIGPIPE that ends the daemon
  if (send(STDERR_FILENO, line.data(), line.size(), MSG_NOSIGNAL) < 0 && errno == ENOTSOCK)
    (void)!write(STDERR_FILENO, line.data(), line.size());
}

void log(LogLevel level, const char* fmt, ...) {
  if (!gCapture && level > gMaxLevel) return;
  va_list ap;
  va_start(ap, fmt);
  std::string msg = vstrprintf(fmt, ap);
  va_end(ap);
  logStructured(level, msg, {});
}

void logEvent(LogLevel level, const char* messageId, const char* fmt, ...) {
  if (!gCapture && level > gMaxLevel) return;
  va_list ap;
  va_start(ap, fmt);
  std::string msg = vstrprintf(fmt, ap);
  va_end(ap);
  logStructured(level, msg, {{"MESSAGE_ID", messageId}});
}

}  // namespace unitoomd
