// Listeners behind a load balancer (listeners[].proxy_protocol): the PROXY
// v1/v2 header of a trusted sender names the client that the tunnel record
// and the audit log show; untrusted senders, missing, malformed and slow
// headers are closed; a v2 LOCAL probe is a health check. The end-to-end
// test with a real HAProxy is test_haproxy.cpp.

#include "harness/audit_log.hpp"
#include "harness/checks.hpp"

#include <cstdint>

using namespace sekisho::test;

namespace {

gateway_options proxied(const std::string& trusted)
{
    gateway_options o;
    o.listener_extra = "proxy_protocol:\n  trusted: [" + trusted + "]\n";
    return o;
}

// With an audit log in the gateway's folder `audit`.
gateway_options audited(gateway_options o, const temp_dir& keys)
{
    const auto k = make_audit_keys(keys);
    o.files.emplace_back("audit.key", k.secret_text);
    o.extra_config += audit_section("audit", "audit.key");
    return o;
}

std::string v2_signature()
{
    return std::string("\r\n\r\n\0\r\nQUIT\n", 12);
}

// A v2 PROXY header for TCP over IPv6 from `src` (16 bytes) to ::1.
std::string v2_tcp6(const std::array<std::uint8_t, 16>& src, std::uint16_t sport, std::uint16_t dport)
{
    std::string h = v2_signature();
    h += static_cast<char>(0x21); // version 2, PROXY
    h += static_cast<char>(0x21); // TCP over IPv6
    h += '\0';
    h += static_cast<char>(36);
    h.append(reinterpret_cast<const char*>(src.data()), 16);
    std::array<std::uint8_t, 16> dst{};
    dst[15] = 1;
    h.append(reinterpret_cast<const char*>(dst.data()), 16);
    h += static_cast<char>(sport >> 8);
    h += static_cast<char>(sport & 0xff);
    h += static_cast<char>(dport >> 8);
    h += static_cast<char>(dport & 0xff);
    return h;
}

std::string v2_local()
{
    std::string h = v2_signature();
    h += static_cast<char>(0x20); // version 2, LOCAL
    h += '\0';
    h += '\0';
    h += '\0';
    return h;
}

std::string cloud_target()
{
    return "files.cloud.test:" + std::to_string(world::get().cloud.port());
}

// CONNECT and one HTTP exchange through the tunnel.
void expect_tunnel(tls_client& c)
{
    BOOST_REQUIRE_MESSAGE(c.ok(), c.error());
    const auto head = c.connect(cloud_target());
    BOOST_REQUIRE_MESSAGE(head.starts_with("HTTP/1.1 200"), head);
    BOOST_REQUIRE(c.send("GET / HTTP/1.0\r\nHost: files.cloud.test\r\n\r\n"));
    BOOST_TEST(c.recv_until(cloud_body).find(cloud_body) != std::string::npos);
}

} // namespace

BOOST_AUTO_TEST_SUITE(proxy_protocol)

BOOST_AUTO_TEST_CASE(v1_header_names_the_client_in_the_record_and_the_audit_log)
{
    temp_dir keys;
    gateway g(audited(proxied("127.0.0.1"), keys));
    const auto dir = g.dir().file("audit");
    {
        tls_client c(
            g.internet(),
            tls_client_options{"device-demo", 5s, "PROXY TCP4 203.0.113.7 127.0.0.1 40001 443\r\n", {}});
        expect_tunnel(c);
        c.shutdown_write();
    }
    const auto rec = g.record_from("203.0.113.7:40001");
    BOOST_TEST(str(rec, "decision") == "allow");
    BOOST_TEST(str(rec, "via").starts_with("127.0.0.1:"));
    BOOST_TEST(str(rec, "via") != "127.0.0.1:40001");
    // The audit log's tunnel_allowed carries both.
    bool seen = false;
    eventually(
        [&] {
            for (const auto& e : audit_events(dir, "tunnel_allowed"))
            {
                seen = seen || (str(e, "peer") == "203.0.113.7:40001" && str(e, "via") == str(rec, "via"));
            }
            return seen;
        },
        5s);
    BOOST_TEST(seen);
}

BOOST_AUTO_TEST_CASE(v2_header_with_an_ipv6_client)
{
    gateway g(proxied("127.0.0.0/8"));
    std::array<std::uint8_t, 16> src{0x20, 0x01, 0x0d, 0xb8};
    src[15] = 5;
    tls_client c(g.internet(), tls_client_options{"device-demo", 5s, v2_tcp6(src, 50123, 443), {}});
    expect_tunnel(c);
    c.shutdown_write();
    const auto rec = g.record_from("[2001:db8::5]:50123");
    BOOST_TEST(str(rec, "decision") == "allow");
}

BOOST_AUTO_TEST_CASE(an_untrusted_sender_is_closed_and_logged)
{
    // Trusts 127.0.0.2 only; the client connects from 127.0.0.1.
    gateway g(proxied("127.0.0.2"));
    tls_client c(g.internet(),
                 tls_client_options{"device-demo", 3s, "PROXY TCP4 198.51.100.1 127.0.0.1 1234 443\r\n", {}});
    BOOST_TEST(!c.ok());
    const auto rec = g.record_for(c.local_port());
    BOOST_TEST(str(rec, "end") == "proxy_untrusted");
    BOOST_TEST(str(rec, "reason") == "proxy_untrusted");
    BOOST_TEST(g.count_events("proxy_untrusted") >= 1U);
    // The same sender is served when it connects from a trusted address.
    tls_client ok(
        g.internet(),
        tls_client_options{"device-demo", 5s, "PROXY TCP4 198.51.100.1 127.0.0.1 1235 443\r\n", "127.0.0.2"});
    expect_tunnel(ok);
}

