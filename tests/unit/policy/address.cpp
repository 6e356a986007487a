// ip_address: strict parsing of IPv4 and IPv6 text, IPv4-mapped folding and
// RFC 5952 output.

#include "policy/address.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace bdata = boost::unit_test::data;
using sekisho::policy::ip_address;

namespace {

std::string text_of(const char* input)
{
    auto a = ip_address::parse(input);
    return a ? a->to_string() : std::string("<rejected>");
}

} // namespace

BOOST_AUTO_TEST_SUITE(address)

// Dotted quads with four decimal parts parse to their four bytes.
BOOST_AUTO_TEST_CASE(ipv4_dotted_quad)
{
    auto a = ip_address::parse("192.0.2.33");
    BOOST_TEST_REQUIRE(a.has_value());
    BOOST_TEST(a->is_v4());
    BOOST_TEST(a->bit_width() == 32U);
    BOOST_TEST(a->bytes()[0] == 192);
    BOOST_TEST(a->bytes()[3] == 33);
    BOOST_TEST(a->to_string() == "192.0.2.33");
    BOOST_TEST(text_of("0.0.0.0") == "0.0.0.0");
    BOOST_TEST(text_of("255.255.255.255") == "255.255.255.255");
}

// Forms that inet_aton() would accept but that hide what they mean.
BOOST_DATA_TEST_CASE(ipv4_rejects_non_strict_forms,
                     bdata::make({"127.1",     "127.0.1",    "0x7f.0.0.1", "0x7f000001", "2130706433",
                                  "010.0.0.1", "127.0.0.01", "256.0.0.1",  "1.2.3.256",  "1.2.3.4.",
                                  ".1.2.3.4",  "1.2.3.4.5",  "1..2.3",     "1.2.3.-4",   "1.2.3.+4",
                                  "1.2.3. 4",  " 1.2.3.4",   "1.2.3.4 ",   "1.2.3.4/32", "1234.1.1.1",
                                  "",          "a.b.c.d"}),
                     text)
{
    BOOST_TEST(!ip_address::parse(text).has_value());
}

// The compressed forms, full forms and an embedded IPv4 tail.
BOOST_AUTO_TEST_CASE(ipv6_forms)
{
    auto any = ip_address::parse("::");
    BOOST_TEST_REQUIRE(any.has_value());
    BOOST_TEST(!any->is_v4());
    BOOST_TEST(any->bit_width() == 128U);
    BOOST_TEST(any->to_string() == "::");

    auto loop = ip_address::parse("::1");
    BOOST_TEST_REQUIRE(loop.has_value());
    BOOST_TEST(loop->bytes()[15] == 1);
    BOOST_TEST(loop->to_string() == "::1");

    BOOST_TEST(text_of("0:0:0:0:0:0:0:1") == "::1");
    BOOST_TEST(text_of("2001:db8::") == "2001:db8::");
    BOOST_TEST(text_of("fe80::1:2") == "fe80::1:2");
    BOOST_TEST(text_of("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2:3:4:5:6");
    BOOST_TEST(text_of("64:ff9b::192.0.2.33") == "64:ff9b::c000:221");
    BOOST_TEST(text_of("1:2:3:4:5:6:1.2.3.4") == "1:2:3:4:5:6:102:304");
    BOOST_TEST(text_of("::1.2.3.4") == "::102:304");
}

// ::ffff:a.b.c.d is stored as IPv4, so it equals the plain IPv4 address.
BOOST_AUTO_TEST_CASE(ipv4_mapped_folds_to_ipv4)
{
    auto mapped = ip_address::parse("::ffff:10.0.0.1");
    auto plain = ip_address::parse("10.0.0.1");
    BOOST_TEST_REQUIRE(mapped.has_value());
    BOOST_TEST_REQUIRE(plain.has_value());
    BOOST_TEST(mapped->is_v4());
    BOOST_TEST((*mapped == *plain));
    BOOST_TEST(mapped->to_string() == "10.0.0.1");

    // The same address written in hex groups, and in full.
    BOOST_TEST((ip_address::parse("::ffff:a00:1") == plain));
    BOOST_TEST((ip_address::parse("0:0:0:0:0:FFFF:0A00:0001") == plain));
    BOOST_TEST((ip_address::v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1}) == *plain));

    // Not mapped: IPv4-compatible (deprecated) and NAT64 stay IPv6.
    BOOST_TEST(!ip_address::parse("::10.0.0.1")->is_v4());
    BOOST_TEST(!ip_address::parse("::fffe:10.0.0.1")->is_v4());
    BOOST_TEST(!ip_address::parse("64:ff9b::10.0.0.1")->is_v4());
}

BOOST_DATA_TEST_CASE(ipv6_rejects_garbage_and_zone_ids,
                     bdata::make({"fe80::1%eth0",
                                  "fe80::1%25eth0",
                                  "fe80::1%1",
                                  "[::1]",
                                  ":::",
                                  ":",
                                  ":1",
                                  "1:",
                                  "1::2::3",
                                  "::1::",
                                  "12345::",
                                  "g::1",
                                  "1:2:3:4:5:6:7",
                                  "1:2:3:4:5:6:7:8:9",
                                  "1:2:3:4:5:6:7:8::",
                                  "::1:2:3:4:5:6:7:8",
                                  "1:2:3:4:5:6:7:1.2.3.4",
                                  "::1.2.3",
                                  "::1.2.3.4.5",
                                  "::127.1",
                                  "::ffff:010.0.0.1",
                                  "::1.2.3.4:5",
                                  "1.2.3.4::",
                                  " ::1",
                                  "::1 ",
                                  "::-1"}),
                     text)
{
    BOOST_TEST(!ip_address::parse(text).has_value());
}

// RFC 5952 §4: lower case, no leading zeros, the longest run of two or more
// zero groups compressed (the first one on a tie), single zero groups kept.
BOOST_AUTO_TEST_CASE(to_string_follows_rfc5952)
{
    BOOST_TEST(text_of("2001:DB8:0:0:0:0:0:1") == "2001:db8::1");
    BOOST_TEST(text_of("2001:0db8:0000:0000:0000:0000:0000:0001") == "2001:db8::1");
    BOOST_TEST(text_of("2001:db8:0:1:1:1:1:1") == "2001:db8:0:1:1:1:1:1");
    BOOST_TEST(text_of("2001:db8:0:0:1:0:0:1") == "2001:db8::1:0:0:1");
    BOOST_TEST(text_of("1:0:0:2:0:0:0:3") == "1:0:0:2::3");
    BOOST_TEST(text_of("0:0:1:0:0:0:0:0") == "0:0:1::");
    BOOST_TEST(text_of("0:0:0:0:0:0:0:0") == "::");
    BOOST_TEST(text_of("FE80::ABCD") == "fe80::abcd");
    BOOST_TEST(text_of("1:2:3:4:5:6:7:0") == "1:2:3:4:5:6:7:0");
}

// bit() numbers bits from the most significant one, per family.
BOOST_AUTO_TEST_CASE(bit_indexing)
{
    auto a = ip_address::parse("128.0.0.1");
    BOOST_TEST_REQUIRE(a.has_value());
    BOOST_TEST(a->bit(0));
    BOOST_TEST(!a->bit(1));
    BOOST_TEST(a->bit(31));
    auto b = ip_address::parse("::1");
    BOOST_TEST(b->bit(127));
    BOOST_TEST(!b->bit(126));
}

BOOST_AUTO_TEST_SUITE_END()
