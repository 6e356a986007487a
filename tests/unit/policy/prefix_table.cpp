// prefix_table: longest-prefix match by hash tables per prefix length must
// answer exactly as a linear scan over the CIDRs would (the code it replaced).

#include "policy/prefix_table.hpp"

#include <boost/test/unit_test.hpp>

#include <random>

using namespace sekisho::policy;

namespace {

cidr net(const char* text)
{
    return *cidr::parse(text);
}

ip_address addr(const char* text)
{
    return *ip_address::parse(text);
}

// The reference: the longest containing CIDR, first inserted on a tie.
std::optional<std::uint8_t> linear(const std::vector<std::pair<cidr, std::uint8_t>>& all, const ip_address& a)
{
    std::optional<std::uint8_t> best;
    unsigned best_len = 0;
    for (const auto& [c, v] : all)
    {
        if (c.contains(a) && (!best || c.prefix_len() > best_len))
        {
            best = v;
            best_len = c.prefix_len();
        }
    }
    return best;
}

} // namespace

BOOST_AUTO_TEST_SUITE(prefix_table_suite)

// Nested ranges: the longest wins; outside every range there is no match.
BOOST_AUTO_TEST_CASE(longest_prefix_wins)
{
    prefix_table t;
    t.insert(net("10.0.0.0/8"), 1);
    t.insert(net("10.20.0.0/16"), 2);
    t.insert(net("10.20.30.0/24"), 3);
    t.insert(net("2001:db8::/32"), 4);
    t.insert(net("2001:db8:1::/48"), 5);
    BOOST_TEST(t.longest_match(addr("10.1.2.3")).value() == 1);
    BOOST_TEST(t.longest_match(addr("10.20.1.1")).value() == 2);
    BOOST_TEST(t.longest_match(addr("10.20.30.40")).value() == 3);
    BOOST_TEST(!t.longest_match(addr("11.0.0.1")).has_value());
    BOOST_TEST(t.longest_match(addr("2001:db8:1::7")).value() == 5);
    BOOST_TEST(t.longest_match(addr("2001:db8:2::7")).value() == 4);
    BOOST_TEST(!t.longest_match(addr("2001:db9::1")).has_value());
    // IPv4 and IPv6 tables never answer for each other.
    BOOST_TEST(!t.longest_match(addr("::a14:1e28")).has_value());
}

// Host routes, the default route and the first insert of a duplicate.
BOOST_AUTO_TEST_CASE(edges_and_duplicates)
{
    prefix_table t;
    t.insert(net("0.0.0.0/0"), 9);
    t.insert(net("192.0.2.1/32"), 7);
    t.insert(net("192.0.2.1/32"), 8);
    BOOST_TEST(t.longest_match(addr("192.0.2.1")).value() == 7);
    BOOST_TEST(t.longest_match(addr("192.0.2.2")).value() == 9);
    BOOST_TEST(!t.longest_match(addr("::1")).has_value());
}

// Random CIDRs of every length, random addresses: the table and the linear
// scan agree on every lookup (fixed seed).
BOOST_AUTO_TEST_CASE(agrees_with_a_linear_scan)
{
    std::mt19937 rng(7);
    for (int round = 0; round < 20; ++round)
    {
        prefix_table t;
        std::vector<std::pair<cidr, std::uint8_t>> all;
        for (int i = 0; i < 200; ++i)
        {
            const bool v4 = rng() % 2 == 0;
            std::array<std::uint8_t, 16> b{};
            // Few distinct leading bytes so that ranges nest often.
            b[0] = static_cast<std::uint8_t>(v4 ? 10 : 0x20);
            for (std::size_t k = 1; k < 16; ++k)
            {
                b[k] = static_cast<std::uint8_t>(rng() % 4);
            }
            const auto a = v4 ? ip_address::v4({b[0], b[1], b[2], b[3]}) : ip_address::v6(b);
            const unsigned len = static_cast<unsigned>(rng() % (a.bit_width() + 1));
            auto masked = a.bytes();
            for (unsigned bit = len; bit < a.bit_width(); ++bit)
            {
                masked[bit / 8] = static_cast<std::uint8_t>(masked[bit / 8] & ~(1U << (7 - bit % 8)));
            }
            const auto n =
                v4 ? ip_address::v4({masked[0], masked[1], masked[2], masked[3]}) : ip_address::v6(masked);
            const auto value = static_cast<std::uint8_t>(rng() % 250);
            t.insert(cidr(n, len), value);
            all.emplace_back(cidr(n, len), value);
        }
        for (int q = 0; q < 500; ++q)
        {
            std::array<std::uint8_t, 16> b{};
            const bool v4 = rng() % 2 == 0;
            b[0] = static_cast<std::uint8_t>(v4 ? 10 : 0x20);
            for (std::size_t k = 1; k < 16; ++k)
            {
                b[k] = static_cast<std::uint8_t>(rng() % 4);
            }
            const auto a = v4 ? ip_address::v4({b[0], b[1], b[2], b[3]}) : ip_address::v6(b);
            BOOST_TEST((t.longest_match(a) == linear(all, a)), a.to_string());
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
