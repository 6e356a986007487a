// vet_resolved(): the addresses a name resolved to, checked against the
// zones (My Number answers, answers outside the name's zone, no answers).

#include "decide_policy.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

namespace sp = sekisho::policy;
using sekisho::test::check;
using sekisho::test::policy_fixture;
using sp::layer;

BOOST_AUTO_TEST_SUITE(decide)

// Invariant 1 after resolution: an allowed name whose DNS answer contains a
// My Number address is denied as a whole.
BOOST_FIXTURE_TEST_CASE(mynumber_by_resolution, policy_fixture)
{
    const auto r = d.resolved(layer::internet, "files.cloud.example:443", {"8.8.8.8", "10.20.0.9"});
    check(r, "internet name", "mynumber_zone", "invariant:mynumber");
    BOOST_TEST(r.detail.find("10.20.0.9") != std::string::npos, r.detail);
    BOOST_TEST(r.service_id == "groupware");

    check(d.resolved(layer::internet, "a.maps.example:443", {"::ffff:10.20.0.9"}),
          "mapped answer",
          "mynumber_zone",
          "invariant:mynumber");
    check(d.resolved(layer::internet, "a.maps.example:443", {"2002:a14:9::1"}),
          "6to4 answer",
          "mynumber_zone",
          "invariant:mynumber");
    check(d.resolved(layer::internet, "a.maps.example:443", {"2001:4860::8888", "fd00:20::5"}),
          "IPv6 answer",
          "mynumber_zone",
          "invariant:mynumber");
    check(d.resolved(layer::lgwan, "vdi.lgwan.example.jp:443", {"10.10.0.7", "10.20.0.1"}),
          "lgwan name",
          "mynumber_zone",
          "invariant:mynumber");
}

// Invariant 5: a name's answers must lie in the name's own zone.
BOOST_FIXTURE_TEST_CASE(resolved_outside_zone, policy_fixture)
{
    for (const char* a :
         {"10.1.2.3", "192.168.1.10", "169.254.169.254", "10.10.0.5", "fd00:10::1", "127.0.0.1"})
    {
        const auto r = d.resolved(layer::internet, "files.cloud.example:443", {"8.8.8.8", a});
        check(r, a, "resolved_outside_zone", "invariant:resolved_zone");
        BOOST_TEST(r.detail.find(sp::ip_address::parse(a)->to_string()) != std::string::npos, r.detail);
    }
    check(d.resolved(layer::lgwan, "vdi.lgwan.example.jp:443", {"8.8.8.8"}),
          "lgwan name to public",
          "resolved_outside_zone",
          "invariant:resolved_zone");
    check(d.resolved(layer::lgwan, "vdi.lgwan.example.jp:443", {"10.10.0.7", "192.168.0.1"}),
          "lgwan name to private",
          "resolved_outside_zone",
          "invariant:resolved_zone");
}

// Answers inside the name's zone leave the decision as it was.
BOOST_FIXTURE_TEST_CASE(resolved_inside_zone_passes, policy_fixture)
{
    const auto r = d.resolved(
        layer::internet, "files.cloud.example:443", {"8.8.8.8", "2001:4860::8888", "198.51.100.7"});
    check(r, "internet", "allowed", "service:groupware");
    BOOST_TEST(r.service_id == "groupware");
    check(d.resolved(layer::lgwan, "vdi.lgwan.example.jp:443", {"10.10.0.7", "fd00:10::7"}),
          "lgwan",
          "allowed",
          "screen_transfer:vdi");
}

BOOST_FIXTURE_TEST_CASE(no_addresses, policy_fixture)
{
    check(d.resolved(layer::internet, "files.cloud.example:443", {}),
          "empty",
          "no_addresses",
          "invariant:resolved_zone");
}

// A denial by name stays that denial whatever the answers.
BOOST_FIXTURE_TEST_CASE(vet_keeps_denials, policy_fixture)
{
    check(d.resolved(layer::internet, "evil.example:443", {"8.8.8.8"}),
          "evil",
          "not_catalogued",
          "default:deny");
    check(
        d.resolved(layer::internet, "evil.example:443", {}), "evil empty", "not_catalogued", "default:deny");
    check(d.resolved(layer::internet, "juki.lg.jp:443", {"8.8.8.8"}),
          "juki",
          "mynumber_zone",
          "invariant:mynumber");
}

// With DNS64/NAT64 the operator places 64:ff9b::/96 in the internet zone;
// an answer that embeds a My Number IPv4 address (RFC 6052) still reaches the
// My Number layer through the translator, so it must be denied like the
// IPv4 address itself (invariant 1: no policy can switch it off).
BOOST_AUTO_TEST_CASE(nat64_answer_embedding_mynumber_address)
{
    std::string yaml = sekisho::test::decide_policy_yaml;
    const std::string from = "cidrs: [198.51.100.0/24]";
    yaml.replace(yaml.find(from), from.size(), "cidrs: [198.51.100.0/24, \"64:ff9b::/96\"]");
    const sekisho::test::decider nat64{sekisho::test::compile_text(yaml)};
    check(nat64.resolved(layer::internet, "files.cloud.example:443", {"64:ff9b::8.8.8.8"}),
          "NAT64 of a public address",
          "allowed",
          "service:groupware");
    const auto r = nat64.resolved(layer::internet, "files.cloud.example:443", {"64:ff9b::10.20.1.2"});
    BOOST_TEST(!r.allowed(), "64:ff9b::10.20.1.2 (NAT64 of 10.20.1.2) passed vetting");
    BOOST_TEST(sekisho::policy::to_string(r.why) == "mynumber_zone");
}

BOOST_AUTO_TEST_SUITE_END()
