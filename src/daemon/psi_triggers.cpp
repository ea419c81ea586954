#include "daemon/psi_triggers.h"

#include <sys/epoll.h>

#include <algorithm>
#include <cstring>
#include <tuple>

#include "daemon/guarded.h"
#include "observe/psi_trigger.h"
#include "util/event_names.h"
#include "util/log.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

InodeOf inodesIn(const CgroupFs& fs) {
  return [&fs](const std::string& cgroup) { return fs.inodeOf(cgroup); };
}

}  // namespace

PsiTriggers::PsiTriggers(sd_event* event, Duration window, std::function<void(const TriggerSpec&)> fired)
    : event_(event), window_(window), fired_(std::move(fired)) {}

PsiTriggers::~PsiTriggers() {
  for (auto& t : triggers_) {
    if (t.source) sd_event_source_disable_unref(t.source);
    closer_.close(std::move(t.fd));
  }
}

std::vector<ArmedTrigger> PsiTriggers::armedNow() const {
  std::vector<ArmedTrigger> out;
  for (const auto& t : triggers_) out.push_back(t.armed);
  return out;
}

void PsiTriggers::follow(const Engine& engine, const CgroupFs& fs) {
  // Only unprivileged windows (2 s, checked every 2 s) need proofs.
  bool proofs = window_ >= std::chrono::seconds(2);
  arm(planTriggers(engine.wakeSources(), engine.hasUntriggeredGroups(), proofs), fs);
}

void PsiTriggers::arm(std::vector<TriggerSpec> planned, const CgroupFs& fs) {
  planned_ = std::move(planned);
  TriggerChanges changes = reconcileTriggers(armedNow(), planned_, inodesIn(fs));
  std::vector<Trigger> kept;
  for (size_t i = 0, k = 0; i < triggers_.size(); ++i) {
    if (k < changes.keep.size() && changes.keep[k] == i) {
      kept.push_back(std::move(triggers_[i]));
      ++k;
    } else {
      if (triggers_[i].source) sd_event_source_disable_unref(triggers_[i].source);
      closer_.close(std::move(triggers_[i].fd));
    }
  }
  triggers_ = std::move(kept);
  for (const auto& cgroup : changes.missing)
    LOG_DEBUG("%s does not exist yet; its trigger is armed when it appears", cgroup.c_str());
  for (auto& a : changes.arm) {
    const TriggerSpec& spec = a.spec;
    std::string file = spec.cgroup == "/" ? fs.procRoot() + "/pressure/" + resourceName(spec.resource)
                                          : fs.absolute(spec.cgroup) + "/" + resourceName(spec.resource) + ".pressure";
    Duration window = windowOf(spec, window_);
    auto fd = armPsiTrigger(file, spec.kind, wakeStallOf(spec, window_), window);
    if (!fd) {
      LOG_WARN("cannot arm PSI trigger (%s): %s; falling back to the idle timer for it", fd.error().message.c_str(),
               strerror(fd.error().errnum));
      continue;
    }
    Trigger t{a, std::move(*fd), nullptr, Clock::now()};  // a copy: `spec` refers into `a`, and is used below
    if (sd_event_add_io(event_, &t.source, t.fd.get(), EPOLLPRI, onTrigger, this) < 0) continue;
    nameSource(t.source, std::string("psi-trigger:") + resourceName(spec.resource) + ":" + spec.cgroup);
    LOG_DEBUG("armed trigger: %s %s %s >= %.1f%% of %s%s", spec.cgroup.c_str(), resourceName(spec.resource),
              spec.kind == StallKind::Full ? "full" : "some", spec.wakePercent, formatDuration(window).c_str(),
              spec.wakeOnly ? " (wakes rules without a stall detector)" : "");
    loud_.heard({spec.cgroup, spec.resource});
    triggers_.push_back(std::move(t));
  }
  std::sort(triggers_.begin(), triggers_.end(), [](const Trigger& x, const Trigger& y) {
    return std::tie(x.armed.spec.cgroup, x.armed.spec.resource) < std::tie(y.armed.spec.cgroup, y.armed.spec.resource);
  });
}

QuietTrigger PsiTriggers::quietOf(const Trigger& t) const {
  const TriggerSpec& spec = t.armed.spec;
  return QuietTrigger{spec.kind, spec.wakePercent, windowOf(spec, window_), t.quietSince};
}

const PsiTriggers::Trigger* PsiTriggers::find(const std::string& cgroup, Resource r) const {
  auto it = std::lower_bound(triggers_.begin(), triggers_.end(), std::tie(cgroup, r), [](const Trigger& t, const auto& key) {
    return std::tie(t.armed.spec.cgroup, t.armed.spec.resource) < key;
  });
  if (it == triggers_.end() || it->armed.spec.cgroup != cgroup || it->armed.spec.resource != r) return nullptr;
  return &*it;
}

std::optional<QuietTrigger> PsiTriggers::quiet(const std::string& cgroup, Resource r) const {
  const Trigger* t = find(cgroup, r);
  if (!t) return std::nullopt;
  return quietOf(*t);
}

bool PsiTriggers::stale(const CgroupFs& fs) const {
  // triggersStale's own first answer, before copying 10,000 armed specs
  // (their paths' allocations were a fifth of an idle sample)
  if (triggers_.size() == planned_.size()) return false;
  return triggersStale(armedNow(), planned_, inodesIn(fs));
}

StallSeen PsiTriggers::stallSeen(SampleContext& ctx) {
  StallSeen seen;
  auto quietNow = [&](const LoudTriggers::Key& k) -> std::optional<QuietTrigger> {
    const Trigger* t = find(k.first, k.second);
    return t ? std::optional(quietOf(*t)) : std::nullopt;
  };
  loud_.forEachLoud(ctx.now(), quietNow, [&](const LoudTriggers::Key& k) {
    const TriggerSpec& spec = find(k.first, k.second)->armed.spec;
    bool& kind = spec.wakeOnly ? seen.wakeOnly : seen.detector;
    if (!kind && stallAtTrigger(spec, ctx, window_)) kind = true;
  });
  return seen;
}

int PsiTriggers::onTrigger(sd_event_source* s, int, uint32_t revents, void* userdata) {
  countWake(s);
  auto* self = static_cast<PsiTriggers*>(userdata);
  return guarded("trigger", [&] {
    auto it = std::find_if(self->triggers_.begin(), self->triggers_.end(), [&](const Trigger& t) { return t.source == s; });
    if (it == self->triggers_.end()) return;
    if (revents & EPOLLERR) {
      // the cgroup went away: drop this trigger; the idle tick re-arms what exists
      LOG_DEBUG("trigger on %s gone", it->armed.spec.cgroup.c_str());
      sd_event_source_disable_unref(it->source);
      self->closer_.close(std::move(it->fd));
      self->triggers_.erase(it);
      return;
    }
    it->quietSince = Clock::now();
    TriggerSpec spec = it->armed.spec;  // fired_ may re-arm, and so free *it
    self->loud_.heard({spec.cgroup, spec.resource});
    if (!spec.wakeOnly) {
      std::erase_if(self->proofs_, [&](const StallProof& p) { return p.cgroup == spec.cgroup && p.resource == spec.resource; });
      self->proofs_.push_back(
          {spec.cgroup, spec.resource, spec.kind, spec.wakePercent, windowOf(spec, self->window_), Clock::now()});
    }
    self->fired_(spec);
  });
}

}  // namespace unitoomd
