// The armed PSI triggers: their fds and sd-event sources, kept in step with
// a plan (trigger_plan) against the cgroups that exist. A trigger that
// fires calls `fired` with its spec; one whose cgroup went away (POLLERR) is
// dropped, and the idle sample re-arms what exists (stale()).
#pragma once

#include <systemd/sd-event.h>

#include <functional>
#include <vector>

#include "daemon/loud_triggers.h"
#include "daemon/trigger_plan.h"
#include "daemon/trigger_stall.h"
#include "engine/context.h"
#include "engine/engine.h"
#include "observe/cgroup_fs.h"
#include "util/fd.h"
#include "util/fd_closer.h"

namespace unitoomd {

class PsiTriggers : public QuietTriggers {
 public:
  PsiTriggers(sd_event* event, Duration window, std::function<void(const TriggerSpec&)> fired);
  ~PsiTriggers();
  PsiTriggers(const PsiTriggers&) = delete;
  PsiTriggers& operator=(const PsiTriggers&) = delete;

  // Armed as the engine's rules need them now (planTriggers).
  void follow(const Engine& engine, const CgroupFs& fs);
  // The plan as it stands would arm or re-arm something (see triggersStale).
  bool stale(const CgroupFs& fs) const;
  // Reads only the cgroups whose trigger fired within its window: a quiet
  // one has seen no stall at its threshold, by the kernel's own measure.
  // Looks only at those armed or fired lately, not at 10,000 quiet ones.
  StallSeen stallSeen(SampleContext& ctx);
  std::optional<QuietTrigger> quiet(const std::string& cgroup, Resource r) const override;
  // What the triggers that fired since the last sample prove (for the
  // detectors); the sample that used them forgets them.
  const std::vector<StallProof>& proofs() const { return proofs_; }
  void proofsUsed() { proofs_.clear(); }
  size_t armed() const { return triggers_.size(); }
  Duration window() const { return window_; }

 private:
  struct Trigger {
    ArmedTrigger armed;
    UniqueFd fd;
    sd_event_source* source = nullptr;
    TimePoint quietSince{};  // armed, or last fired
  };
  QuietTrigger quietOf(const Trigger& t) const;
  void arm(std::vector<TriggerSpec> planned, const CgroupFs& fs);
  std::vector<ArmedTrigger> armedNow() const;
  static int onTrigger(sd_event_source* s, int fd, uint32_t revents, void* userdata);

  sd_event* event_;
  Duration window_;
  std::function<void(const TriggerSpec&)> fired_;
  std::vector<TriggerSpec> planned_;
  const Trigger* find(const std::string& cgroup, Resource r) const;
  std::vector<Trigger> triggers_;  // by (cgroup, resource): quiet() looks them up
  LoudTriggers loud_;
  std::vector<StallProof> proofs_;
  // A trigger's close waits for an RCU grace period (fd_closer.h): dropped
  // triggers are closed there, never on the loop.
  FdCloser closer_;
};

}  // namespace unitoomd
