#include "daemon/log/logger.hpp"

#include <unistd.h>

namespace sekisho::log {

namespace {

void append_value(std::string& out, std::string_view v)
{
    const bool plain = !v.empty() && v.find_first_of(" \"=\n\r\t") == std::string_view::npos;
    if (plain)
    {
        out += v;
        return;
    }
    out += '"';
    for (char c : v)
    {
        if (c == '"' || c == '\\')
        {
            out += '\\';
            out += c;
        }
        else if (c == '\n' || c == '\r' || c == '\t')
        {
            out += ' ';
        }
        else
        {
            out += c;
        }
    }
    out += '"';
}

std::string_view name(level l)
{
    switch (l)
    {
        case level::debug:
            return "debug";
        case level::info:
            return "info";
        case level::warning:
            return "warning";
        case level::error:
            break;
    }
    return "error";
}

} // namespace

void write(level lvl, std::string_view event, std::initializer_list<field> fields)
{
    std::string line = "level=";
    line += name(lvl);
    line += " event=";
    line += event;
    for (const auto& [k, v] : fields)
    {
        line += ' ';
        line += k;
        line += '=';
        append_value(line, v);
    }
    line += '\n';
    const char* p = line.data();
    std::size_t left = line.size();
    while (left > 0)
    {
        const auto n = ::write(STDERR_FILENO, p, left);
        if (n <= 0)
        {
            return; // nowhere else to report it
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

} // namespace sekisho::log
