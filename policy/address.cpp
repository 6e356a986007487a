#include "address.hpp"

#include <charconv>
#include <cstdio>
#include <vector>

namespace sekisho::policy {

namespace {

std::optional<std::array<std::uint8_t, 4>> parse_v4(std::string_view text)
{
    std::array<std::uint8_t, 4> out{};
    std::size_t part = 0;
    std::size_t pos = 0;
    while (part < 4)
    {
        const std::size_t start = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
        {
            ++pos;
        }
        const std::size_t len = pos - start;
        // 1..3 digits, no leading zero (would read as octal elsewhere).
        if (len == 0 || len > 3 || (len > 1 && text[start] == '0'))
        {
            return std::nullopt;
        }
        unsigned value = 0;
        std::from_chars(text.data() + start, text.data() + pos, value);
        if (value > 255)
        {
            return std::nullopt;
        }
        out[part++] = static_cast<std::uint8_t>(value);
        if (part < 4)
        {
            if (pos >= text.size() || text[pos] != '.')
            {
                return std::nullopt;
            }
            ++pos;
        }
    }
    if (pos != text.size())
    {
        return std::nullopt;
    }
    return out;
}

int hex_value(char c)
{
    if (c >= '0' && c <= '9')
    {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f')
    {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F')
    {
        return c - 'A' + 10;
    }
    return -1;
}

std::optional<std::array<std::uint8_t, 16>> parse_v6(std::string_view text)
{
    std::array<std::uint16_t, 8> groups{};
    int count = 0;
    int gap = -1; // index where "::" stands
    std::size_t pos = 0;
    if (text.size() < 2)
    {
        return std::nullopt;
    }
    if (text.substr(0, 2) == "::")
    {
        gap = 0;
        pos = 2;
        if (pos == text.size())
        {
            return std::array<std::uint8_t, 16>{};
        }
    }
    else if (text[0] == ':')
    {
        return std::nullopt;
    }
    while (pos < text.size())
    {
        if (count == 8)
        {
            return std::nullopt;
        }
        // An embedded IPv4 tail ("::ffff:1.2.3.4").
        const auto rest = text.substr(pos);
        if (rest.find(':') == std::string_view::npos && rest.find('.') != std::string_view::npos)
        {
            if (count > 6)
            {
                return std::nullopt;
            }
            auto v4 = parse_v4(rest);
            if (!v4)
            {
                return std::nullopt;
            }
            groups[static_cast<std::size_t>(count++)] =
                static_cast<std::uint16_t>(((*v4)[0] << 8) | (*v4)[1]);
            groups[static_cast<std::size_t>(count++)] =
                static_cast<std::uint16_t>(((*v4)[2] << 8) | (*v4)[3]);
            pos = text.size();
            break;
        }
        unsigned value = 0;
        std::size_t digits = 0;
        while (pos < text.size() && hex_value(text[pos]) >= 0)
        {
            value = value * 16 + static_cast<unsigned>(hex_value(text[pos]));
            ++pos;
            if (++digits > 4)
            {
                return std::nullopt;
            }
        }
        if (digits == 0)
        {
            return std::nullopt;
        }
        groups[static_cast<std::size_t>(count++)] = static_cast<std::uint16_t>(value);
        if (pos == text.size())
        {
            break;
        }
        if (text[pos] != ':')
        {
            return std::nullopt;
        }
        ++pos;
        if (pos < text.size() && text[pos] == ':')
        {
            if (gap >= 0)
            {
                return std::nullopt; // a second "::"
            }
            gap = count;
            ++pos;
            if (pos == text.size())
            {
                break;
            }
        }
        else if (pos == text.size())
        {
            return std::nullopt; // trailing single ':'
        }
    }
    std::array<std::uint16_t, 8> full{};
    if (gap >= 0)
    {
        if (count >= 8)
        {
            return std::nullopt; // "::" must stand for at least one group
        }
        const int tail = count - gap;
        for (int i = 0; i < gap; ++i)
        {
            full[static_cast<std::size_t>(i)] = groups[static_cast<std::size_t>(i)];
        }
        for (int i = 0; i < tail; ++i)
        {
            full[static_cast<std::size_t>(8 - tail + i)] = groups[static_cast<std::size_t>(gap + i)];
        }
    }
    else
    {
        if (count != 8)
        {
            return std::nullopt;
        }
        full = groups;
    }
    std::array<std::uint8_t, 16> out{};
    for (std::size_t i = 0; i < 8; ++i)
    {
        out[2 * i] = static_cast<std::uint8_t>(full[i] >> 8);
        out[2 * i + 1] = static_cast<std::uint8_t>(full[i] & 0xff);
    }
    return out;
}

bool is_v4_mapped(const std::array<std::uint8_t, 16>& b)
{
    for (std::size_t i = 0; i < 10; ++i)
    {
        if (b[i] != 0)
        {
            return false;
        }
    }
    return b[10] == 0xff && b[11] == 0xff;
}

struct special_range
{
    const char* text;
    const char* name;
};

// RFC 6890 and the IANA special-purpose registries, plus ranges that are not
// globally reachable in practice (multicast, reserved). Tested row by row.
constexpr special_range special_v4[] = {
    {"0.0.0.0/8", "this network"},
    {"10.0.0.0/8", "private"},
    {"100.64.0.0/10", "shared (CGNAT)"},
    {"127.0.0.0/8", "loopback"},
    {"169.254.0.0/16", "link-local"},
    {"172.16.0.0/12", "private"},
    {"192.0.0.0/24", "IETF protocol assignments"},
    {"192.0.2.0/24", "documentation"},
    {"192.31.196.0/24", "AS112"},
    {"192.52.193.0/24", "AMT"},
    {"192.88.99.0/24", "6to4 relay anycast"},
    {"192.168.0.0/16", "private"},
    {"192.175.48.0/24", "AS112"},
    {"198.18.0.0/15", "benchmarking"},
    {"198.51.100.0/24", "documentation"},
    {"203.0.113.0/24", "documentation"},
    {"224.0.0.0/4", "multicast"},
    {"240.0.0.0/4", "reserved"},
};

constexpr special_range special_v6[] = {
    {"::/128", "unspecified"},
    {"::1/128", "loopback"},
    {"64:ff9b::/96", "NAT64"},
    {"64:ff9b:1::/48", "NAT64 (local)"},
    {"100::/64", "discard-only"},
    {"2001::/23", "IETF protocol assignments (incl. Teredo)"},
    {"2001:db8::/32", "documentation"},
    {"2002::/16", "6to4"},
    {"3fff::/20", "documentation"},
    {"5f00::/16", "segment routing"},
    {"fc00::/7", "unique local"},
    {"fe80::/10", "link-local"},
    {"fec0::/10", "site-local (deprecated)"},
    {"ff00::/8", "multicast"},
};

} // namespace

ip_address ip_address::v4(std::array<std::uint8_t, 4> bytes)
{
    ip_address a;
    a.family_ = family::v4;
    for (std::size_t i = 0; i < 4; ++i)
    {
        a.bytes_[i] = bytes[i];
    }
    return a;
}

ip_address ip_address::v6(const std::array<std::uint8_t, 16>& bytes)
{
    if (is_v4_mapped(bytes))
    {
        return v4({bytes[12], bytes[13], bytes[14], bytes[15]});
    }
    ip_address a;
    a.family_ = family::v6;
    a.bytes_ = bytes;
    return a;
}

std::optional<ip_address> ip_address::parse(std::string_view text)
{
    if (text.find(':') != std::string_view::npos)
    {
        if (auto b = parse_v6(text))
        {
            return v6(*b);
        }
        return std::nullopt;
    }
    if (auto b = parse_v4(text))
    {
        return v4(*b);
    }
    return std::nullopt;
}

bool ip_address::bit(unsigned index) const
{
    return ((static_cast<unsigned>(bytes_[index / 8]) >> (7U - index % 8U)) & 1U) != 0;
}

std::string ip_address::to_string() const
{
    char buf[64];
    if (is_v4())
    {
        std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", bytes_[0], bytes_[1], bytes_[2], bytes_[3]);
        return buf;
    }
    // RFC 5952: lower case, longest run (>= 2) of zero groups as "::".
    std::array<unsigned, 8> g{};
    for (std::size_t i = 0; i < 8; ++i)
    {
        g[i] = (static_cast<unsigned>(bytes_[2 * i]) << 8) | bytes_[2 * i + 1];
    }
    int best = -1;
    int best_len = 0;
    for (int i = 0; i < 8;)
    {
        if (g[static_cast<std::size_t>(i)] != 0)
        {
            ++i;
            continue;
        }
        int j = i;
        while (j < 8 && g[static_cast<std::size_t>(j)] == 0)
        {
            ++j;
        }
        if (j - i > best_len && j - i >= 2)
        {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    std::string out;
    for (int i = 0; i < 8; ++i)
    {
        if (i == best)
        {
            out += "::";
            i += best_len - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':')
        {
            out += ':';
        }
        std::snprintf(buf, sizeof buf, "%x", g[static_cast<std::size_t>(i)]);
        out += buf;
    }
    return out;
}

cidr::cidr(ip_address network, unsigned prefix_len) : network_(network), prefix_len_(prefix_len) {}

std::optional<cidr> cidr::parse(std::string_view text, std::string* why)
{
    auto fail = [&](const char* msg) -> std::optional<cidr> {
        if (why != nullptr)
        {
            *why = msg;
        }
        return std::nullopt;
    };
    const auto slash = text.find('/');
    const auto addr_text = text.substr(0, slash);
    auto addr = ip_address::parse(addr_text);
    if (!addr)
    {
        return fail("not an IPv4 or IPv6 address");
    }
    // "::ffff:10.0.0.0/104" would silently become an IPv4 prefix; refuse it.
    if (addr->is_v4() && addr_text.find(':') != std::string_view::npos)
    {
        return fail("write IPv4-mapped ranges as plain IPv4 CIDRs");
    }
    unsigned len = addr->bit_width();
    if (slash != std::string_view::npos)
    {
        const auto len_text = text.substr(slash + 1);
        if (len_text.empty() || len_text.size() > 3 || (len_text.size() > 1 && len_text[0] == '0'))
        {
            return fail("bad prefix length");
        }
        unsigned parsed = 0;
        auto [ptr, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), parsed);
        if (ec != std::errc{} || ptr != len_text.data() + len_text.size() || parsed > addr->bit_width())
        {
            return fail("bad prefix length");
        }
        len = parsed;
    }
    for (unsigned i = len; i < addr->bit_width(); ++i)
    {
        if (addr->bit(i))
        {
            return fail("address has bits set beyond the prefix length");
        }
    }
    return cidr(*addr, len);
}

bool cidr::contains(const ip_address& addr) const
{
    if (addr.fam() != network_.fam())
    {
        return false;
    }
    const auto& a = addr.bytes();
    const auto& n = network_.bytes();
    const unsigned full = prefix_len_ / 8;
    for (unsigned i = 0; i < full; ++i)
    {
        if (a[i] != n[i])
        {
            return false;
        }
    }
    const unsigned rest = prefix_len_ % 8;
    if (rest == 0)
    {
        return true;
    }
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return (a[full] & mask) == (n[full] & mask);
}

bool cidr::overlaps(const cidr& other) const
{
    if (other.network_.fam() != network_.fam())
    {
        return false;
    }
    return prefix_len_ <= other.prefix_len_ ? contains(other.network_) : other.contains(network_);
}

std::string cidr::to_string() const
{
    return network_.to_string() + "/" + std::to_string(prefix_len_);
}

std::optional<ip_address> embedded_ipv4(const ip_address& addr)
{
    if (addr.is_v4())
    {
        return std::nullopt;
    }
    const auto& b = addr.bytes();
    static const cidr nat64 = *cidr::parse("64:ff9b::/96");
    static const cidr nat64_local = *cidr::parse("64:ff9b:1::/48");
    static const cidr six_to_four = *cidr::parse("2002::/16");
    if (nat64.contains(addr))
    {
        return ip_address::v4({b[12], b[13], b[14], b[15]});
    }
    if (nat64_local.contains(addr))
    {
        // RFC 6052 §2.2, /48 prefix: bits 64-71 ("u") are skipped.
        return ip_address::v4({b[6], b[7], b[9], b[10]});
    }
    if (six_to_four.contains(addr))
    {
        return ip_address::v4({b[2], b[3], b[4], b[5]});
    }
    return std::nullopt;
}

std::optional<std::string_view> special_purpose(const ip_address& addr)
{
    // Parsed once; the tables are constant.
    static const auto tables = [] {
        std::vector<std::pair<cidr, std::string_view>> out;
        for (const auto& r : special_v4)
        {
            out.emplace_back(*cidr::parse(r.text), r.name);
        }
        for (const auto& r : special_v6)
        {
            out.emplace_back(*cidr::parse(r.text), r.name);
        }
        return out;
    }();
    for (const auto& [range, name] : tables)
    {
        if (range.contains(addr))
        {
            return name;
        }
    }
    // Outside 2000::/3 nothing is allocated as global unicast.
    if (!addr.is_v4() && (addr.bytes()[0] & 0xe0) != 0x20)
    {
        return "not global unicast";
    }
    return std::nullopt;
}

} // namespace sekisho::policy
