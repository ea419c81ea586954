// Logging: one call site shape for the whole daemon. Messages go to the
// journal when stderr is connected to it ($JOURNAL_STREAM), else to stderr
// with a level prefix. Structured fields (MESSAGE_ID, UNIT=, ...) are kept
// for the journal and shown as key=value on stderr.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace unitoomd {

enum class LogLevel { Error = 3, Warning = 4, Notice = 5, Info = 6, Debug = 7 };

using LogFields = std::vector<std::pair<std::string, std::string>>;

void setLogLevel(LogLevel max);
LogLevel logLevel();

// Where lines go. Auto: the journal when stderr is connected to it, else
// stderr. Journal: the journal, stderr if it is not there. Console: stderr.
// Null: nowhere.
enum class LogTarget { Auto, Journal, Console, Null };
void setLogTarget(LogTarget target);
LogTarget logTarget();

// systemd's names (org.freedesktop.LogControl1, systemctl service-log-level
// and service-log-target): "emerg" .. "debug" (or 0 .. 7); "auto",
// "journal", "console", "null". nullopt: not one of them.
std::optional<LogLevel> parseLogLevelName(std::string_view name);
std::string logLevelName(LogLevel level);
std::optional<LogTarget> parseLogTargetName(std::string_view name);
std::string logTargetName(LogTarget target);
void log(LogLevel level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void logStructured(LogLevel level, const std::string& message, const LogFields& fields);
// An event with its own MESSAGE_ID (util/message_ids.h).
void logEvent(LogLevel level, const char* messageId, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

// Tests capture log output instead of printing it.
using LogCapture = void (*)(LogLevel, const std::string& message, const LogFields& fields, void* data);
void setLogCapture(LogCapture capture, void* data);

#define LOG_ERROR(...) ::unitoomd::log(::unitoomd::LogLevel::Error, __VA_ARGS__)
#define LOG_WARN(...) ::unitoomd::log(::unitoomd::LogLevel::Warning, __VA_ARGS__)
#define LOG_NOTICE(...) ::unitoomd::log(::unitoomd::LogLevel::Notice, __VA_ARGS__)
#define LOG_INFO(...) ::unitoomd::log(::unitoomd::LogLevel::Info, __VA_ARGS__)
#define LOG_DEBUG(...)                                                                                                    \
  do {                                                                                                                    \
    if (::unitoomd::logLevel() >= ::unitoomd::LogLevel::Debug) ::unitoomd::log(::unitoomd::LogLevel::Debug, __VA_ARGS__); \
  } while (0)

}  // namespace unitoomd
