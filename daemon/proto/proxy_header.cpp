// The PROXY protocol v1/v2 parser (see proxy_header.hpp). The whole header is
// re-scanned on every call from the first byte, so a partial read can leave
// no state behind; every check runs as soon as the bytes it needs are there,
// so a stream that can no longer become a valid header is refused early.

#include "daemon/proto/proxy_header.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>

namespace sekisho::proto {

namespace {

using policy::ip_address;

constexpr std::string_view v1_signature = "PROXY";
constexpr std::array<std::uint8_t, 12> v2_signature = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
// Signature, version/command, family/protocol, 16-bit length.
constexpr std::size_t v2_fixed_bytes = 16;
// Addresses and ports of TCP over IPv4 / IPv6 (the specification's
// proxy_addr.ipv4_addr and .ipv6_addr).
constexpr std::size_t v2_ipv4_block = 12;
constexpr std::size_t v2_ipv6_block = 36;
// A TLV: type (1 byte), length (2 bytes big-endian), value.
constexpr std::size_t v2_tlv_head = 3;
// The longest address texts a v1 line can carry ("255.255.255.255" and an
// IPv6 text with an embedded dotted quad).
constexpr std::size_t v1_max_ipv4_text = 15;
constexpr std::size_t v1_max_ipv6_text = 45;
constexpr std::size_t v1_fields = 6; // PROXY proto src dst sport dport

proxy_result invalid(std::string error)
{
    proxy_result r;
    r.state = proxy_parse::invalid;
    r.error = std::move(error);
    return r;
}

proxy_result need_more()
{
    return {};
}

std::string hex_byte(std::uint8_t b)
{
    std::array<char, 8> buf{};
    std::snprintf(buf.data(), buf.size(), "0x%02x", static_cast<unsigned>(b));
    return buf.data();
}

std::string_view as_text(std::span<const std::uint8_t> bytes)
{
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// ---- version 1 -------------------------------------------------------------

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// A port field; `partial` when more characters may still arrive. Decimal,
// 0-65535, no sign, no leading zero except "0" itself.
std::optional<std::string> check_port(std::string_view text, bool partial, std::string_view which)
{
    if (!std::all_of(text.begin(), text.end(), is_digit))
    {
        return "PROXY v1: " + std::string(which) + " port is not a decimal number";
    }
    if (text.size() > 1 && text[0] == '0')
    {
        return "PROXY v1: " + std::string(which) + " port has a leading zero";
    }
    unsigned value = 0;
    for (const char c : text)
    {
        value = value * 10U + static_cast<unsigned>(c - '0');
        if (value > 65535U)
        {
            return "PROXY v1: " + std::string(which) + " port out of range";
        }
    }
    if (!partial && text.empty())
    {
        return "PROXY v1: " + std::string(which) + " port is empty";
    }
    return std::nullopt;
}

std::uint16_t port_value(std::string_view text)
{
    unsigned value = 0;
    for (const char c : text)
    {
        value = value * 10U + static_cast<unsigned>(c - '0');
    }
    return static_cast<std::uint16_t>(value);
}

// An address field of a TCP4 (v6 == false) or TCP6 line. A partial field
// is only checked for characters and length; a complete one must parse
// strictly and be of the line's family. (For TCP6, ip_address keeps
// ::ffff:a.b.c.d as IPv4; that is accepted as it is.)
std::optional<std::string> check_address(
    std::string_view text, bool partial, bool v6, std::string_view which, std::optional<ip_address>& out)
{
    const bool has_colon = text.find(':') != std::string_view::npos;
    if (!v6 && has_colon)
    {
        return "PROXY v1: TCP4 with an IPv6 " + std::string(which) + " address";
    }
    if (partial)
    {
        const auto ok =
            v6 ? std::all_of(
                     text.begin(), text.end(), [](char c) { return is_hex(c) || c == ':' || c == '.'; })
               : std::all_of(text.begin(), text.end(), [](char c) { return is_digit(c) || c == '.'; });
        if (!ok || text.size() > (v6 ? v1_max_ipv6_text : v1_max_ipv4_text))
        {
            return "PROXY v1: bad " + std::string(which) + " address";
        }
        return std::nullopt;
    }
    if (v6 && !has_colon && ip_address::parse(text))
    {
        return "PROXY v1: TCP6 with an IPv4 " + std::string(which) + " address";
    }
    out = ip_address::parse(text);
    if (!out)
    {
        return "PROXY v1: bad " + std::string(which) + " address";
    }
    return std::nullopt;
}

bool is_prefix_of(std::string_view part, std::string_view whole)
{
    return whole.substr(0, part.size()) == part;
}

proxy_result parse_v1(std::span<const std::uint8_t> bytes)
{
    // The line ends at the first LF, which must come within the first 107
    // bytes and be preceded by CR.
    const auto window = as_text(bytes.first(std::min(bytes.size(), proxy_v1_max_bytes)));
    const auto lf = window.find('\n');
    const bool complete = lf != std::string_view::npos;
    std::string_view text = window;
    if (complete)
    {
        if (lf == 0 || window[lf - 1] != '\r')
        {
            return invalid("PROXY v1: line does not end with CRLF");
        }
        text = window.substr(0, lf - 1);
    }
    else if (bytes.size() >= proxy_v1_max_bytes)
    {
        return invalid("PROXY v1: no CRLF within 107 bytes");
    }
    else if (!text.empty() && text.back() == '\r')
    {
        text.remove_suffix(1); // the CR of the CRLF still to come
    }

    // Fields separated by single spaces; a seventh holds whatever follows
    // the sixth. When the line is incomplete, the last field may grow.
    std::array<std::string_view, v1_fields + 1> field{};
    std::size_t count = 0;
    std::size_t pos = 0;
    while (count < field.size())
    {
        const auto space = text.find(' ', pos);
        if (space == std::string_view::npos || count + 1 == field.size())
        {
            field[count++] = text.substr(pos);
            break;
        }
        field[count++] = text.substr(pos, space - pos);
        pos = space + 1;
    }

    proxy_result r;
    r.header.version = 1;
    bool v6 = false;
    for (std::size_t i = 0; i < count; ++i)
    {
        const auto f = field[i];
        const bool partial = !complete && i + 1 == count;
        if (i == 1 && f == "UNKNOWN")
        {
            // Whatever follows UNKNOWN is to be ignored (specification 2.1).
            if (!complete)
            {
                return need_more();
            }
            r.state = proxy_parse::done;
            r.header.local = true;
            r.header.length = lf + 1;
            return r;
        }
        if (i == v1_fields)
        {
            return invalid("PROXY v1: unexpected data after the destination port");
        }
        if (f.empty() && !partial)
        {
            return invalid("PROXY v1: fields must be separated by single spaces");
        }
        std::optional<std::string> error;
        switch (i)
        {
            case 0:
                if (f != v1_signature && !(partial && is_prefix_of(f, v1_signature)))
                {
                    error = "no PROXY protocol header";
                }
                break;
            case 1:
                if (f == "TCP4" || f == "TCP6")
                {
                    v6 = f == "TCP6";
                }
                else if (!(partial && (is_prefix_of(f, "TCP4") || is_prefix_of(f, "UNKNOWN"))))
                {
                    error = "PROXY v1: unknown protocol (expected TCP4, TCP6 or UNKNOWN)";
                }
                break;
            case 2:
                error = check_address(f, partial, v6, "source", r.header.source);
                break;
            case 3:
                error = check_address(f, partial, v6, "destination", r.header.destination);
                break;
            case 4:
                error = check_port(f, partial, "source");
                break;
            case 5:
                error = check_port(f, partial, "destination");
                break;
            default:
                break;
        }
        if (error)
        {
            return invalid(std::move(*error));
        }
    }
    if (!complete)
    {
        return need_more();
    }
    if (count < v1_fields)
    {
        return invalid("PROXY v1: missing fields");
    }
    // Only an IPv4-mapped TCP6 address becomes IPv4: one connection cannot
    // have one mapped end and one native IPv6 end.
    if (r.header.source->fam() != r.header.destination->fam())
    {
        return invalid("PROXY v1: source and destination address families differ");
    }
    r.header.source_port = port_value(field[4]);
    r.header.destination_port = port_value(field[5]);
    r.header.length = lf + 1;
    r.state = proxy_parse::done;
    return r;
}

// ---- version 2 -------------------------------------------------------------

std::uint16_t be16(std::span<const std::uint8_t> bytes, std::size_t at)
{
    return static_cast<std::uint16_t>((static_cast<unsigned>(bytes[at]) << 8U) | bytes[at + 1]);
}

// The address block a family/protocol byte needs with the PROXY command, or
// an error for the families refused.
std::optional<std::string> v2_family(std::uint8_t fam, std::size_t& block)
{
    switch (fam)
    {
        case 0x00: // UNSPEC: no addresses (treated like LOCAL)
            block = 0;
            return std::nullopt;
        case 0x11:
            block = v2_ipv4_block;
            return std::nullopt;
        case 0x21:
            block = v2_ipv6_block;
            return std::nullopt;
        case 0x12:
        case 0x22:
            return "PROXY v2: UDP is not supported";
        case 0x31:
        case 0x32:
            return "PROXY v2: unix socket addresses are not supported";
        default:
            return "PROXY v2: unknown address family " + hex_byte(fam);
    }
}

proxy_result parse_v2(std::span<const std::uint8_t> bytes)
{
    const auto have = std::min(bytes.size(), v2_signature.size());
    if (!std::equal(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(have), v2_signature.begin()))
    {
        return invalid("no PROXY protocol header (bad v2 signature)");
    }
    std::size_t block = 0;
    bool proxy_command = false;
    if (bytes.size() > 12)
    {
        const unsigned version = bytes[12] >> 4U;
        const unsigned command = bytes[12] & 0x0FU;
        if (version != 2U)
        {
            return invalid("PROXY v2: unsupported version " + std::to_string(version));
        }
        if (command > 1U)
        {
            return invalid("PROXY v2: unknown command " + std::to_string(command));
        }
        proxy_command = command == 1U;
    }
    if (bytes.size() > 13 && proxy_command)
    {
        // With LOCAL the family is to be ignored, whatever it says.
        if (auto error = v2_family(bytes[13], block))
        {
            return invalid(std::move(*error));
        }
    }
    if (bytes.size() < v2_fixed_bytes)
    {
        return need_more();
    }
    const std::size_t total = v2_fixed_bytes + be16(bytes, 14);
    if (total > proxy_header_max_bytes)
    {
        return invalid("PROXY v2: header longer than " + std::to_string(proxy_header_max_bytes) + " bytes");
    }
    if (total - v2_fixed_bytes < block)
    {
        return invalid(block == v2_ipv4_block ? "PROXY v2: length too short for TCP over IPv4"
                                              : "PROXY v2: length too short for TCP over IPv6");
    }
    if (bytes.size() < total)
    {
        return need_more();
    }
    proxy_result r;
    r.header.version = 2;
    r.header.length = total;
    r.state = proxy_parse::done;
    if (!proxy_command || block == 0)
    {
        r.header.local = true;
        return r;
    }
    const auto addr = bytes.subspan(v2_fixed_bytes, block);
    if (block == v2_ipv4_block)
    {
        r.header.source = ip_address::v4({addr[0], addr[1], addr[2], addr[3]});
        r.header.destination = ip_address::v4({addr[4], addr[5], addr[6], addr[7]});
    }
    else
    {
        std::array<std::uint8_t, 16> src{};
        std::array<std::uint8_t, 16> dst{};
        std::copy_n(addr.begin(), 16, src.begin());
        std::copy_n(addr.begin() + 16, 16, dst.begin());
        r.header.source = ip_address::v6(src);
        r.header.destination = ip_address::v6(dst);
        if (r.header.source->fam() != r.header.destination->fam())
        {
            return invalid("PROXY v2: source and destination address families differ");
        }
    }
    r.header.source_port = be16(addr, block - 4);
    r.header.destination_port = be16(addr, block - 2);
    // TLVs fill the rest exactly; their content is not used.
    auto tlvs = bytes.subspan(v2_fixed_bytes + block, total - v2_fixed_bytes - block);
    while (!tlvs.empty())
    {
        if (tlvs.size() < v2_tlv_head || tlvs.size() - v2_tlv_head < be16(tlvs, 1))
        {
            return invalid("PROXY v2: TLV overruns the header");
        }
        tlvs = tlvs.subspan(v2_tlv_head + be16(tlvs, 1));
    }
    return r;
}

} // namespace

proxy_result parse_proxy_header(std::span<const std::uint8_t> bytes)
{
    if (bytes.empty())
    {
        return need_more();
    }
    switch (bytes[0])
    {
        case 'P':
            return parse_v1(bytes);
        case '\r':
            return parse_v2(bytes);
        case 0x16: // TLS record type "handshake": a ClientHello
            return invalid("no PROXY protocol header (the connection starts like TLS)");
        default:
            return invalid("no PROXY protocol header (first byte " + hex_byte(bytes[0]) + ")");
    }
}

} // namespace sekisho::proto
