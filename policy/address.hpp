#pragma once
// IP addresses and CIDR prefixes as plain values: parsing, containment and the
// table of special-purpose ranges (RFC 6890 and successors). No sockets here;
// the daemon converts its endpoints to policy::ip_address before asking.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sekisho::policy {

// An IPv4 or IPv6 address. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are
// stored as IPv4 so that a mapped address can never slip past an IPv4 zone.
class ip_address
{
public:
    enum class family : std::uint8_t
    {
        v4,
        v6
    };

    ip_address() = default;
    static ip_address v4(std::array<std::uint8_t, 4> bytes);
    static ip_address v6(const std::array<std::uint8_t, 16>& bytes);

    // Strict textual forms only: dotted quad with four decimal parts (no
    // "127.1", no octal, no hex) or RFC 4291/5952 IPv6 text without a zone id.
    static std::optional<ip_address> parse(std::string_view text);

    family fam() const { return family_; }
    bool is_v4() const { return family_ == family::v4; }
    // 4 significant bytes for IPv4, 16 for IPv6.
    const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
    unsigned bit_width() const { return is_v4() ? 32U : 128U; }
    bool bit(unsigned index) const;

    std::string to_string() const;

    friend bool operator==(const ip_address&, const ip_address&) = default;

private:
    family family_ = family::v4;
    std::array<std::uint8_t, 16> bytes_{};
};

class cidr
{
public:
    cidr() = default;
    cidr(ip_address network, unsigned prefix_len);

    // "10.0.0.0/8", "2001:db8::/32"; a bare address means a host prefix.
    // Host bits set below the prefix are an error (ambiguous intent), and the
    // reason is written to *why when given.
    static std::optional<cidr> parse(std::string_view text, std::string* why = nullptr);

    const ip_address& network() const { return network_; }
    unsigned prefix_len() const { return prefix_len_; }
    bool contains(const ip_address& addr) const;
    bool overlaps(const cidr& other) const;
    std::string to_string() const;

    friend bool operator==(const cidr&, const cidr&) = default;

private:
    ip_address network_;
    unsigned prefix_len_ = 0;
};

// The IPv4 address carried inside a NAT64 (64:ff9b::/96, 64:ff9b:1::/48) or
// 6to4 (2002::/16) IPv6 address, if it is one. (A network-specific NAT64
// prefix is unknown to the policy; such a prefix must not be zoned internet.)
std::optional<ip_address> embedded_ipv4(const ip_address& addr);

// The special-purpose range an address falls in (loopback, private, CGNAT,
// link-local, documentation, multicast, 6to4, Teredo, NAT64, ...), or nullopt
// for globally routable unicast. The returned name is stable and used in
// reason texts, e.g. "loopback", "private", "shared (CGNAT)".
std::optional<std::string_view> special_purpose(const ip_address& addr);

} // namespace sekisho::policy
