// unitoomd.conf and its drop-ins: the INI reader (config/ini.cpp) and the
// settings on top of it (config/daemon_config.cpp). The input is a main file
// and drop-ins separated by lines "--- drop-in ---", applied in order on one
// config as loadDaemonConfig does: any bytes give settings or diagnostics,
// never a crash; what is accepted stays within sense.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/daemon_config.h"
#include "config/ini.h"

using namespace unitoomd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view all(reinterpret_cast<const char*>(data), size);
  constexpr std::string_view kSeparator = "\n--- drop-in ---\n";

  Diagnostics iniDiags;
  for (const auto& e : parseIni(all, "fuzz.conf", iniDiags))
    if (e.line <= 0) abort();  // every entry names its line

  DaemonConfig config;
  Diagnostics diags;
  int n = 0;
  for (size_t start = 0; start <= all.size();) {
    size_t end = all.find(kSeparator, start);
    std::string_view part = all.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    applyDaemonConfig(part, n == 0 ? "unitoomd.conf" : "unitoomd.conf.d/" + std::to_string(n) + ".conf", config, diags);
    ++n;
    if (end == std::string_view::npos) break;
    start = end + kSeparator.size();
  }
  // Whatever was accepted is a usable setting.
  if (!std::isfinite(config.swapUsedLimitPercent) || !std::isfinite(config.defaultMemoryPressureLimitPercent)) abort();
  if (config.sampleInterval.count() < 0 || config.idleInterval.count() < 0 || config.defaultMemoryPressureDuration.count() < 0 ||
      config.stopTimeout.count() < 0)
    abort();
  return 0;
}
