// The cgroup patterns of a plugin's `cgroup` argument, held once for all
// the plugins of one ruleset that name the same ones: a unit's ruleset names
// its cgroup in each of its three plugins (pressure_above, memory_reclaim,
// the kill), and 1,000 units held 3,000 copies of 1,000 paths.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace unitoomd {

class CgroupPatterns {
 public:
  CgroupPatterns() = default;
  explicit CgroupPatterns(std::vector<std::string> patterns)
      : list_(std::make_shared<const std::vector<std::string>>(std::move(patterns))) {}

  const std::vector<std::string>& list() const { return list_ ? *list_ : none(); }
  // Where a list of patterns is asked for (CgroupView resolution, join).
  operator const std::vector<std::string>&() const { return list(); }
  size_t size() const { return list().size(); }
  bool empty() const { return list().empty(); }
  const std::string& operator[](size_t i) const { return list()[i]; }
  auto begin() const { return list().begin(); }
  auto end() const { return list().end(); }
  // The very same list, not merely equal ones.
  bool sharedWith(const CgroupPatterns& other) const { return list_ && list_ == other.list_; }

 private:
  static const std::vector<std::string>& none() {
    static const std::vector<std::string> empty;
    return empty;
  }
  std::shared_ptr<const std::vector<std::string>> list_;
};

// The patterns made while compiling one ruleset, by the argument's text,
// for its other plugins to share. Only lists made without an error are
// kept, so a second plugin with the same bad text is told so again.
class PatternPool {
 public:
  const CgroupPatterns* find(std::string_view text) const {
    for (const auto& [t, p] : made_)
      if (t == text) return &p;
    return nullptr;
  }
  void add(std::string text, CgroupPatterns patterns) { made_.emplace_back(std::move(text), std::move(patterns)); }

 private:
  std::vector<std::pair<std::string, CgroupPatterns>> made_;  // a ruleset has a few
};

}  // namespace unitoomd
