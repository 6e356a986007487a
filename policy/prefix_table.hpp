#pragma once
// Longest-prefix match of an address against many CIDRs, in time that does
// not grow with their number: one hash table per prefix length in use, tried
// from the longest length down. A lookup costs at most one probe per distinct
// length (typically a handful; 33 for IPv4 and 129 for IPv6 at worst).

#include "address.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

namespace sekisho::policy {

class prefix_table
{
public:
    // The first value inserted for a CIDR is kept.
    void insert(const cidr& c, std::uint8_t value);
    std::optional<std::uint8_t> longest_match(const ip_address& addr) const;
    bool empty() const { return v4_.empty() && v6_.empty(); }

private:
    using key = std::array<std::uint8_t, 16>;
    struct key_hash
    {
        std::size_t operator()(const key& k) const noexcept;
    };
    struct level
    {
        unsigned prefix_len;
        std::unordered_map<key, std::uint8_t, key_hash> networks;
    };
    static key masked(const ip_address& a, unsigned prefix_len);

    std::vector<level> v4_; // longest prefix first
    std::vector<level> v6_;
};

} // namespace sekisho::policy
