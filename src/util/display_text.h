// Text that came from someone else, made safe where unitoomd shows it.
//
// Unit names, cgroup paths and descriptions are not ours: a user can serve a
// fake systemd on their own bus, and inside a delegated subtree a user names
// cgroups with any bytes but '/' and NUL (newlines, ESC sequences, invalid
// UTF-8, 255-byte names, deep paths). Inside the daemon such strings stay raw
// bytes (a cgroup's identity is its exact path); they are made safe only at
// the edge where text leaves the process:
//
//   for people (journal, stderr, Dump, unitoomctl tables, notifications):
//     displaySafe: printable valid UTF-8, nothing else;
//   for programs (D-Bus arguments and properties, JSON):
//     utf8Safe inside D-Bus strings, jsonQuote for JSON: exact text where it
//     is valid UTF-8, so a newline stays a newline (JSON writes it \u000a).
//
// Escapes: a byte that may not be shown becomes the four characters \xNN
// (lower-case hex, as systemd's cescape writes it). A backslash is NOT
// doubled: unit names carry systemd's own escapes ("app-firefox\x2desr.scope")
// and show as people type them into systemctl. So the text "\xff" and the
// byte 0xff show alike; shown text is for reading, never for identity.
//
// Bounds: maxBytes bounds the result, marker included. Over-long input is cut
// at a whole character or escape (never inside a UTF-8 sequence or a \xNN)
// and ends with "…" (U+2026, 3 bytes). Results are stable: applying the same
// function again, with the same or a larger bound, changes nothing, so two
// edges on one path (a report and the log) may both apply it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace unitoomd {

namespace shown {
// a unit, cgroup (last component), ruleset or process name: systemd caps unit
// names at 255 bytes, the kernel a cgroup name at 255; 512 leaves room for
// some escapes and cuts a name made of nothing but escapes.
constexpr size_t kNameBytes = 512;
// a cgroup path: PATH_MAX, beyond which no one can open it by its path anyway.
constexpr size_t kPathBytes = 4096;
// a description, a reason, an error message.
constexpr size_t kTextBytes = 2048;
// a whole log message or journal field, at the log's edge (a kill report's
// summary holds a path, names and reasons).
constexpr size_t kLogBytes = 16384;
// one string in JSON or in a D-Bus argument or property.
constexpr size_t kDataBytes = 4096;
}  // namespace shown

inline constexpr std::string_view kTruncationMarker = "\xe2\x80\xa6";  // "…"

// For people. Keeps printable characters of valid UTF-8. Escapes as \xNN each
// byte of: C0 controls (incl. newline and tab), DEL, C1 controls (U+0080..
// U+009F, both bytes), the line and paragraph separators and the bidi
// controls (U+200E, U+200F, U+2028..U+202E, U+2066..U+2069: they move or
// reorder what follows), and every byte that is not part of valid UTF-8
// (overlong forms, surrogates, > U+10FFFF, and the noncharacters U+FDD0..
// U+FDEF and U+xxFFFE/F, which sd-bus refuses to send). maxBytes < 3 is taken
// as 3.
std::string displaySafe(std::string_view s, size_t maxBytes);

// For programs. Valid UTF-8 for D-Bus (sd-bus refuses anything else) and no
// NUL: only the bytes that are not valid UTF-8 (as above) and NUL become
// \xNN; controls stay as they are. Same bound and marker as displaySafe.
std::string utf8Safe(std::string_view s, size_t maxBytes);

// A JSON string literal, quotes included, valid JSON (RFC 8259) and valid
// UTF-8 for any input bytes: the text of utf8Safe(s, maxBytes), with '"' and
// '\' escaped, newline and tab as \n and \t, and the other C0 controls, DEL,
// C1 controls and U+2028/U+2029 written \u00XX (\u2028): printing the JSON
// on a terminal is safe too. Invalid
// bytes arrive as the text \xNN rather than U+FFFD: two different names stay
// two different strings, and the JSON says the same as the journal and the
// text dump.
std::string jsonQuote(std::string_view s, size_t maxBytes = shown::kDataBytes);

}  // namespace unitoomd
