// cidr (suite address): parsing (host bits, prefix lengths), containment and
// overlap across address families.

#include "policy/address.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace bdata = boost::unit_test::data;
using sekisho::policy::cidr;
using sekisho::policy::ip_address;

namespace {

cidr net(const char* text)
{
    auto c = cidr::parse(text);
    BOOST_TEST_REQUIRE(c.has_value(), "fixture CIDR " << text);
    return *c;
}

ip_address addr(const char* text)
{
    auto a = ip_address::parse(text);
    BOOST_TEST_REQUIRE(a.has_value(), "fixture address " << text);
    return *a;
}

} // namespace

BOOST_AUTO_TEST_SUITE(address)

// Networks of both families, and a bare address as a host prefix.
BOOST_AUTO_TEST_CASE(cidr_parse_valid)
{
    BOOST_TEST(net("10.0.0.0/8").prefix_len() == 8U);
    BOOST_TEST(net("10.0.0.0/8").to_string() == "10.0.0.0/8");
    BOOST_TEST(net("0.0.0.0/0").prefix_len() == 0U);
    BOOST_TEST(net("192.0.2.7/32").to_string() == "192.0.2.7/32");
    BOOST_TEST(net("192.0.2.7").to_string() == "192.0.2.7/32");
    BOOST_TEST(net("2001:DB8::/32").to_string() == "2001:db8::/32");
    BOOST_TEST(net("::/0").prefix_len() == 0U);
    BOOST_TEST(net("::1").prefix_len() == 128U);
    BOOST_TEST(net("fe80::/10").network().to_string() == "fe80::");
}

// Host bits below the prefix are ambiguous: rejected with a reason that
// names the problem.
BOOST_AUTO_TEST_CASE(cidr_host_bits_rejected)
{
    for (const char* text :
         {"10.1.0.0/8", "10.0.0.1/31", "192.168.1.1/24", "2001:db8::1/32", "fe80::1/10", "0.0.0.1/0"})
    {
        BOOST_TEST_CONTEXT(text)
        {
            std::string why;
            BOOST_TEST(!cidr::parse(text, &why).has_value());
            BOOST_TEST(why.find("bits") != std::string::npos, why);
        }
    }
}

BOOST_DATA_TEST_CASE(cidr_bad_prefix_lengths,
                     bdata::make({"10.0.0.0/33",
                                  "10.0.0.0/",
                                  "10.0.0.0/08",
                                  "10.0.0.0/-1",
                                  "10.0.0.0/+8",
                                  "10.0.0.0/8a",
                                  "10.0.0.0/1000",
                                  "10.0.0.0/ 8",
                                  "10.0.0.0/8/8",
                                  "2001:db8::/129",
                                  "2001:db8::/00"}),
                     text)
{
    std::string why;
    BOOST_TEST(!cidr::parse(text, &why).has_value());
    BOOST_TEST(why == "bad prefix length");
}

BOOST_DATA_TEST_CASE(cidr_bad_addresses,
                     bdata::make({"10.0.0/8", "010.0.0.0/8", "fe80::%1/64", "/8", "", "example.jp/24"}),
                     text)
{
    std::string why;
    BOOST_TEST(!cidr::parse(text, &why).has_value());
    BOOST_TEST(!why.empty());
}

// A mapped prefix would silently turn into an IPv4 prefix of another length.
BOOST_AUTO_TEST_CASE(cidr_ipv4_mapped_prefix_rejected)
{
    std::string why;
    BOOST_TEST(!cidr::parse("::ffff:10.0.0.0/104", &why).has_value());
    BOOST_TEST(why.find("IPv4") != std::string::npos, why);
}

BOOST_AUTO_TEST_CASE(cidr_contains_within_family)
{
    const auto ten = net("10.0.0.0/8");
    BOOST_TEST(ten.contains(addr("10.0.0.0")));
    BOOST_TEST(ten.contains(addr("10.255.255.255")));
    BOOST_TEST(!ten.contains(addr("11.0.0.0")));
    BOOST_TEST(!ten.contains(addr("9.255.255.255")));

    const auto odd = net("172.16.0.0/12");
    BOOST_TEST(odd.contains(addr("172.31.255.255")));
    BOOST_TEST(!odd.contains(addr("172.32.0.0")));
    BOOST_TEST(!odd.contains(addr("172.15.255.255")));

    const auto v6 = net("2001:db8::/33");
    BOOST_TEST(v6.contains(addr("2001:db8:7fff::1")));
    BOOST_TEST(!v6.contains(addr("2001:db8:8000::1")));

    BOOST_TEST(net("0.0.0.0/0").contains(addr("203.0.113.9")));
    BOOST_TEST(net("::/0").contains(addr("2001:db8::1")));
    BOOST_TEST(net("192.0.2.7/32").contains(addr("192.0.2.7")));
    BOOST_TEST(!net("192.0.2.7/32").contains(addr("192.0.2.6")));
}

// An IPv4 prefix never contains an IPv6 address and vice versa, but a
// mapped address is IPv4 and so falls inside the IPv4 prefix.
BOOST_AUTO_TEST_CASE(cidr_contains_across_families)
{
    BOOST_TEST(!net("0.0.0.0/0").contains(addr("::1")));
    BOOST_TEST(!net("::/0").contains(addr("10.0.0.1")));
    BOOST_TEST(!net("::/0").contains(addr("::ffff:10.0.0.1")));
    BOOST_TEST(net("10.0.0.0/8").contains(addr("::ffff:10.1.2.3")));
    BOOST_TEST(!net("10.0.0.0/8").contains(addr("::10.1.2.3")));
}

BOOST_AUTO_TEST_CASE(cidr_overlaps_both_ways)
{
    const auto big = net("10.0.0.0/8");
    const auto small = net("10.20.0.0/16");
    BOOST_TEST(big.overlaps(small));
    BOOST_TEST(small.overlaps(big));
    BOOST_TEST(big.overlaps(big));
    BOOST_TEST(!net("10.0.0.0/16").overlaps(net("10.1.0.0/16")));
    BOOST_TEST(!net("10.1.0.0/16").overlaps(net("10.0.0.0/16")));
    BOOST_TEST(net("0.0.0.0/0").overlaps(net("203.0.113.0/24")));
    BOOST_TEST(net("2001:db8::/32").overlaps(net("2001:db8:ff::/48")));
    BOOST_TEST(!net("2001:db8::/32").overlaps(net("2001:db9::/32")));
    // Families never overlap, not even the two "everything" prefixes.
    BOOST_TEST(!net("0.0.0.0/0").overlaps(net("::/0")));
    BOOST_TEST(!net("::/0").overlaps(net("10.0.0.0/8")));
}

BOOST_AUTO_TEST_SUITE_END()