BOOST_AUTO_TEST_CASE(a_trusted_sender_without_a_header_is_closed)
{
    gateway g(proxied("127.0.0.1"));
    tls_client c(g.internet(), tls_client_options{"device-demo", 3s, {}, {}});
    BOOST_TEST(!c.ok());
    const auto rec = g.record_for(c.local_port());
    BOOST_TEST(str(rec, "end") == "proxy_invalid");
    BOOST_TEST(str(rec, "detail").find("TLS") != std::string::npos, str(rec, "detail"));
}

BOOST_AUTO_TEST_CASE(malformed_headers_are_closed)
{
    gateway g(proxied("127.0.0.1"));
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"v1 with a bad address", "PROXY TCP4 300.1.1.1 127.0.0.1 1 2\r\n"},
        {"v1 with LF only", "PROXY TCP4 1.2.3.4 127.0.0.1 1 2\n"},
        {"v2 over UDP", v2_signature() + std::string("\x21\x12\x00\x0c", 4) + std::string(12, '\1')},
        {"not PROXY at all", "GET / HTTP/1.1\r\n\r\n"},
    };
    for (const auto& [name, bytes] : cases)
    {
        tcp_client c(g.internet());
        BOOST_REQUIRE(c.ok());
        c.send(bytes);
        BOOST_TEST(c.closed_by_peer(3s), name);
        const auto rec = g.record_for(c.local_port());
        BOOST_TEST(str(rec, "end") == "proxy_invalid", name);
        BOOST_TEST(!str(rec, "detail").empty(), name);
    }
}

BOOST_AUTO_TEST_CASE(a_header_that_never_completes_times_out)
{
    gateway g(proxied("127.0.0.1")); // tls_handshake: 2s covers the header too
    tcp_client c(g.internet());
    BOOST_REQUIRE(c.ok());
    c.send("PROXY TCP4 1.2.3.4");
    const auto started = std::chrono::steady_clock::now();
    BOOST_TEST(c.closed_by_peer(6s));
    BOOST_TEST((std::chrono::steady_clock::now() - started >= 1500ms));
    BOOST_TEST(str(g.record_for(c.local_port()), "end") == "proxy_header_timeout");
}

BOOST_AUTO_TEST_CASE(a_local_probe_is_a_health_check_and_not_audited)
{
    temp_dir keys;
    gateway g(audited(proxied("127.0.0.1"), keys));
    const auto dir = g.dir().file("audit");
    std::uint16_t port = 0;
    {
        tcp_client c(g.internet());
        BOOST_REQUIRE(c.ok());
        port = c.local_port();
        c.send(v2_local());
    }
    BOOST_TEST(str(g.record_for(port), "end") == "health_check");
    // A later real connection is audited; the probe is not.
    tls_client real(
        g.internet(),
        tls_client_options{"device-demo", 5s, "PROXY TCP4 203.0.113.9 127.0.0.1 40009 443\r\n", {}});
    expect_tunnel(real);
    real.shutdown_write();
    g.record_from("203.0.113.9:40009");
    BOOST_TEST(eventually([&] { return !audit_events(dir, "tunnel_allowed").empty(); }, 5s));
    for (const auto& e : audit_events(dir, "connection_failed"))
    {
        BOOST_TEST(str(e, "peer") != "127.0.0.1:" + std::to_string(port));
    }
}

BOOST_AUTO_TEST_CASE(a_direct_listener_refuses_a_proxy_header_as_not_tls)
{
    auto& g = shared_gateway();
    tcp_client c(g.internet());
    BOOST_REQUIRE(c.ok());
    c.send("PROXY TCP4 203.0.113.7 127.0.0.1 40001 443\r\n");
    const auto answer = c.recv_all(3s);
    BOOST_TEST(answer.starts_with("HTTP/1.1 400"), answer);
    BOOST_TEST(str(g.record_for(c.local_port()), "end") == "not_tls");
}

BOOST_AUTO_TEST_CASE(configuration_errors_name_the_line)
{
    for (const auto& [trusted, message] : std::vector<std::pair<std::string, std::string>>{
             {"[]", "proxy_protocol.trusted is empty"},
             {"[0.0.0.0/0]", "trusts every address"},
             {"[10.0.0.1/8]", "listeners[0].proxy_protocol.trusted[0]"},
             {"[example.org]", "listeners[0].proxy_protocol.trusted[0]"},
         })
    {
        temp_dir dir;
        gateway_options o;
        o.listener_extra = "proxy_protocol:\n  trusted: " + trusted + "\n";
        write_file(dir.file("policy.yaml"), test_policy_yaml());
        write_file(dir.file("sekisho.yaml"),
                   test_config_yaml(o, dir.file("policy.yaml"), dir.file("t.jsonl")));
        const auto r = run({SEKISHOD_PATH, "--check-config", dir.file("sekisho.yaml")}, dir);
        BOOST_TEST(r.exit_code == 1, trusted);
        BOOST_TEST(r.err.find(message) != std::string::npos, trusted << ": " << r.err);
        BOOST_TEST(r.err.find("sekisho.yaml:") != std::string::npos, r.err);
    }
}

BOOST_AUTO_TEST_SUITE_END()
