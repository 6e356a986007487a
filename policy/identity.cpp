#include "identity.hpp"

#include <array>

namespace sekisho::policy {

namespace {

constexpr long tokyo_offset_seconds = 9 * 3600; // JST, no daylight saving time
constexpr std::array<std::string_view, 7> day_names = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Hex digits with optional ':' separators, lower-cased; nullopt on anything else.
std::optional<std::string> hex_digits(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text)
    {
        if (c == ':')
        {
            continue;
        }
        if (!is_hex(c))
        {
            return std::nullopt;
        }
        out += lower(c);
    }
    return out;
}

std::string hhmm(int minutes)
{
    const auto two = [](int v) {
        return std::string(v < 10 ? "0" : "") + std::to_string(v);
    };
    return two(minutes / 60) + ":" + two(minutes % 60);
}

} // namespace

std::string_view to_string(data_class c)
{
    switch (c)
    {
        case data_class::c1:
            return "1";
        case data_class::c2:
            return "2";
        case data_class::c3c:
            return "3C";
        case data_class::c3b:
            return "3B";
        case data_class::c3a:
            break;
    }
    return "3A";
}

std::optional<data_class> parse_data_class(std::string_view text)
{
    for (auto c : {data_class::c1, data_class::c2, data_class::c3c, data_class::c3b, data_class::c3a})
    {
        const auto name = to_string(c);
        if (text.size() == name.size() &&
            (text == name || (name.size() == 2 && text[0] == name[0] && lower(name[1]) == text[1])))
        {
            return c;
        }
    }
    return std::nullopt;
}

bool within_hours(const std::vector<hours_window>& windows, clock::time_point t)
{
    if (windows.empty())
    {
        return true;
    }
    const long local = static_cast<long>(clock::to_time_t(t)) + tokyo_offset_seconds;
    long day = local / 86400;
    long second = local % 86400;
    if (second < 0)
    {
        second += 86400;
        --day;
    }
    const int minute = static_cast<int>(second / 60);
    // 1970-01-01 was a Thursday (weekday 4).
    const int weekday = static_cast<int>(((day % 7) + 7 + 4) % 7);
    const int yesterday = (weekday + 6) % 7;
    for (const auto& w : windows)
    {
        const bool today = (w.days >> weekday) & 1U;
        if (w.from < w.to)
        {
            if (today && minute >= w.from && minute < w.to)
            {
                return true;
            }
            continue;
        }
        // Past midnight: the evening part today, the early part of a window
        // that began yesterday.
        if ((today && minute >= w.from) || (((w.days >> yesterday) & 1U) && minute < w.to))
        {
            return true;
        }
    }
    return false;
}

std::string describe(const hours_window& w)
{
    std::string days;
    for (int d = 0; d < 7; ++d)
    {
        if ((w.days >> d) & 1U)
        {
            days += days.empty() ? "" : ",";
            days += day_names[static_cast<std::size_t>(d)];
        }
    }
    return days + " " + hhmm(w.from) + "-" + hhmm(w.to) + " JST";
}

std::string_view to_string(device_kind k)
{
    return k == device_kind::lent ? "lent" : "byod";
}

std::string_view to_string(device_status s)
{
    switch (s)
    {
        case device_status::active:
            return "active";
        case device_status::lost:
            return "lost";
        case device_status::retired:
            break;
    }
    return "retired";
}

std::optional<std::string> normalise_fingerprint(std::string_view text)
{
    if (text.rfind("sha256:", 0) == 0 || text.rfind("SHA256:", 0) == 0)
    {
        text.remove_prefix(7);
    }
    auto hex = hex_digits(text);
    if (!hex || hex->size() != 64)
    {
        return std::nullopt;
    }
    return hex;
}

std::optional<std::string> normalise_serial(std::string_view text)
{
    if (text.rfind("0x", 0) == 0 || text.rfind("0X", 0) == 0)
    {
        text.remove_prefix(2);
    }
    auto hex = hex_digits(text);
    if (!hex || hex->empty() || hex->size() > 40)
    {
        return std::nullopt;
    }
    const auto first = hex->find_first_not_of('0');
    return first == std::string::npos ? std::string("0") : hex->substr(first);
}

} // namespace sekisho::policy
