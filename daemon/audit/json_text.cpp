#include "daemon/audit/json_text.hpp"

#include "daemon/log/text.hpp"

#include <charconv>

namespace sekisho::audit {

namespace {

bool ascii(std::string_view v)
{
    for (const char c : v)
    {
        if (static_cast<unsigned char>(c) >= 0x80)
        {
            return false;
        }
    }
    return true;
}

} // namespace

void json_text::key(std::string_view k)
{
    if (out_.size() > 1)
    {
        out_ += ',';
    }
    out_ += '"';
    out_ += k; // keys are ours: plain ASCII
    out_ += "\":";
}

void json_text::quoted(std::string_view v)
{
    static constexpr char hex[] = "0123456789abcdef";
    // Invalid UTF-8 becomes U+FFFD; the common all-ASCII case skips the check.
    std::string repaired;
    if (!ascii(v))
    {
        repaired = log::valid_utf8(v);
        v = repaired;
    }
    out_ += '"';
    for (const char c : v)
    {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\')
        {
            out_ += '\\';
            out_ += c;
        }
        else if (u < 0x20)
        {
            out_ += "\\u00";
            out_ += hex[u >> 4];
            out_ += hex[u & 0x0F];
        }
        else
        {
            out_ += c;
        }
    }
    out_ += '"';
}

json_text& json_text::str(std::string_view k, std::string_view value)
{
    key(k);
    quoted(value);
    return *this;
}

json_text& json_text::str_or_null(std::string_view k, std::string_view value)
{
    key(k);
    if (value.empty())
    {
        out_ += "null";
    }
    else
    {
        quoted(value);
    }
    return *this;
}

json_text& json_text::boolean(std::string_view k, bool value)
{
    key(k);
    out_ += value ? "true" : "false";
    return *this;
}

json_text& json_text::num(std::string_view k, std::uint64_t value)
{
    key(k);
    char buf[24];
    out_.append(buf, std::to_chars(buf, buf + sizeof buf, value).ptr);
    return *this;
}

json_text& json_text::num(std::string_view k, std::int64_t value)
{
    key(k);
    char buf[24];
    out_.append(buf, std::to_chars(buf, buf + sizeof buf, value).ptr);
    return *this;
}

json_text& json_text::list(std::string_view k, std::string_view comma_separated)
{
    key(k);
    out_ += '[';
    bool first = true;
    while (!comma_separated.empty())
    {
        const auto comma = comma_separated.find(',');
        if (!first)
        {
            out_ += ',';
        }
        first = false;
        quoted(comma_separated.substr(0, comma));
        comma_separated =
            comma == std::string_view::npos ? std::string_view() : comma_separated.substr(comma + 1);
    }
    out_ += ']';
    return *this;
}

std::string json_text::finish() &&
{
    out_ += '}';
    return std::move(out_);
}

} // namespace sekisho::audit
