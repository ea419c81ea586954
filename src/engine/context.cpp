#include "engine/context.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

#include "observe/kept_files.h"
#include "util/log.h"
#include "util/strings.h"

namespace unitoomd {
namespace {

constexpr Duration kStallHistoryKeep = std::chrono::seconds(70);
constexpr Duration kCounterHistoryKeep = std::chrono::seconds(70);
constexpr double kUsageAverageTauSec = 5.0;

const char* pressureFile(Resource r) { return r == Resource::Memory ? "memory.pressure" : "io.pressure"; }
const char* procPressureFile(Resource r) { return r == Resource::Memory ? "pressure/memory" : "pressure/io"; }

std::optional<uint64_t> field(const FlatKeyed* kv, std::string_view key) {
  if (!kv) return std::nullopt;
  auto it = kv->find(key);
  if (it == kv->end()) return std::nullopt;
  return it->second;
}

std::string fileName(const std::string& cgroup, const char* name) { return (cgroup == "/" ? "" : cgroup) + "/" + name; }

uint64_t sumFields(const FlatKeyed& kv, std::initializer_list<const char*> keys) {
  uint64_t sum = 0;
  for (const char* k : keys)
    if (auto it = kv.find(std::string_view(k)); it != kv.end()) sum += it->second;
  return sum;
}

}  // namespace

CgroupView::CgroupView(SampleContext& ctx, const std::string& path, uint64_t inode, std::shared_ptr<CgroupDir> dir)
    : ctx_(ctx), path_(path), inode_(inode), dir_(std::move(dir)), dirTried_(dir_ != nullptr) {}

const CgroupDir* CgroupView::dir() {
  if (!dirTried_) {
    dirTried_ = true;
    dir_ = ctx_.fs().open(path_, inode_);
  }
  return dir_.get();
}

bool CgroupView::gone() {
  if (isRoot()) return false;
  if (!goneSeen_ && (!dir() || !dir_->alive())) goneSeen_ = true;
  return goneSeen_;
}

FileRead CgroupView::read(const char* name) {
  if (!ctx_.fs().mayOffer(name)) return FileRead{ReadStatus::Missing, {}, ENOENT};
  if (!dir()) {
    goneSeen_ = true;
    return FileRead{ReadStatus::Gone, {}, ENODEV};
  }
  FileRead r = dir_->read(name);
  if (r.status == ReadStatus::Gone) goneSeen_ = true;
  else if (r.status == ReadStatus::Failed) ctx_.noteReadFailure(fileName(path(), name), inode(), r.errnum);
  return r;
}

SmallRead CgroupView::readSmall(const char* name, std::span<char> buf) {
  if (!ctx_.fs().mayOffer(name)) return SmallRead{ReadStatus::Missing, {}, ENOENT};
  // A file to open is opened below the directory without keeping the
  // directory for the sample: a sample that reads 10,000 cgroups once held
  // 10,000 directory fds until its end, beside the kept files and the PSI
  // triggers (EMFILE under this host's hard limit of 20,000).
  std::shared_ptr<CgroupDir> passing;
  SmallRead r = ctx_.fs().keptFiles().read(inode(), name, buf, [&] {
    if (dirTried_) return dir_ ? dir_->fd() : -1;
    passing = ctx_.fs().open(path_, inode_);
    return passing ? passing->fd() : -1;
  });
  // a file missing with its directory: the cgroup went (CgroupDir::read)
  if (r.status == ReadStatus::Missing && (!dir() || !dir_->alive())) r.status = ReadStatus::Gone;
  if (r.status == ReadStatus::Gone) goneSeen_ = true;
  else if (r.status == ReadStatus::Failed) ctx_.noteReadFailure(fileName(path(), name), inode(), r.errnum);
  return r;
}

void CgroupView::unparsable(const char* name) { ctx_.noteReadFailure(fileName(path(), name), inode(), 0); }

std::optional<uint64_t> CgroupView::readNumber(const char* name) {
  char buf[256];  // a number, or "max"
  SmallRead r = readSmall(name, buf);
  if (!r.ok()) return std::nullopt;
  auto v = parseSingleValue(r.data);
  if (!v) unparsable(name);
  return v;
}

const Psi* CgroupView::pressure(Resource r) {
  const auto& v = pressure_[static_cast<int>(r)].get([&]() -> std::optional<Psi> {
    std::optional<Psi> psi;
    if (isRoot()) {
      psi = ctx_.systemPressure(r) ? std::optional<Psi>(*ctx_.systemPressure(r)) : std::nullopt;
    } else {
      char buf[1024];  // two lines of about 90 bytes
      SmallRead f = readSmall(pressureFile(r), buf);
      if (f.ok()) {
        psi = parsePsi(f.data);
        // memory and io PSI always have a "full" line: without it the read
        // was cut short, and a full total of 0 would make the next one look
        // like a whole history of stall at once
        if (psi && !psi->full) psi.reset();
        if (!psi) unparsable(pressureFile(r));
      }
    }
    if (psi) {
      auto& h = ctx_.history().at(inode(), ctx_.now());
      recordStall(h.stall[static_cast<int>(r)], StallPoint{ctx_.now(), psi->some.totalUsec, psi->full ? psi->full->totalUsec : 0},
                  kStallHistoryKeep);
    }
    return psi;
  });
  return v ? &*v : nullptr;
}

std::optional<double> CgroupView::stall(Resource r, StallKind kind, Duration window, bool* usedAvg10) {
  const Psi* psi = pressure(r);
  if (!psi) return std::nullopt;
  const CgroupHistory* h = ctx_.history().find(inode());
  if (h) {
    if (auto pct = stallPercent(h->stall[static_cast<int>(r)], kind, window)) {
      if (usedAvg10) *usedAvg10 = false;
      return pct;
    }
  }
  if (usedAvg10) *usedAvg10 = true;
  if (kind == StallKind::Full) return psi->full ? std::optional<double>(psi->full->avg10) : std::nullopt;
  return psi->some.avg10;
}

std::optional<uint64_t> CgroupView::memoryCurrent() {
  return current_.get([&]() -> std::optional<uint64_t> {
    if (isRoot()) {
      auto total = field(ctx_.meminfo(), "MemTotal");
      auto avail = field(ctx_.meminfo(), "MemAvailable");
      if (!total || !avail) return std::nullopt;
      return *total > *avail ? *total - *avail : 0;
    }
    return readNumber("memory.current");
  });
}

const FlatKeyed* CgroupView::memoryStat() {
  const auto& v = stat_.get([&]() -> std::optional<FlatKeyed> {
    if (isRoot()) return std::nullopt;
    FileRead f = read("memory.stat");
    if (!f.ok()) return std::nullopt;
    auto kv = parseFlatKeyed(f.data);
    if (!kv) unparsable("memory.stat");
    return kv;
  });
  return v ? &*v : nullptr;
}

std::optional<uint64_t> CgroupView::memoryStatField(std::string_view key) { return field(memoryStat(), key); }

std::optional<uint64_t> CgroupView::swapCurrent() {
  return swap_.get([&]() -> std::optional<uint64_t> {
    if (isRoot()) {
      auto s = ctx_.swaps();
      return s ? std::optional<uint64_t>(s->usedBytes) : std::nullopt;
    }
    return readNumber("memory.swap.current");
  });
}

std::optional<uint64_t> CgroupView::memoryMin() {
  return min_.get([&] { return isRoot() ? std::optional<uint64_t>(0) : readNumber("memory.min"); });
}
std::optional<uint64_t> CgroupView::memoryMax() {
  return max_.get([&] { return isRoot() ? std::optional<uint64_t>(UINT64_MAX) : readNumber("memory.max"); });
}
std::optional<uint64_t> CgroupView::memoryLow() {
  return low_.get([&] { return isRoot() ? std::optional<uint64_t>(0) : readNumber("memory.low"); });
}

std::optional<bool> CgroupView::oomGroup() {
  return oomGroup_.get([&]() -> std::optional<bool> {
    auto v = readNumber("memory.oom.group");
    if (!v) return std::nullopt;
    return *v != 0;
  });
}

std::optional<bool> CgroupView::populated() {
  if (isRoot()) return true;
  const auto& ev = events_.get([&]() -> std::optional<FlatKeyed> {
    FileRead f = read("cgroup.events");
    if (!f.ok()) return std::nullopt;
    return parseFlatKeyed(f.data);
  });
  auto p = field(ev ? &*ev : nullptr, "populated");
  if (!p) return std::nullopt;
  return *p != 0;
}

std::optional<uint64_t> CgroupView::nrDyingDescendants() {
  return dying_.get([&]() -> std::optional<uint64_t> {
    FileRead f = read("cgroup.stat");
    if (!f.ok()) return std::nullopt;
    auto kv = parseFlatKeyed(f.data);
    return field(kv ? &*kv : nullptr, "nr_dying_descendants");
  });
}

const std::vector<int>* CgroupView::procs() {
  const auto& v = procs_.get([&]() -> std::optional<std::vector<int>> {
    FileRead f = read("cgroup.procs");
    if (!f.ok()) return std::nullopt;
    return parsePids(f.data);
  });
  return v ? &*v : nullptr;
}

std::vector<std::string> CgroupView::childPaths() {
  std::vector<std::string> out;
  if (!dir()) return out;
  for (auto& name : dir_->childNames()) out.push_back(isRoot() ? "/" + name : path() + "/" + name);
  return out;
}

std::optional<uint32_t> CgroupView::ownerUid() {
  struct stat st {};
  if (!dir() || fstat(dir_->fd(), &st) != 0) return std::nullopt;
  return static_cast<uint32_t>(st.st_uid);
}

bool CgroupView::hasXattr(const std::string& name) { return dir() && dir_->getXattr(name.c_str()).has_value(); }

namespace {
template <typename Map>
std::optional<Preference> settingOf(const Map* settings, const std::string& path) {
  if (!settings) return std::nullopt;
  auto it = settings->find(path);
  return it == settings->end() ? std::nullopt : std::optional<Preference>(it->second);
}
}  // namespace

Preference CgroupView::preference(bool withUserClaims) {
  std::optional<Preference>& cached = withUserClaims ? preferenceWithClaims_ : preference_;
  if (cached) return *cached;
  auto owner = ownerUid();
  Preference own = xattrPreference([this](const std::string& name) { return hasXattr(name); },
                                   owner && userXattrsCount(*owner, static_cast<uint32_t>(geteuid())));
  std::function<Preference()> parent;
  if (!isRoot())
    parent = [&] {
      auto slash = path().rfind('/');
      CgroupView* up = ctx_.cgroup(slash == 0 || slash == std::string::npos ? "/" : path().substr(0, slash));
      return up ? up->preference(withUserClaims) : Preference::None;
    };
  cached = inheritedPreference(own, settingOf(ctx_.unitPreferences, path()),
                               withUserClaims ? settingOf(ctx_.userPreferences, path()) : std::nullopt, parent);
  return *cached;
}

std::string CgroupView::protectedBy() {
  if (!protectedBy_)
    protectedBy_ = protectionOf(path(), ctx_.protectedUnits, ctx_.spared, [this](const std::string& p) {
      CgroupView* v = ctx_.cgroup(p);
      return v ? v->childPaths() : std::vector<std::string>{};
    });
  return *protectedBy_;
}

std::optional<CounterPoint> CgroupView::counters() {
  return counters_.get([&]() -> std::optional<CounterPoint> {
    const FlatKeyed* kv = isRoot() ? ctx_.vmstat() : memoryStat();
    if (!kv) return std::nullopt;
    CounterPoint p;
    p.at = ctx_.now();
    if (isRoot()) {
      p.pgscan = sumFields(*kv, {"pgscan_kswapd", "pgscan_direct", "pgscan_khugepaged"});
      p.pgsteal = sumFields(*kv, {"pgsteal_kswapd", "pgsteal_direct", "pgsteal_khugepaged"});
    } else {
      p.pgscan = sumFields(*kv, {"pgscan"});
      p.pgsteal = sumFields(*kv, {"pgsteal"});
    }
    p.refaults = sumFields(*kv, {"workingset_refault_anon", "workingset_refault_file", "workingset_refault"});
    auto& h = ctx_.history().at(inode(), ctx_.now());
    if (h.counters.empty() || h.counters.back().at < p.at) {
      h.counters.push_back(p);
      size_t drop = 0;
      while (h.counters.size() - drop > 2 && p.at - h.counters[drop + 1].at > kCounterHistoryKeep) ++drop;
      h.counters.erase(h.counters.begin(), h.counters.begin() + static_cast<std::ptrdiff_t>(drop));
    }
    return p;
  });
}

std::optional<CounterRates> CgroupView::counterRates(Duration window) {
  if (!counters()) return std::nullopt;
  const CgroupHistory* h = ctx_.history().find(inode());
  if (!h || h->counters.size() < 2) return std::nullopt;
  const CounterPoint& last = h->counters.back();
  const CounterPoint* base = &h->counters.front();
  for (auto it = h->counters.rbegin() + 1; it != h->counters.rend(); ++it) {
    if (last.at - it->at >= window) {
      base = &*it;
      break;
    }
  }
  double secs = toSeconds(std::chrono::duration_cast<Duration>(last.at - base->at));
  if (secs <= 0) return std::nullopt;
  auto rate = [secs](uint64_t a, uint64_t b) { return b >= a ? static_cast<double>(b - a) / secs : 0.0; };
  return CounterRates{rate(base->pgscan, last.pgscan), rate(base->pgsteal, last.pgsteal), rate(base->refaults, last.refaults),
                      std::chrono::duration_cast<Duration>(last.at - base->at)};
}

std::optional<double> CgroupView::growthRatio() {
  return growth_.get([&]() -> std::optional<double> {
    auto cur = memoryCurrent();
    if (!cur) return std::nullopt;
    auto& h = ctx_.history().at(inode(), ctx_.now());
    double c = static_cast<double>(*cur);
    if (!h.usageAverage) {
      h.usageAverage = c;
      h.usageAverageAt = ctx_.now();
      return 1.0;
    }
    double ratio = *h.usageAverage > 0 ? c / *h.usageAverage : 1.0;
    double dt = toSeconds(std::chrono::duration_cast<Duration>(ctx_.now() - h.usageAverageAt));
    if (dt > 0) {
      double alpha = 1.0 - std::exp(-dt / kUsageAverageTauSec);
      *h.usageAverage += (c - *h.usageAverage) * alpha;
      h.usageAverageAt = ctx_.now();
    }
    return ratio;
  });
}

std::optional<double> CgroupView::growthBytesPerSecond() {
  return growthRate_.get([&]() -> std::optional<double> {
    auto cur = memoryCurrent();
    if (!cur) return std::nullopt;
    // Swap counts: a cgroup held at memory.high takes what is left by
    // pushing into swap while its memory.current sits still.
    auto& h = ctx_.history().at(inode(), ctx_.now());
    h.usage.add(ctx_.now(), static_cast<double>(*cur + swapCurrent().value_or(0)));
    return h.usage.slopePerSecond();
  });
}

std::optional<uint64_t> CgroupView::effectiveUsage() {
  auto cur = memoryCurrent();
  if (!cur) return std::nullopt;
  uint64_t protectedBytes = std::max(memoryMin().value_or(0), memoryLow().value_or(0));
  return *cur > protectedBytes ? *cur - protectedBytes : 0;
}

SampleContext::SampleContext(const CgroupFs& fs, History& history, TimePoint now) : fs_(fs), history_(history), now_(now) {
  fs_.keptFiles().newSample();
}

CgroupView* SampleContext::cgroup(const std::string& path) {
  // Looked up without a copy when the path is already normal: 10,000 unit
  // rulesets ask for their parent at every sample.
  if (CgroupFs::isNormal(path)) {
    auto it = views_.find(path);
    if (it != views_.end()) return it->second.get();
  }
  std::string norm = CgroupFs::normalize(path);
  auto it = views_.find(norm);
  if (it != views_.end()) return it->second.get();
  auto dir = fs_.open(norm);
  if (!dir) return nullptr;
  uint64_t ino = dir->inode();
  auto added = views_.try_emplace(std::move(norm)).first;
  added->second = std::make_unique<CgroupView>(*this, added->first, ino, std::move(dir));
  return added->second.get();
}

std::vector<CgroupView*> SampleContext::resolveOne(const std::string& pattern) {
  auto it = globs_.find(pattern);
  if (it == globs_.end()) it = globs_.emplace(pattern, fs_.globEntries(pattern)).first;
  std::vector<CgroupView*> out;
  out.reserve(it->second.size());
  for (const auto& entry : it->second) {  // a glob's paths are distinct
    auto [view, added] = views_.try_emplace(entry.path);
    // A path seen earlier in this sample keeps its view (and its inode then).
    if (added) view->second = std::make_unique<CgroupView>(*this, view->first, entry.inode);
    out.push_back(view->second.get());
  }
  return out;
}

std::vector<CgroupView*> SampleContext::resolve(const std::vector<std::string>& patterns) {
  if (patterns.size() == 1) return resolveOne(patterns.front());
  std::vector<CgroupView*> out;
  std::set<CgroupView*> seen;
  for (const auto& pattern : patterns)
    for (CgroupView* v : resolveOne(pattern))
      if (seen.insert(v).second) out.push_back(v);
  return out;
}

unsigned onlineCpus() {
  static const unsigned cpus = [] {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? static_cast<unsigned>(n) : 1u;
  }();
  return cpus;
}

// A /proc file, parsed; nullopt (and said once) when it could not be read or
// made no sense. The kernel ends every line of these with a newline: one
// without was cut short ("MemAvailable: 52" is not 52 bytes).
template <typename Parse>
auto SampleContext::readProcParsed(const char* relative, Parse parse) -> decltype(parse(std::string_view())) {
  FileRead f = fs_.readProc(relative);
  if (!f.ok()) {
    if (f.status == ReadStatus::Failed) noteReadFailure(fs_.procRoot() + "/" + relative, 0, f.errnum);
    return std::nullopt;
  }
  auto v = !f.data.empty() && f.data.back() == '\n' ? parse(f.data) : std::nullopt;
  if (!v) noteReadFailure(fs_.procRoot() + "/" + relative, 0, 0);
  return v;
}

const FlatKeyed* SampleContext::meminfo() {
  const auto& v = meminfo_.get([&] { return readProcParsed("meminfo", parseMeminfo); });
  return v ? &*v : nullptr;
}

// Read at every sample, so swap added or removed after start (swapon of a
// zram device by zram-generator, a swapoff) counts from the next sample.
std::optional<SwapInfo> SampleContext::swaps() {
  return swaps_.get([&]() -> std::optional<SwapInfo> {
    auto listed = readProcParsed("swaps", parseSwaps);
    if (!listed) return listed;
    bool zram = false;
    std::vector<SwapDevice> devices;
    for (const SwapDevice& d : listed->devices) {
      auto name = zramDeviceName(d.filename);
      if (!name) {
        devices.push_back(d);
        continue;
      }
      std::string file = "block/" + *name + "/mm_stat";
      FileRead f = fs_.readSys(file);
      auto stat = f.ok() ? parseZramMmStat(f.data) : std::nullopt;
      if (!stat) {  // as listed, and said once: its size overstates what it holds
        if (f.status == ReadStatus::Failed || f.ok()) noteReadFailure(fs_.sysRoot() + "/" + file, 0, f.ok() ? 0 : f.errnum);
        devices.push_back(d);
        continue;
      }
      uint64_t avail = 0;
      if (const FlatKeyed* mi = meminfo())
        if (auto it = mi->find(std::string_view("MemAvailable")); it != mi->end()) avail = it->second;
      devices.push_back(zramEffective(d, *stat, avail));
      zram = true;
    }
    if (!zram) return listed;
    return sumSwapDevices(std::move(devices));
  });
}

const FlatKeyed* SampleContext::vmstat() {
  const auto& v = vmstat_.get([&] { return readProcParsed("vmstat", parseFlatKeyed); });
  return v ? &*v : nullptr;
}

const Psi* SampleContext::systemPressure(Resource r) {
  const auto& v = sysPressure_[static_cast<int>(r)].get([&] {
    auto psi = readProcParsed(procPressureFile(r), parsePsi);
    if (psi && !psi->full) {  // cut short: see CgroupView::pressure
      noteReadFailure(fs_.procRoot() + "/" + procPressureFile(r), 0, 0);
      psi.reset();
    }
    return psi;
  });
  return v ? &*v : nullptr;
}

void SampleContext::noteReadFailure(const std::string& file, uint64_t inode, int errnum) {
  if (!fs_.firstFailure(strprintf("%s\n%llu\n%d", file.c_str(), static_cast<unsigned long long>(inode), errnum))) return;
  if (errnum) LOG_WARN("cannot read %s: %s; taken as unknown while it fails (said once)", file.c_str(), strerror(errnum));
  else LOG_WARN("%s made no sense (cut short or garbage); taken as unknown while it does (said once)", file.c_str());
}

void SampleContext::noteUnavailable(const std::string& what, const std::string& consequence) {
  if (history_.firstTime(what + "\n" + consequence))
    LOG_NOTICE("%s is not available on this system; %s", what.c_str(), consequence.c_str());
}

}  // namespace unitoomd
