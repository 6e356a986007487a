// decide(): every invariant and reason code for names and IP literals, with
// the rule id that names the deciding rule. (vet_resolved() is in
// decide_resolved.cpp.)

#include "decide_policy.hpp"

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

namespace sp = sekisho::policy;
using sekisho::test::check;
using sekisho::test::policy_fixture;
using sekisho::test::self_fixture;
using sp::layer;

namespace {

constexpr layer both_layers[] = {layer::internet, layer::lgwan};

} // namespace

BOOST_AUTO_TEST_SUITE(decide)

// Invariant 1 by name, on both layers, including a My Number suffix nested
// inside an LGWAN suffix.
// The decision names the catalogued service it matched, allowed or not,
// and no service for other targets.
BOOST_FIXTURE_TEST_CASE(decision_names_the_matched_service, policy_fixture)
{
    const auto allowed = d.on(layer::internet, "files.cloud.example:443");
    BOOST_TEST(allowed.allowed());
    BOOST_REQUIRE(allowed.service != nullptr);
    BOOST_TEST(allowed.service->id == "groupware");
    const auto wrong_port = d.on(layer::internet, "files.cloud.example:8080");
    BOOST_TEST(!wrong_port.allowed());
    BOOST_REQUIRE(wrong_port.service != nullptr);
    BOOST_TEST(wrong_port.service->id == "groupware");
    const auto resolved_badly = d.resolved(layer::internet, "files.cloud.example:443", {"10.20.0.1"});
    BOOST_TEST(!resolved_badly.allowed());
    BOOST_TEST(resolved_badly.service == allowed.service);
    BOOST_TEST(d.on(layer::internet, "unknown.example:443").service == nullptr);
    BOOST_TEST(d.on(layer::internet, "mynumber.example.jp:443").service == nullptr);
}

BOOST_FIXTURE_TEST_CASE(mynumber_by_name, policy_fixture)
{
    for (layer l : both_layers)
    {
        for (const char* t : {"mynumber.example.jp:443",
                              "juki.mynumber.example.jp:443",
                              "MyNumber.Example.JP.:8443",
                              "juki.lg.jp:443",
                              "a.b.juki.lg.jp:3389"})
        {
            const auto r = d.on(l, t);
            check(r, t, "mynumber_zone", "invariant:mynumber");
            BOOST_TEST((r.dest_zone == sp::zone::mynumber));
        }
    }
}

// Invariant 1 by IP literal: IPv4, IPv6, IPv4-mapped IPv6, and the NAT64
// and 6to4 addresses that carry a My Number IPv4 address.
BOOST_FIXTURE_TEST_CASE(mynumber_by_ip_literal, policy_fixture)
{
    for (layer l : both_layers)
    {
        for (const char* t : {"10.20.1.2:443",
                              "10.20.255.255:22",
                              "[fd00:20::1]:443",
                              "[::ffff:10.20.1.2]:443",
                              "[::ffff:a14:102]:443",
                              "[0:0:0:0:0:FFFF:0A14:0102]:443",
                              "[64:ff9b::10.20.1.2]:443",
                              "[2002:a14:102::1]:443"})
        {
            const auto r = d.on(l, t);
            check(r, t, "mynumber_zone", "invariant:mynumber");
            BOOST_TEST((r.dest_zone == sp::zone::mynumber));
        }
    }
}

// Invariant 2: a session reaches only its own layer, names and literals.
BOOST_FIXTURE_TEST_CASE(layer_mismatch_both_ways, policy_fixture)
{
    for (const char* t : {"vdi.lgwan.example.jp:443", "x.lg.jp:443", "10.10.0.5:3389", "[fd00:10::1]:443"})
    {
        const auto r = d.on(layer::internet, t);
        check(r, t, "layer_mismatch", "invariant:one_layer");
        BOOST_TEST((r.dest_zone == sp::zone::lgwan));
    }
    for (const char* t : {"files.cloud.example:443", "a.maps.example:443", "8.8.8.8:443", "198.51.100.7:443"})
    {
        const auto r = d.on(layer::lgwan, t);
        check(r, t, "layer_mismatch", "invariant:one_layer");
        BOOST_TEST((r.dest_zone == sp::zone::internet));
    }
}

// Invariant 3: LGWAN only through a listed screen-transfer host and port.
BOOST_FIXTURE_TEST_CASE(lgwan_screen_transfer_only, policy_fixture)
{
    const auto ok = d.on(layer::lgwan, "vdi.lgwan.example.jp:443");
    check(ok, "vdi 443", "allowed", "screen_transfer:vdi");
    BOOST_TEST(ok.service_id == "vdi");
    BOOST_TEST((ok.dest_zone == sp::zone::lgwan));
    check(d.on(layer::lgwan, "VDI.lgwan.example.jp:8443"), "vdi 8443", "allowed", "screen_transfer:vdi");
    check(d.on(layer::lgwan, "10.10.0.5:3389"), "rdp literal", "allowed", "screen_transfer:rdp-relay");

    const auto port = d.on(layer::lgwan, "vdi.lgwan.example.jp:22");
    check(port, "vdi 22", "port_not_allowed", "screen_transfer:vdi");
    BOOST_TEST(port.service_id == "vdi");
    BOOST_TEST(port.detail.find("22") != std::string::npos);
    check(d.on(layer::lgwan, "10.10.0.5:443"), "rdp 443", "port_not_allowed", "screen_transfer:rdp-relay");

    for (const char* t : {"other.lgwan.example.jp:443",
                          "lgwan.example.jp:443",
                          "x.lg.jp:443",
                          "10.10.0.6:3389",
                          "[fd00:10::5]:3389",
                          "a.vdi.lgwan.example.jp:443"})
    {
        check(d.on(layer::lgwan, t), t, "not_screen_transfer", "invariant:lgwan_screen_transfer_only");
    }
}

