// parse_authority: the CONNECT target in authority form, host:port only.

#include "policy/target.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace bdata = boost::unit_test::data;
namespace sp = sekisho::policy;

namespace {

sp::target parsed(const char* authority)
{
    std::string why;
    auto t = sp::parse_authority(authority, &why);
    BOOST_TEST_REQUIRE(t.has_value(), authority << ": " << why);
    return *t;
}

} // namespace

BOOST_AUTO_TEST_SUITE(target)

BOOST_AUTO_TEST_CASE(name_and_port)
{
    const auto t = parsed("files.example.jp:443");
    BOOST_TEST((t.type == sp::target::kind::name));
    BOOST_TEST(t.host == "files.example.jp");
    BOOST_TEST(t.port == 443);

    // The host is normalised like any request name.
    const auto upper = parsed("Files.Example.JP.:8443");
    BOOST_TEST(upper.host == "files.example.jp");
    BOOST_TEST(upper.port == 8443);

    BOOST_TEST(parsed("a.jp:1").port == 1);
    BOOST_TEST(parsed("a.jp:65535").port == 65535);
}

BOOST_AUTO_TEST_CASE(ipv4_and_port)
{
    const auto t = parsed("192.0.2.10:8080");
    BOOST_TEST((t.type == sp::target::kind::ip));
    BOOST_TEST(t.address.is_v4());
    BOOST_TEST(t.host == "192.0.2.10");
    BOOST_TEST(t.port == 8080);
}

// IPv6 in brackets; the host is kept in RFC 5952 text, and a mapped address
// becomes the IPv4 address it stands for.
BOOST_AUTO_TEST_CASE(bracketed_ipv6_and_port)
{
    const auto t = parsed("[2001:DB8:0:0::1]:443");
    BOOST_TEST((t.type == sp::target::kind::ip));
    BOOST_TEST(!t.address.is_v4());
    BOOST_TEST(t.host == "2001:db8::1");
    BOOST_TEST(t.port == 443);

    const auto loop = parsed("[::1]:22");
    BOOST_TEST(loop.host == "::1");

    const auto mapped = parsed("[::ffff:10.0.0.1]:443");
    BOOST_TEST((mapped.type == sp::target::kind::ip));
    BOOST_TEST(mapped.address.is_v4());
    BOOST_TEST(mapped.host == "10.0.0.1");
}

BOOST_DATA_TEST_CASE(rejections,
                     bdata::make({"",
                                  ":",
                                  ":443",
                                  "example.jp",
                                  "example.jp:",
                                  "example.jp:0",
                                  "example.jp:00",
                                  "example.jp:0443",
                                  "example.jp:65536",
                                  "example.jp:99999",
                                  "example.jp:100000",
                                  "example.jp:-1",
                                  "example.jp:+443",
                                  "example.jp:44a",
                                  "example.jp:443 ",
                                  "example.jp: 443",
                                  "example.jp:https",
                                  "2001:db8::1:443",
                                  "::1:443",
                                  "a@b:1",
                                  "user:pw@example.jp:443",
                                  "example.jp/path:443",
                                  "example.jp:443/path",
                                  "/x",
                                  "/",
                                  "http://example.jp:443",
                                  "ex%61mple.jp:443",
                                  "example.jp%00:443",
                                  "exa mple.jp:443",
                                  "example.jp?:443",
                                  "example.jp#:443",
                                  "ex\\ample.jp:443",
                                  "[fe80::1%eth0]:1",
                                  "[fe80::1%25eth0]:1",
                                  "[::1]",
                                  "[::1]:",
                                  "[::1]443",
                                  "[::1",
                                  "::1]:443",
                                  "[::1]:0",
                                  "[::1]:65536",
                                  "[example.jp]:443",
                                  "[]:443",
                                  "127.1:443",
                                  "0x7f.0.0.1:443",
                                  "010.0.0.1:443",
                                  "256.0.0.1:443",
                                  "_x.example.jp:443",
                                  "例え.jp:443"}),
                     authority)
{
    std::string why;
    BOOST_TEST(!sp::parse_authority(authority, &why).has_value());
    BOOST_TEST(!why.empty());
}

// RFC 3986 §3.2.2: an IP-literal in brackets is IPv6 (or IPvFuture), never
// IPv4; the parser's own message says "not a valid IPv6 address".
BOOST_AUTO_TEST_CASE(bracketed_ipv4_rejected)
{
    std::string why;
    BOOST_TEST(!sp::parse_authority("[10.0.0.1]:443", &why).has_value());
}

// The reason names the problem for the common mistakes.
BOOST_AUTO_TEST_CASE(reasons)
{
    std::string why;
    sp::parse_authority("example.jp", &why);
    BOOST_TEST(why.find("port") != std::string::npos, why);
    sp::parse_authority("2001:db8::1:443", &why);
    BOOST_TEST(why.find("brackets") != std::string::npos, why);
    sp::parse_authority("[fe80::1%eth0]:1", &why);
    BOOST_TEST(why.find("zone") != std::string::npos, why);
}

BOOST_AUTO_TEST_SUITE_END()
