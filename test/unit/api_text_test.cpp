// The D-Bus API with names no one chose well: a cgroup named with the byte
// 0xff (not UTF-8, which sd-bus refuses to send) must not make ListKills,
// the properties, Dump, DumpJSON or the Killed signal fail. Over a real,
// private dbus-daemon.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include "api/manager_object.h"
#include "bus/owned.h"
#include "systemd/reconnect.h"
#include "event_loop.h"

namespace unitoomd {
namespace {

const std::string kHostile = std::string("/user.slice/user-1000.slice/user@1000.service/evil\xff\n\"\x1b[31m");

class FakeModel : public ApiModel {
 public:
  Snapshot snapshot(bool) override {
    Snapshot s;
    s.version = "9.9";
    s.rulesets.push_back({"fake\xfe", "desc\xc0", "unit \xff.slice", "armed"});
    s.cgroups.push_back({kHostile, 1, 2});
    s.kills.push_back({1, "app-\xff.scope", kHostile, "r\xff", "why\xff", false, {{"K\xff", "v\xff"}}});
    s.bus = "system bus";
    s.killCount = 1;
    s.followedUsers = {1000, 1001};
    s.wokenBy = {{"psi:/work.slice/memory.pressure", 42}};
    s.questions.push_back({2, 1000, "closeme\xff", kHostile, "frozen", "", ""});
    s.questions.push_back({3, 1000, "kept", "/user.slice/kept.scope", "answered", "keep", "resumed"});
    return s;
  }
  Metrics metrics() override {
    Metrics m;
    m.cgroups.push_back({kHostile, 1, 2, 3, 4});
    m.kills[{"r\xff", "KillUnit", "killed"}] = 1;
    return m;
  }
  std::string reloadFromApi() override { return ""; }
  void setDryRunFromApi(bool) override {}
};

// A dbus-daemon of our own, stopped (by its pid) with the test.
struct PrivateBus {
  test::TempDir dir;
  pid_t pid = -1;
  std::string address;
  PrivateBus() {
    std::string socket = dir.path + "/bus";
    address = "unix:path=" + socket;
    pid = fork();
    if (pid == 0) {
      execlp("dbus-daemon", "dbus-daemon", "--session", "--nofork", "--nopidfile", ("--address=" + address).c_str(), nullptr);
      _exit(127);
    }
    for (int i = 0; i < 200 && !std::filesystem::exists(socket); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ~PrivateBus() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  }
  bool up() const { return std::filesystem::exists(dir.path + "/bus"); }
};

struct Client {
  sd_bus* bus = nullptr;
  explicit Client(const std::string& address) {
    sd_bus_new(&bus);
    sd_bus_set_address(bus, address.c_str());
    sd_bus_set_bus_client(bus, 1);
    sd_bus_start(bus);
  }
  ~Client() { sd_bus_flush_close_unref(bus); }
  // Calls a method of org.unitoomd1.Manager (or Get of a property); the reply, or null with `error` set.
  sd_bus_message* call(const char* interface, const char* method, std::string& error, const char* property = nullptr) {
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    int r = property ? sd_bus_call_method(bus, "org.unitoomd1", "/org/unitoomd1", "org.freedesktop.DBus.Properties", "Get", &e,
                                          &reply, "ss", "org.unitoomd1.Manager", property)
                     : sd_bus_call_method(bus, "org.unitoomd1", "/org/unitoomd1", interface, method, &e, &reply, "");
    if (r < 0) error = std::string(method) + ": " + (e.message ? e.message : strerror(-r));
    sd_bus_error_free(&e);
    return r < 0 ? nullptr : reply;
  }
};

// unitoomd's object, served with the fake model on a private bus, by a
// thread of its own between serve() and stop() (sd-bus is not thread-safe:
// nothing else touches the connection meanwhile).
struct ServedFake {
  PrivateBus daemon;
  BusPtr connection;
  FakeModel model;
  std::unique_ptr<ManagerObject> object;
  std::atomic<bool> stopping{false};
  std::thread loop;
  ServedFake() {
    if (!daemon.up()) return;
    auto opened = openBusAddress(daemon.address);
    if (!opened) return;
    connection = std::move(*opened);
    if (sd_bus_request_name(connection.get(), "org.unitoomd1", 0) < 0) return;
    auto served = ManagerObject::serve(connection.get(), model);
    if (served) object = std::move(*served);
  }
  ~ServedFake() { stop(); }
  void serve() {
    loop = std::thread([this] {
      while (!stopping)
        if (sd_bus_process(connection.get(), nullptr) == 0) sd_bus_wait(connection.get(), 100'000);
    });
  }
  void stop() {
    stopping = true;
    if (loop.joinable()) loop.join();
  }
};

TEST(ApiText, NamesThatAreNotUtf8GoOutEscaped) {
  ServedFake served;
  if (!served.object) GTEST_SKIP() << "no dbus-daemon";
  auto& object = *served.object;
  auto& daemon = served.daemon;

  // the signal, sent before the loop runs (sd-bus is not thread-safe)
  EXPECT_GE(object.emitKilled("app-\xff.scope", kHostile, "r\xff", "why\xff"), 0);
  EXPECT_GE(object.emitPressureWarning("r\xff", "desc\xff", "why\xff"), 0);

  served.serve();
  {
    Client client(daemon.address);
    std::string error;

    sd_bus_message* reply = client.call("org.unitoomd1.Manager", "ListKills", error);
    ASSERT_TRUE(reply) << error;
    ASSERT_GT(sd_bus_message_enter_container(reply, 'a', "(tssssa{ss})"), 0);
    ASSERT_GT(sd_bus_message_enter_container(reply, 'r', "tssssa{ss}"), 0);
    uint64_t t;
    const char *unit, *cgroup, *ruleset, *reason;
    ASSERT_GE(sd_bus_message_read(reply, "tssss", &t, &unit, &cgroup, &ruleset, &reason), 0);
    EXPECT_EQ(std::string(unit), "app-\\xff.scope");
    EXPECT_EQ(std::string(cgroup), "/user.slice/user-1000.slice/user@1000.service/evil\\xff\n\"\x1b[31m")
        << "exact where valid UTF-8: controls are data on D-Bus";
    sd_bus_message_unref(reply);

    for (const char* property : {"Rulesets", "MonitoredCGroups", "Version"}) {
      reply = client.call(nullptr, property, error, property);
      EXPECT_TRUE(reply) << error;
      sd_bus_message_unref(reply);
    }
    for (const char* method : {"Dump", "DumpJSON"}) {
      reply = client.call("org.unitoomd1.Manager", method, error);
      EXPECT_TRUE(reply) << error;
      const char* text = nullptr;
      if (reply) sd_bus_message_read(reply, "s", &text);
      if (text) {
        EXPECT_NE(std::string(text).find("evil\\"), std::string::npos) << text;
      }
      sd_bus_message_unref(reply);
    }
  }
  served.stop();
}

// `unitoomctl status` builds its account from the properties (and the
// number of recent kills from ListKills): what the dump shows, without its
// list of kills.
TEST(ApiText, UnitoomctlStatusShowsTheDumpWithoutItsKills) {
  const char* unitoomctl = getenv("UNITOOMCTL");
  if (!unitoomctl) GTEST_SKIP() << "UNITOOMCTL (the client's path) is not set; meson sets it";
  ServedFake served;
  if (!served.object) GTEST_SKIP() << "no dbus-daemon";
  served.serve();

  std::string command = "DBUS_SESSION_BUS_ADDRESS='" + served.daemon.address + "' '" + unitoomctl + "' --user status";
  FILE* out = popen(command.c_str(), "r");
  ASSERT_TRUE(out);
  std::string shown;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, out)) > 0;) shown.append(buf, n);
  int status = pclose(out);
  served.stop();

  EXPECT_EQ(status, 0);
  std::string dump = renderDump(served.model.snapshot(true));
  std::string expected = dump.substr(0, dump.find("\nRecent kills")) + "\nRecent kills: 1 (unitoomctl kills)\n";
  EXPECT_EQ(shown, expected);
  EXPECT_NE(shown.find("Frozen, waiting for the user's answer (1):"), std::string::npos);
}

}  // namespace
}  // namespace unitoomd
