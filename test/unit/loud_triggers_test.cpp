#include "daemon/loud_triggers.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

using namespace unitoomd;
using namespace std::chrono_literals;

namespace {

TimePoint at(double s) { return TimePoint(std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s))); }

// Armed triggers with a 2 s window, by cgroup, each quiet since its time.
struct Armed {
  std::map<std::string, TimePoint> since;
  std::optional<QuietTrigger> operator()(const LoudTriggers::Key& k) const {
    auto it = since.find(k.first);
    if (it == since.end()) return std::nullopt;
    return QuietTrigger{StallKind::Some, 10, 2s, it->second};
  }
};

std::vector<std::string> loudAt(LoudTriggers& loud, const Armed& armed, double t) {
  std::vector<std::string> out;
  loud.forEachLoud(at(t), armed, [&](const LoudTriggers::Key& k) { out.push_back(k.first); });
  return out;
}

}  // namespace

// 10,000 triggers armed at once are looked at until a window has passed,
// then not again while they stay quiet.
TEST(LoudTriggers, ArmedTriggersAreLoudForOneWindowOnly) {
  LoudTriggers loud;
  Armed armed;
  for (auto cg : {"/a", "/b", "/c"}) {
    armed.since[cg] = at(0);
    loud.heard({cg, Resource::Memory});
  }
  EXPECT_EQ(loudAt(loud, armed, 1), (std::vector<std::string>{"/a", "/b", "/c"}));
  EXPECT_TRUE(loudAt(loud, armed, 2).empty());
  EXPECT_EQ(loud.size(), 0u) << "forgotten once quiet";
}

// One that fires is loud again for a window; its quiet siblings stay
// unlooked-at.
TEST(LoudTriggers, OneThatFiresIsLookedAtAloneUntilQuietAgain) {
  LoudTriggers loud;
  Armed armed;
  for (auto cg : {"/a", "/b"}) {
    armed.since[cg] = at(0);
    loud.heard({cg, Resource::Memory});
  }
  EXPECT_TRUE(loudAt(loud, armed, 5).empty());
  armed.since["/b"] = at(10);  // fired
  loud.heard({"/b", Resource::Memory});
  loud.heard({"/b", Resource::Memory});  // fired again within its window: once
  EXPECT_EQ(loudAt(loud, armed, 10.5), std::vector<std::string>{"/b"});
  EXPECT_EQ(loudAt(loud, armed, 11.9), std::vector<std::string>{"/b"});
  EXPECT_TRUE(loudAt(loud, armed, 12).empty());
}

// A trigger dropped (its cgroup went away) is forgotten.
TEST(LoudTriggers, ADroppedTriggerIsForgotten) {
  LoudTriggers loud;
  Armed armed;
  armed.since["/a"] = at(0);
  loud.heard({"/a", Resource::Memory});
  armed.since.erase("/a");
  EXPECT_TRUE(loudAt(loud, armed, 1).empty());
  EXPECT_EQ(loud.size(), 0u);
}
