// Journal MESSAGE_IDs of unitoomd's events, made once with `systemd-id128 new`
// and never changed: `journalctl MESSAGE_ID=<id>` finds every such event, and
// catalog/unitoomd.catalog explains each under `journalctl -x`.
#pragma once

namespace unitoomd::message_id {

inline constexpr const char* kKilled = "d4851d7c1cfc4499865eb091d114165e";
inline constexpr const char* kKillFailed = "20fea5ece3954d138172a2846fa6d458";
inline constexpr const char* kWouldKill = "927351de6e204577abe1edad8ffa9af6";
inline constexpr const char* kKernelOomKill = "cb471c83470e4fc385ff08d18b17d334";
inline constexpr const char* kStarted = "c37251ec342d48c1a9bf8999916fc888";
inline constexpr const char* kStopping = "2b23084509274e2cae5dcde0375fb672";
inline constexpr const char* kReloaded = "bd51cb0a24e6494caf08f74dc9dfe378";
inline constexpr const char* kConfigError = "df8cafe733d64ed7b6d285fcacb4e7c6";
inline constexpr const char* kAskedBeforeKill = "3bf0c987dbae4ed6898fd0fe8b9c3723";

}  // namespace unitoomd::message_id
