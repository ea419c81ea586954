#pragma once

#include <cstdarg>
#include <string>
#include <string_view>
#include <vector>

namespace unitoomd {

std::string_view trim(std::string_view s);
std::vector<std::string_view> split(std::string_view s, char sep);
// Splits on runs of blanks (space, tab), dropping empty fields.
std::vector<std::string_view> splitBlanks(std::string_view s);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
bool startsWith(std::string_view s, std::string_view prefix);
bool endsWith(std::string_view s, std::string_view suffix);

std::string strprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string vstrprintf(const char* fmt, va_list ap);

// "1.5 GiB", "512 KiB", "37 B"
std::string formatBytes(unsigned long long bytes);

}  // namespace unitoomd
