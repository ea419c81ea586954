#include "desktop/ask_policy.h"

#include "desktop/protection.h"
#include "util/parse.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

constexpr double kStillStalling = 10;  // percent of a second

}  // namespace

std::optional<std::string> whyNotAsk(std::string_view cgroupPath, const std::vector<std::string>& protectedUnits) {
  if (!isUserManagersUnit(cgroupPath)) return "not an app of a user's manager";
  if (auto p = protectedComponent(cgroupPath, protectedUnits); !p.empty()) return "protected (" + p + ")";
  return std::nullopt;
}

Question questionFor(const std::string& app, Duration timeout) {
  Question q;
  q.text.summary = app + " is paused: memory is running out";
  q.text.body = "The computer is waiting for memory, and " + app +
                " uses the most. It is paused so you can choose: close it to free its memory, or keep it running "
                "(you will not be asked about it again for a while). With no answer it is closed in " +
                formatDuration(timeout) + ".";
  q.actions = {kActionClose, "Close " + app, kActionKeep, "Keep running"};
  return q;
}

Answer answerOf(std::string_view key) {
  if (key == kActionClose) return Answer::Close;
  if (key == kActionKeep) return Answer::Keep;
  return Answer::None;
}

const char* answerName(Answer a) {
  switch (a) {
    case Answer::Close: return "Close";
    case Answer::Keep: return "Keep running";
    case Answer::None: break;
  }
  return "none";
}

bool pressureStillRising(const std::vector<double>& stall) {
  if (stall.size() < 2) return false;
  double last = stall.back(), before = stall[stall.size() - 2];
  return last >= kStillStalling && before >= kStillStalling && last >= before;
}

FrozenStep frozenStep(Answer answer, Duration frozenFor, Duration timeout, const std::vector<double>& stall) {
  if (answer == Answer::Close) return {Verdict::Kill, "the user chose Close"};
  if (answer == Answer::Keep) return {Verdict::Thaw, "the user chose Keep running"};
  if (pressureStillRising(stall))
    return {Verdict::Kill, strprintf("memory pressure did not fall while it was frozen (%.0f%% then %.0f%% full stall): "
                                     "freezing freed nothing",
                                     stall[stall.size() - 2], stall.back())};
  if (frozenFor >= timeout) return {Verdict::Kill, "no answer within " + formatDuration(timeout)};
  return {};
}

std::optional<TimePoint> KeptApps::keptUntil(const std::string& cgroup, TimePoint now) {
  auto it = until_.find(cgroup);
  if (it == until_.end()) return std::nullopt;
  if (it->second <= now) {
    until_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

std::string formatFreezeRecord(const FreezeRecord& r) {
  // one key=value a line; values are single lines (cgroup paths have no
  // newline; the app name is made one)
  std::string app = r.app;
  for (char& c : app)
    if (c == '\n') c = ' ';
  return strprintf("cgroup=%s\ninode=%llu\nuid=%u\nfrozen_at_realtime_usec=%llu\napp=%s\n", r.cgroup.c_str(),
                   static_cast<unsigned long long>(r.inode), static_cast<unsigned>(r.uid),
                   static_cast<unsigned long long>(r.frozenAtRealtimeUsec), app.c_str());
}

std::optional<FreezeRecord> parseFreezeRecord(std::string_view text, const std::string& file, Diagnostics& diags) {
  FreezeRecord r;
  bool haveCgroup = false, haveInode = false;
  int lineNo = 0;
  size_t before = diags.size();
  for (auto line : split(text, '\n')) {
    ++lineNo;
    if (line.empty()) continue;
    auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      diags.push_back({file, lineNo, "expected key=value, got '" + std::string(line) + "'"});
      continue;
    }
    auto key = line.substr(0, eq), value = line.substr(eq + 1);
    auto number = [&](const char* what) -> std::optional<uint64_t> {
      auto n = parseUnsigned(value);
      if (!n) diags.push_back({file, lineNo, std::string(what) + " is not a number: '" + std::string(value) + "'"});
      return n;
    };
    if (key == "cgroup") {
      if (value.empty() || value[0] != '/' || value.find("/../") != std::string_view::npos || endsWith(value, "/.."))
        diags.push_back({file, lineNo, "cgroup is not a clean absolute path: '" + std::string(value) + "'"});
      else r.cgroup = value, haveCgroup = true;
    } else if (key == "inode") {
      if (auto n = number("inode")) r.inode = *n, haveInode = true;
    } else if (key == "uid") {
      if (auto n = number("uid")) r.uid = static_cast<uid_t>(*n);
    } else if (key == "frozen_at_realtime_usec") {
      if (auto n = number("frozen_at_realtime_usec")) r.frozenAtRealtimeUsec = *n;
    } else if (key == "app") {
      r.app = value;
    }  // other keys: from a newer version, ignored
  }
  if (diags.size() == before && (!haveCgroup || !haveInode)) diags.push_back({file, 0, "no cgroup= or inode= line"});
  if (diags.size() != before) return std::nullopt;
  return r;
}

std::string freezeRecordName(uint64_t inode) { return "frozen-" + std::to_string(inode); }

}  // namespace unitoomd
