// The syslog framing of one audit line for the forwarder: the RFC 5424
// header from the line's envelope and "host", RFC 5425 octet counting.

#include "daemon/audit/forward_message.hpp"

#include <algorithm>

namespace sekisho::audit::detail {

namespace {

bool printable(std::string_view s, std::size_t max)
{
    return !s.empty() && s.size() <= max &&
           std::all_of(s.begin(), s.end(), [](char c) { return c > 32 && c < 127 && c != '\\'; });
}

// The record's "host" without parsing the line: empty when it is not a
// plain JSON string (escapes) or not there.
std::string_view record_host(std::string_view line)
{
    constexpr std::string_view key = ",\"host\":\"";
    const auto at = line.find(key);
    if (at == std::string_view::npos)
    {
        return {};
    }
    const auto from = at + key.size();
    const auto end = line.find('"', from);
    return end == std::string_view::npos ? std::string_view() : line.substr(from, end - from);
}

} // namespace

void append_message(std::string& out,
                    const envelope& e,
                    std::string_view line,
                    std::string_view fallback_host,
                    std::string_view app,
                    std::string_view procid)
{
    const auto host = record_host(line);
    const bool ts_ok = e.ts.size() <= 32 &&
                       e.ts.find_first_not_of("0123456789-:.TZ+") == std::string_view::npos && !e.ts.empty();
    std::string header = "<110>1 ";
    header += ts_ok ? e.ts : "-";
    header += ' ';
    header += printable(host, 255) ? host : fallback_host;
    header += ' ';
    header += app;
    header += ' ';
    header += procid;
    header += ' ';
    header += printable(e.event, 32) ? e.event : "-";
    header += " - ";
    out += std::to_string(header.size() + line.size());
    out += ' ';
    out += header;
    out += line;
}

std::string syslog_host(std::string host)
{
    if (!printable(host, 255))
    {
        return "-";
    }
    return host;
}

} // namespace sekisho::audit::detail
