// Allowed tunnels and every policy denial, driven by curl through a real
// sekishod, plus raw relay checks (bulk bytes, early payload, half-close).

#include "harness/checks.hpp"

#include <random>

using namespace sekisho::test;

namespace {

std::string port_of(const tcp_server& s)
{
    return std::to_string(s.port());
}

struct deny_case
{
    const char* name;
    bool lgwan_listener;
    std::string url;
    std::string reason;
    std::string rule;
};

} // namespace

BOOST_AUTO_TEST_SUITE(tunnels)

BOOST_AUTO_TEST_CASE(allowed_internet_service_relays_the_upstream_bytes)
{
    auto& g = shared_gateway();
    const auto& w = world::get();
    auto r = curl_via(g.internet(), "http://files.cloud.test:" + port_of(w.cloud) + "/");
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.connect_code == 200);
    BOOST_TEST(r.http_code == 200);
    BOOST_TEST(r.body == cloud_body);
    auto rec = g.record_for(r.local_port);
    BOOST_TEST(str(rec, "decision") == "allow");
    BOOST_TEST(str(rec, "rule") == "service:files");
    BOOST_TEST(str(rec, "zone") == "internet");
    BOOST_TEST(str(rec, "upstream") == "127.0.30.1:" + port_of(w.cloud));
    BOOST_TEST(str(rec, "end") == "closed");
    BOOST_TEST(num(rec, "bytes_down") > 0);
    BOOST_TEST(num(rec, "bytes_up") > 0);
    BOOST_TEST(str(rec.at("device").as_object(), "subject") == "demo");
    BOOST_TEST(str(rec.at("device").as_object(), "fingerprint").size() == 64U);
}

BOOST_AUTO_TEST_CASE(allowed_wildcard_service)
{
    auto r =
        curl_via(shared_gateway().internet(), "http://a.cdn.cloud.test:" + port_of(world::get().cloud) + "/");
    BOOST_TEST(r.connect_code == 200);
    BOOST_TEST(r.body == cloud_body);
}

BOOST_AUTO_TEST_CASE(allowed_lgwan_screen_transfer_by_name_and_by_address)
{
    auto& g = shared_gateway();
    const auto port = port_of(world::get().lgwan);
    for (const std::string host : {"vdi.lgwan.test", "127.0.10.1"})
    {
        auto r = curl_via(g.lgwan(), "http://" + host + ":" + port + "/");
        BOOST_TEST(r.connect_code == 200, host);
        BOOST_TEST(r.body == lgwan_body, host);
    }
}

