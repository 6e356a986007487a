#include "prefix_table.hpp"

#include <algorithm>

namespace sekisho::policy {

std::size_t prefix_table::key_hash::operator()(const key& k) const noexcept
{
    // FNV-1a over the 16 bytes: cheap, and keys are not attacker-chosen
    // (they come from the policy file).
    std::uint64_t h = 1469598103934665603ULL;
    for (auto b : k)
    {
        h = (h ^ b) * 1099511628211ULL;
    }
    return static_cast<std::size_t>(h);
}

prefix_table::key prefix_table::masked(const ip_address& a, unsigned prefix_len)
{
    key k{};
    const auto& b = a.bytes();
    const unsigned full = prefix_len / 8;
    for (unsigned i = 0; i < full; ++i)
    {
        k[i] = b[i];
    }
    if (const unsigned rest = prefix_len % 8; rest != 0)
    {
        k[full] = static_cast<std::uint8_t>(b[full] & (0xFFU << (8 - rest)));
    }
    return k;
}

void prefix_table::insert(const cidr& c, std::uint8_t value)
{
    auto& levels = c.network().is_v4() ? v4_ : v6_;
    auto it = std::find_if(
        levels.begin(), levels.end(), [&](const level& l) { return l.prefix_len == c.prefix_len(); });
    if (it == levels.end())
    {
        levels.push_back({c.prefix_len(), {}});
        std::sort(levels.begin(), levels.end(), [](const level& a, const level& b) {
            return a.prefix_len > b.prefix_len;
        });
        it = std::find_if(
            levels.begin(), levels.end(), [&](const level& l) { return l.prefix_len == c.prefix_len(); });
    }
    it->networks.emplace(masked(c.network(), c.prefix_len()), value);
}

std::optional<std::uint8_t> prefix_table::longest_match(const ip_address& addr) const
{
    for (const auto& l : addr.is_v4() ? v4_ : v6_)
    {
        if (auto it = l.networks.find(masked(addr, l.prefix_len)); it != l.networks.end())
        {
            return it->second;
        }
    }
    return std::nullopt;
}

} // namespace sekisho::policy