// Invariant 4: internet names only as catalogued services, exact or below
// a wildcard, on a listed port.
BOOST_FIXTURE_TEST_CASE(internet_catalogued_services, policy_fixture)
{
    const auto exact = d.on(layer::internet, "files.cloud.example:443");
    check(exact, "exact", "allowed", "service:groupware");
    BOOST_TEST(exact.service_id == "groupware");
    BOOST_TEST((exact.dest_zone == sp::zone::internet));
    check(d.on(layer::internet, "a.b.files.cloud.example:443"),
          "below exact+wild",
          "allowed",
          "service:groupware");
    check(d.on(layer::internet, "FILES.Cloud.Example.:443"), "spelling", "allowed", "service:groupware");
    check(d.on(layer::internet, "tile.maps.example:8443"), "wildcard", "allowed", "service:maps");

    for (const char* t : {"maps.example:443",
                          "evil.example:443",
                          "xfiles.cloud.example:443",
                          "files.cloud.example.evil.jp:443",
                          "cloud.example:443",
                          "localhost:443"})
    {
        const auto r = d.on(layer::internet, t);
        check(r, t, "not_catalogued", "default:deny");
        BOOST_TEST((r.dest_zone == sp::zone::internet));
    }

    const auto port = d.on(layer::internet, "files.cloud.example:80");
    check(port, "port 80", "port_not_allowed", "service:groupware");
    BOOST_TEST(port.detail.find("80") != std::string::npos);
    check(d.on(layer::internet, "tile.maps.example:80"), "maps 80", "port_not_allowed", "service:maps");
}

// Services are matched by name only: a literal never matches one.
BOOST_FIXTURE_TEST_CASE(internet_ip_literal_not_allowed, policy_fixture)
{
    for (const char* t : {"8.8.8.8:443", "[2001:4860::8888]:443", "198.51.100.7:443", "[::ffff:8.8.8.8]:443"})
    {
        check(d.on(layer::internet, t), t, "ip_literal_not_allowed", "invariant:catalogued_names_only");
    }
}

// Literals in special-purpose space that no zone claims are never reachable.
BOOST_FIXTURE_TEST_CASE(special_address_literals, policy_fixture)
{
    for (layer l : both_layers)
    {
        for (const char* t : {"127.0.0.1:443",
                              "[::1]:443",
                              "192.168.1.1:443",
                              "169.254.169.254:80",
                              "[fe80::1]:443",
                              "0.0.0.0:443",
                              "[::]:443",
                              "100.64.0.1:443",
                              "[64:ff9b::c0a8:101]:443",
                              "[2002:a00:1::1]:443",
                              "[::a14:102]:443",
                              "224.0.0.1:443",
                              "[::ffff:127.0.0.1]:443"})
        {
            const auto r = d.on(l, t);
            check(r, t, "special_address", "invariant:special_address");
            BOOST_TEST((r.dest_zone == sp::zone::none));
        }
    }
}

// A tunnel to the gateway's own listener is a proxy loop.
BOOST_FIXTURE_TEST_CASE(self_connect, self_fixture)
{
    for (layer l : both_layers)
    {
        for (const char* t : {"127.0.0.1:8443", "[::ffff:127.0.0.1]:8443", "[::1]:9443", "127.0.0.2:9443"})
        {
            check(d.on(l, t), t, "self_connect", "invariant:self");
        }
        // Same address, other port: an ordinary special address.
        check(d.on(l, "127.0.0.1:443"), "other port", "special_address", "invariant:special_address");
    }
    check(d.resolved(layer::internet, "tile.maps.example:8443", {"127.0.0.1"}),
          "resolved to self",
          "self_connect",
          "invariant:self");
    check(d.resolved(layer::internet, "tile.maps.example:8443", {"8.8.8.8"}),
          "resolved",
          "allowed",
          "service:maps");
}

// Every reason has its own stable name (used in headers and logs).
BOOST_AUTO_TEST_CASE(reason_names)
{
    const sp::reason all[] = {sp::reason::allowed,
                              sp::reason::mynumber_zone,
                              sp::reason::layer_mismatch,
                              sp::reason::not_screen_transfer,
                              sp::reason::not_catalogued,
                              sp::reason::port_not_allowed,
                              sp::reason::ip_literal_not_allowed,
                              sp::reason::special_address,
                              sp::reason::resolved_outside_zone,
                              sp::reason::self_connect,
                              sp::reason::no_addresses};
    std::set<std::string_view> names;
    for (auto r : all)
    {
        names.insert(sp::to_string(r));
    }
    BOOST_TEST(names.size() == std::size(all));
    BOOST_TEST(sp::to_string(sp::reason::no_addresses) == "no_addresses");
    BOOST_TEST(sp::to_string(sp::reason::mynumber_zone) == "mynumber_zone");
}

BOOST_AUTO_TEST_SUITE_END()
