#include "daemon/audit/line.hpp"

#include "daemon/auth/sodium_ready.hpp"

#include <sodium.h>

#include <charconv>

namespace sekisho::audit {

namespace {

constexpr std::string_view hex_digits = "0123456789abcdef";

bool consume(std::string_view& in, std::string_view prefix)
{
    if (in.substr(0, prefix.size()) != prefix)
    {
        return false;
    }
    in.remove_prefix(prefix.size());
    return true;
}

// A JSON string at the start of `in` (with its quotes), consumed.
std::optional<std::string_view> json_string(std::string_view& in)
{
    if (in.empty() || in.front() != '"')
    {
        return std::nullopt;
    }
    for (std::size_t i = 1; i < in.size(); ++i)
    {
        if (in[i] == '\\')
        {
            ++i;
        }
        else if (in[i] == '"')
        {
            const auto inner = in.substr(1, i - 1);
            in.remove_prefix(i + 1);
            return inner;
        }
    }
    return std::nullopt;
}

} // namespace

digest line_hash(std::string_view line)
{
    auth::sodium_ready();
    digest d{};
    crypto_generichash(
        d.data(), d.size(), reinterpret_cast<const unsigned char*>(line.data()), line.size(), nullptr, 0);
    return d;
}

void hex_into(const unsigned char* data, std::size_t size, char* out)
{
    for (std::size_t i = 0; i < size; ++i)
    {
        out[2 * i] = hex_digits[data[i] >> 4];
        out[2 * i + 1] = hex_digits[data[i] & 0x0F];
    }
}

std::string to_hex(const unsigned char* data, std::size_t size)
{
    std::string out(size * 2, '0');
    hex_into(data, size, out.data());
    return out;
}

const std::string& genesis_prev()
{
    static const std::string zeros(64, '0');
    return zeros;
}

void append_envelope(std::string& out,
                     std::uint64_t seq,
                     std::string_view ts,
                     std::string_view host_json,
                     std::string_view prev_hex)
{
    char num[24];
    const auto end = std::to_chars(num, num + sizeof num, seq).ptr;
    out += "{\"v\":1,\"seq\":";
    out.append(num, end);
    out += ",\"ts\":\"";
    out += ts;
    out += "\",\"host\":";
    out += host_json;
    out += ",\"prev\":\"";
    out += prev_hex;
    out += "\",";
}

std::optional<std::string_view> signed_part(std::string_view line)
{
    const auto at = line.rfind(signature_marker);
    if (at == std::string_view::npos)
    {
        return std::nullopt;
    }
    return line.substr(0, at);
}

std::optional<envelope> read_envelope(std::string_view line)
{
    envelope e;
    auto in = line;
    if (!consume(in, "{\"v\":1,\"seq\":"))
    {
        return std::nullopt;
    }
    const auto [p, ec] = std::from_chars(in.data(), in.data() + in.size(), e.seq);
    if (ec != std::errc{} || p == in.data())
    {
        return std::nullopt;
    }
    in.remove_prefix(static_cast<std::size_t>(p - in.data()));
    if (!consume(in, ",\"ts\":"))
    {
        return std::nullopt;
    }
    const auto ts = json_string(in);
    if (!ts || !consume(in, ",\"host\":") || !json_string(in) || !consume(in, ",\"prev\":"))
    {
        return std::nullopt;
    }
    const auto prev = json_string(in);
    if (!prev || prev->size() != 64 || prev->find_first_not_of(hex_digits) != std::string_view::npos)
    {
        return std::nullopt;
    }
    e.ts = *ts;
    e.prev = *prev;
    if (consume(in, ",\"event\":"))
    {
        if (const auto ev = json_string(in))
        {
            e.event = *ev;
        }
    }
    return e;
}

} // namespace sekisho::audit
