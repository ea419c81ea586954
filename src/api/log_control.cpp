#include "api/log_control.h"

#include <string>

#include "util/log.h"

namespace unitoomd {
namespace {

constexpr const char* kPath = "/org/freedesktop/LogControl1";
constexpr const char* kInterface = "org.freedesktop.LogControl1";

void requireRoot(sdbus::IObject& object, const char* what) {
  const sdbus::Message* m = object.getCurrentlyProcessedMessage();
  uid_t uid = m ? m->getCredsUid() : static_cast<uid_t>(-1);
  if (uid != 0) {
    LOG_NOTICE("refused setting %s to uid %d: root only", what, static_cast<int>(uid));
    throw sdbus::Error("org.freedesktop.DBus.Error.AccessDenied", std::string("setting ") + what + " is for root only");
  }
}

}  // namespace

std::unique_ptr<sdbus::IObject> makeLogControlObject(sdbus::IConnection& connection) {
  auto object = sdbus::createObject(connection, kPath);
  sdbus::IObject& o = *object;
  o.registerProperty("LogLevel")
      .onInterface(kInterface)
      .withGetter([] { return logLevelName(logLevel()); })
      .withSetter([&o](const std::string& value) {
        requireRoot(o, "LogLevel");
        auto level = parseLogLevelName(value);
        if (!level)
          throw sdbus::Error("org.freedesktop.DBus.Error.InvalidArgs",
                             "unknown log level '" + value + "' (emerg, alert, crit, err, warning, notice, info, debug)");
        setLogLevel(*level);
        LOG_NOTICE("log level set to %s (LogControl1)", logLevelName(*level).c_str());
      });
  o.registerProperty("LogTarget")
      .onInterface(kInterface)
      .withGetter([] { return logTargetName(logTarget()); })
      .withSetter([&o](const std::string& value) {
        requireRoot(o, "LogTarget");
        auto target = parseLogTargetName(value);
        if (!target)
          throw sdbus::Error("org.freedesktop.DBus.Error.InvalidArgs",
                             "unsupported log target '" + value + "' (auto, journal, console, null)");
        setLogTarget(*target);
        LOG_NOTICE("log target set to %s (LogControl1)", logTargetName(*target).c_str());
      });
  o.registerProperty("SyslogIdentifier").onInterface(kInterface).withGetter([] { return std::string("unitoomd"); });
  o.finishRegistration();
  return object;
}

}  // namespace unitoomd
