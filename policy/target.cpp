#include "target.hpp"

#include "hostname.hpp"

#include <charconv>

namespace sekisho::policy {

std::string authority_text(std::string_view host, bool ipv6, std::uint16_t port)
{
    std::string out;
    out.reserve(host.size() + 8);
    if (ipv6)
    {
        out += '[';
    }
    out += host;
    if (ipv6)
    {
        out += ']';
    }
    out += ':';
    out += std::to_string(port);
    return out;
}

std::string to_string(const target& t)
{
    return authority_text(t.host, t.type == target::kind::ip && !t.address.is_v4(), t.port);
}

std::optional<target> parse_authority(std::string_view authority, std::string* why)
{
    auto fail = [&](const char* msg) -> std::optional<target> {
        if (why != nullptr)
        {
            *why = msg;
        }
        return std::nullopt;
    };
    if (authority.empty())
    {
        return fail("empty target");
    }
    std::string_view host;
    std::string_view port_text;
    target t;
    if (authority.front() == '[')
    {
        const auto close = authority.find(']');
        if (close == std::string_view::npos || close + 1 >= authority.size() || authority[close + 1] != ':')
        {
            return fail("an IPv6 target is written [address]:port");
        }
        host = authority.substr(1, close - 1);
        port_text = authority.substr(close + 2);
        if (host.find('%') != std::string_view::npos)
        {
            return fail("zone identifiers are not accepted in IPv6 targets");
        }
        auto addr = ip_address::parse(host);
        // Brackets are for IPv6 text only (RFC 3986 §3.2.2), "[10.0.0.1]" is not.
        if (!addr || host.find(':') == std::string_view::npos)
        {
            return fail("not a valid IPv6 address");
        }
        t.type = target::kind::ip;
        t.address = *addr;
        t.host = addr->to_string();
    }
    else
    {
        const auto colon = authority.rfind(':');
        if (colon == std::string_view::npos)
        {
            return fail("the target needs a port (host:port)");
        }
        host = authority.substr(0, colon);
        port_text = authority.substr(colon + 1);
        if (host.find(':') != std::string_view::npos)
        {
            return fail("IPv6 targets must be written in brackets: [address]:port");
        }
        if (host.find_first_of("@/?#%\\ ") != std::string_view::npos)
        {
            return fail("the target must be host:port only");
        }
        if (auto addr = ip_address::parse(host))
        {
            t.type = target::kind::ip;
            t.address = *addr;
            t.host = addr->to_string();
        }
        else if (auto name = normalize_hostname(host))
        {
            t.type = target::kind::name;
            t.host = std::move(*name);
        }
        else
        {
            return fail("not a valid host name or address");
        }
    }
    if (port_text.empty() || port_text.size() > 5 || port_text.front() == '0')
    {
        return fail("the port must be a number from 1 to 65535");
    }
    unsigned port = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || port == 0 || port > 65535)
    {
        return fail("the port must be a number from 1 to 65535");
    }
    t.port = static_cast<std::uint16_t>(port);
    return t;
}

} // namespace sekisho::policy
