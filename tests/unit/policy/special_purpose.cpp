// special_purpose (suite address): the table of special-purpose ranges, row
// by row at both ends of each range, and public addresses just outside them.

#include "policy/address.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string_view>

namespace bdata = boost::unit_test::data;
using sekisho::policy::ip_address;
using sekisho::policy::special_purpose;

namespace {

struct row
{
    const char* address;
    std::string_view name;
};

std::ostream& operator<<(std::ostream& os, const row& r)
{
    return os << r.address << " -> " << r.name;
}

const row special_rows[] = {
    {"0.0.0.0", "this network"},
    {"0.255.255.255", "this network"},
    {"10.0.0.0", "private"},
    {"10.255.255.255", "private"},
    {"100.64.0.0", "shared (CGNAT)"},
    {"100.127.255.255", "shared (CGNAT)"},
    {"127.0.0.1", "loopback"},
    {"127.255.255.254", "loopback"},
    {"169.254.0.1", "link-local"},
    {"169.254.255.255", "link-local"},
    {"172.16.0.0", "private"},
    {"172.31.255.255", "private"},
    {"192.0.0.9", "IETF protocol assignments"},
    {"192.0.2.1", "documentation"},
    {"192.31.196.1", "AS112"},
    {"192.52.193.1", "AMT"},
    {"192.88.99.1", "6to4 relay anycast"},
    {"192.168.0.1", "private"},
    {"192.168.255.255", "private"},
    {"192.175.48.1", "AS112"},
    {"198.18.0.1", "benchmarking"},
    {"198.19.255.255", "benchmarking"},
    {"198.51.100.1", "documentation"},
    {"203.0.113.255", "documentation"},
    {"224.0.0.1", "multicast"},
    {"239.255.255.255", "multicast"},
    {"240.0.0.1", "reserved"},
    {"255.255.255.255", "reserved"},
    {"::ffff:127.0.0.1", "loopback"},
    {"::", "unspecified"},
    {"::1", "loopback"},
    {"64:ff9b::8.8.8.8", "NAT64"},
    {"64:ff9b:1::1", "NAT64 (local)"},
    {"100::1", "discard-only"},
    {"2001::1", "IETF protocol assignments (incl. Teredo)"},
    {"2001:0:4136:e378:8000:63bf:3fff:fdd2", "IETF protocol assignments (incl. Teredo)"},
    {"2001:1ff:ffff::1", "IETF protocol assignments (incl. Teredo)"},
    {"2001:db8::1", "documentation"},
    {"2001:db8:ffff::1", "documentation"},
    {"2002:c000:221::1", "6to4"},
    {"3fff::1", "documentation"},
    {"5f00::1", "segment routing"},
    {"fc00::1", "unique local"},
    {"fdff:ffff::1", "unique local"},
    {"fe80::1", "link-local"},
    {"febf:ffff::1", "link-local"},
    {"fec0::1", "site-local (deprecated)"},
    {"ff02::1", "multicast"},
    {"::2", "not global unicast"},
    {"::10.0.0.1", "not global unicast"},
    {"4000::1", "not global unicast"},
};

} // namespace

BOOST_AUTO_TEST_SUITE(address)

BOOST_DATA_TEST_CASE(special_purpose_table_rows, bdata::make(special_rows), r)
{
    auto a = ip_address::parse(r.address);
    BOOST_TEST_REQUIRE(a.has_value());
    auto name = special_purpose(*a);
    BOOST_TEST_REQUIRE(name.has_value());
    BOOST_TEST(*name == r.name);
}

// Globally routable unicast, including neighbours of the special ranges.
BOOST_DATA_TEST_CASE(
    public_addresses_are_not_special,
    bdata::make({"8.8.8.8",         "1.1.1.1",           "9.255.255.255",     "11.0.0.0",
                 "100.63.255.255",  "100.128.0.0",       "126.255.255.255",   "128.0.0.0",
                 "169.253.255.255", "169.255.0.0",       "172.15.255.255",    "172.32.0.0",
                 "192.0.1.1",       "192.167.255.255",   "192.169.0.0",       "198.17.255.255",
                 "198.20.0.0",      "223.255.255.255",   "::ffff:8.8.8.8",    "2001:4860::8888",
                 "2001:200::1",     "2400:cb00:2048::1", "2a00:1450:4001::1", "3ffe::1"}),
    text)
{
    auto a = ip_address::parse(text);
    BOOST_TEST_REQUIRE(a.has_value());
    auto name = special_purpose(*a);
    BOOST_TEST(!name.has_value(), "classified as " << name.value_or("?"));
}

BOOST_AUTO_TEST_SUITE_END()