BOOST_AUTO_TEST_CASE(every_denial_answers_403_with_reason_and_rule)
{
    auto& g = shared_gateway();
    const auto& w = world::get();
    const auto mn = port_of(w.mynumber);
    const auto cloud = port_of(w.cloud);
    const auto lg = port_of(w.lgwan);
    const std::vector<deny_case> cases = {
        {"My Number by name",
         false,
         "http://juki.mynumber.test:" + mn + "/",
         "mynumber_zone",
         "invariant:mynumber"},
        {"My Number by name on the LGWAN listener",
         true,
         "http://juki.mynumber.test:" + mn + "/",
         "mynumber_zone",
         "invariant:mynumber"},
        {"My Number by IP literal",
         false,
         "http://127.0.20.1:" + mn + "/",
         "mynumber_zone",
         "invariant:mynumber"},
        {"My Number by IPv4-mapped IPv6 literal",
         false,
         "http://[::ffff:127.0.20.1]:" + mn + "/",
         "mynumber_zone",
         "invariant:mynumber"},
        {"My Number by a catalogued name resolving into it",
         false,
         "http://rebind.cloud.test:" + mn + "/",
         "mynumber_zone",
         "invariant:mynumber"},
        {"catalogued name resolving to private space",
         false,
         "http://leak.cloud.test:" + cloud + "/",
         "resolved_outside_zone",
         "invariant:resolved_zone"},
        {"catalogued name resolving into LGWAN",
         false,
         "http://lgwan-leak.cloud.test:" + lg + "/",
         "resolved_outside_zone",
         "invariant:resolved_zone"},
        {"LGWAN target on the internet listener",
         false,
         "http://vdi.lgwan.test:" + lg + "/",
         "layer_mismatch",
         "invariant:one_layer"},
        {"internet target on the LGWAN listener",
         true,
         "http://files.cloud.test:" + cloud + "/",
         "layer_mismatch",
         "invariant:one_layer"},
        {"LGWAN host that is no screen-transfer endpoint",
         true,
         "http://other.lgwan.test:" + lg + "/",
         "not_screen_transfer",
         "invariant:lgwan_screen_transfer_only"},
        {"screen-transfer endpoint on another port",
         true,
         "http://vdi.lgwan.test:1/",
         "port_not_allowed",
         "screen_transfer:vdi"},
        {"uncatalogued internet name",
         false,
         "http://uncatalogued.cloud.test:" + cloud + "/",
         "not_catalogued",
         "default:deny"},
        {"catalogued name on another port",
         false,
         "http://files.cloud.test:9/",
         "port_not_allowed",
         "service:files"},
        {"internet IP literal",
         false,
         "http://127.0.30.1:" + cloud + "/",
         "ip_literal_not_allowed",
         "invariant:catalogued_names_only"},
        {"the gateway itself",
         false,
         "http://127.0.0.1:" + std::to_string(g.internet()) + "/",
         "self_connect",
         "invariant:self"},
        {"loopback outside every zone",
         false,
         "http://127.0.0.2:80/",
         "special_address",
         "invariant:special_address"},
    };
    for (const auto& c : cases)
    {
        BOOST_TEST_CONTEXT(c.name)
        {
            auto r = curl_via(c.lgwan_listener ? g.lgwan() : g.internet(), c.url);
            BOOST_TEST(r.exit_code != 0);
            BOOST_TEST(r.connect_code == 403);
            BOOST_TEST(r.verbose_has("Sekisho-Deny: reason=" + c.reason + "; rule=" + c.rule), r.verbose);
            BOOST_TEST(r.body.empty());
            auto rec = g.record_for(r.local_port);
            BOOST_TEST(str(rec, "decision") == "deny");
            BOOST_TEST(str(rec, "reason") == c.reason);
            BOOST_TEST(num(rec, "status") == 403);
            BOOST_TEST(num(rec, "bytes_down") == 0);
        }
    }
    BOOST_TEST(w.mynumber.connections() == 0U, "the My Number stand-in was reached");
    require_serving(g);
}

BOOST_AUTO_TEST_CASE(relay_carries_megabytes_both_ways_and_passes_half_close)
{
    auto& g = shared_gateway();
    tls_client c(g.internet());
    BOOST_REQUIRE_MESSAGE(c.ok(), c.error());
    const auto head = c.connect("files.cloud.test:" + port_of(world::get().echo));
    BOOST_REQUIRE(head.rfind("HTTP/1.1 200", 0) == 0);
    std::mt19937 rng(42);
    std::string data(4 << 20, '\0');
    for (auto& ch : data)
    {
        ch = static_cast<char>(rng());
    }
    // Send and read back in slices so neither side's buffers fill up.
    std::string echoed;
    constexpr std::size_t slice = 256 * 1024;
    for (std::size_t off = 0; off < data.size(); off += slice)
    {
        BOOST_REQUIRE(c.send(data.substr(off, slice)));
        echoed += c.recv_exactly(std::min(slice, data.size() - off), std::chrono::seconds(10));
    }
    BOOST_TEST(echoed.size() == data.size());
    BOOST_TEST((echoed == data));
    // close_notify → the upstream sees end of stream → it closes → we do.
    c.shutdown_write();
    BOOST_TEST(c.closed_by_peer(std::chrono::seconds(5)));
    auto rec = g.record_for(c.local_port());
    BOOST_TEST(num(rec, "bytes_up") == static_cast<std::int64_t>(data.size()));
    BOOST_TEST(num(rec, "bytes_down") == static_cast<std::int64_t>(data.size()));
    BOOST_TEST(str(rec, "end") == "closed");
}

BOOST_AUTO_TEST_CASE(payload_sent_with_the_connect_head_is_forwarded)
{
    auto& g = shared_gateway();
    tls_client c(g.internet());
    BOOST_REQUIRE(c.ok());
    const std::string target = "files.cloud.test:" + port_of(world::get().echo);
    c.send("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\nearly-bytes");
    const auto head = c.recv_until("\r\n\r\n");
    BOOST_REQUIRE(head.rfind("HTTP/1.1 200", 0) == 0);
    BOOST_TEST(c.recv_exactly(11) == "early-bytes");
}

BOOST_AUTO_TEST_SUITE_END()
