// Each layer's own DNS servers, real dnsmasq instances on loopback: the
// internet layer's DNS answers internet names and the LGWAN layer's answers
// LGWAN names; a rebinding answer (a catalogued name pointing into the My
// Number layer) is refused; `hosts:` still wins; answers are cached for their
// TTL and asked again after it; a silent DNS server is a 504 within
// timeouts.dns and a refusing one a 502, and the daemon carries on.

#include "harness/checks.hpp"
#include "harness/dnsmasq.hpp"

#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace sekisho::test;

namespace {

std::string url(const char* host, std::uint16_t port)
{
    return "http://" + std::string(host) + ":" + std::to_string(port) + "/";
}

// A second screen-transfer endpoint known only to the LGWAN DNS (not in hosts:).
std::string policy_with_dns_endpoint()
{
    const std::string anchor = "  - id: vdi-by-address\n";
    return test_policy_with(anchor,
                            "  - id: vdi-dns\n    host: vdi2.lgwan.test\n    ports: [" +
                                std::to_string(world::get().lgwan.port()) +
                                "]\n    controls: {clipboard: false, file_transfer: false, printing: false, "
                                "drive_mapping: false}\n" +
                                anchor) +
           "";
}

gateway_options with_dns(std::uint16_t internet_dns, std::uint16_t lgwan_dns)
{
    gateway_options o;
    auto p = policy_with_dns_endpoint();
    const std::string grant = "    screen_transfer: [vdi, vdi-by-address]\n";
    p.replace(p.find(grant), grant.size(), "    screen_transfer: [vdi, vdi-by-address, vdi-dns]\n");
    o.policy = p;
    o.extra_config =
        "egress:\n  internet:\n    dns:\n      servers: [\"127.0.0.1:" + std::to_string(internet_dns) +
        "\"]\n      max_ttl: 1h\n      negative_ttl: 0ms\n  lgwan:\n    dns:\n      servers: [\"127.0.0.1:" +
        std::to_string(lgwan_dns) + "\"]\n";
    return o;
}

} // namespace

BOOST_AUTO_TEST_SUITE(dns)

BOOST_AUTO_TEST_CASE(each_layer_asks_its_own_dns)
{
    dns_server internet({{"x.cdn.cloud.test", "127.0.30.1"},
                         {"evil.cdn.cloud.test", "127.0.20.1"},
                         {"a.cdn.cloud.test", "127.0.20.1"}},
                        60);
    dns_server lgwan({{"vdi2.lgwan.test", "127.0.10.1"}}, 60);
    gateway g(with_dns(internet.port(), lgwan.port()));
    const auto cloud = world::get().cloud.port();

    auto ok = curl_via(g.internet(), url("x.cdn.cloud.test", cloud));
    BOOST_TEST(ok.connect_code == 200, ok.verbose);
    BOOST_TEST(ok.body == cloud_body);
    BOOST_TEST(internet.queries_for("x.cdn.cloud.test") == 1U);

    auto lg = curl_via(g.lgwan(), url("vdi2.lgwan.test", world::get().lgwan.port()));
    BOOST_TEST(lg.connect_code == 200, lg.verbose);
    BOOST_TEST(lgwan.queries_for("vdi2.lgwan.test") == 1U);
    BOOST_TEST(internet.queries_for("vdi2.lgwan.test") == 0U); // not the internet layer's DNS

    // A catalogued name whose answer points into the My Number layer.
    auto evil = curl_via(g.internet(), url("evil.cdn.cloud.test", cloud));
    BOOST_TEST(evil.connect_code == 403);
    BOOST_TEST(str(g.record_for(evil.local_port), "reason") == "mynumber_zone");

    // hosts: wins over DNS (a.cdn.cloud.test is 127.0.30.1 there).
    auto pinned = curl_via(g.internet(), url("a.cdn.cloud.test", cloud));
    BOOST_TEST(pinned.connect_code == 200, pinned.verbose);
    BOOST_TEST(internet.queries_for("a.cdn.cloud.test") == 0U);
}

BOOST_AUTO_TEST_CASE(answers_are_cached_for_their_ttl)
{
    dns_server internet({{"x.cdn.cloud.test", "127.0.30.1"}}, 2);
    dns_server lgwan({}, 60);
    gateway g(with_dns(internet.port(), lgwan.port()));
    const auto cloud = world::get().cloud.port();
    for (int i = 0; i < 3; ++i)
    {
        BOOST_TEST(curl_via(g.internet(), url("x.cdn.cloud.test", cloud)).connect_code == 200);
    }
    BOOST_TEST(internet.queries_for("x.cdn.cloud.test") == 1U); // within the 2 s TTL: one query
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    BOOST_TEST(curl_via(g.internet(), url("x.cdn.cloud.test", cloud)).connect_code == 200);
    BOOST_TEST(internet.queries_for("x.cdn.cloud.test") == 2U); // expired: asked again
}

BOOST_AUTO_TEST_CASE(silent_or_refusing_dns_is_an_answer_not_a_hang)
{
    // A server that never answers: a UDP socket nobody reads.
    const auto silent = free_loopback_port();
    const int hole = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(silent);
    BOOST_REQUIRE(::bind(hole, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    // The LGWAN layer's server is gone: nothing listens on its port.
    const auto gone = free_loopback_port();
    gateway g(with_dns(silent, gone));
    const auto t0 = std::chrono::steady_clock::now();
    auto r = curl_via(g.internet(), url("x.cdn.cloud.test", world::get().cloud.port()));
    const auto took = std::chrono::steady_clock::now() - t0;
    BOOST_TEST(r.connect_code == 504, r.verbose);
    BOOST_TEST(str(g.record_for(r.local_port), "reason") == "dns_timeout");
    BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(took).count() <
               5000); // timeouts.dns: 1s
    auto refused = curl_via(g.lgwan(), url("vdi2.lgwan.test", world::get().lgwan.port()));
    BOOST_TEST(refused.connect_code == 502, refused.verbose);
    BOOST_TEST(str(g.record_for(refused.local_port), "reason") == "dns_failed");
    BOOST_TEST(g.proc().running());
    ::close(hole);
}

BOOST_AUTO_TEST_SUITE_END()
