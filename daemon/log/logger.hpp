#pragma once
// The daemon's operational log: one `key=value` line per event on stderr
// (journald under systemd). Fixed field names; values with spaces are quoted.
// One write(2) per line, so lines from several threads never interleave.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace sekisho::log {

enum class level
{
    debug,
    info,
    warning,
    error
};

using field = std::pair<std::string_view, std::string>;

void write(level lvl, std::string_view event, std::initializer_list<field> fields = {});

inline void info(std::string_view event, std::initializer_list<field> fields = {})
{
    write(level::info, event, fields);
}
inline void warning(std::string_view event, std::initializer_list<field> fields = {})
{
    write(level::warning, event, fields);
}
inline void error(std::string_view event, std::initializer_list<field> fields = {})
{
    write(level::error, event, fields);
}

} // namespace sekisho::log
