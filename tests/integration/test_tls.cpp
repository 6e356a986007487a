// The TLS front door: TLS 1.3 only, a device certificate from the device CA
// required, revocation and CRL freshness enforced (fail closed), and a clear
// answer to a client that speaks plain HTTP.

#include "harness/checks.hpp"

using namespace sekisho::test;

namespace {

// A refused device: curl fails before CONNECT, and the record says why and,
// when a certificate was presented, which device it was.
void expect_refused(gateway& g,
                    const std::string& device,
                    const std::string& reason,
                    const std::string& subject = {})
{
    auto r = curl_via(
        g.internet(), "http://files.cloud.test:" + std::to_string(world::get().cloud.port()) + "/", device);
    BOOST_TEST(r.exit_code != 0);
    BOOST_TEST(r.connect_code != 200);
    BOOST_TEST(r.body.empty());
    auto rec = g.record_for(r.local_port);
    BOOST_TEST(str(rec, "reason") == reason);
    BOOST_TEST(str(rec, "end") == "tls_handshake_failed");
    BOOST_TEST(str(rec, "target").empty());
    const auto& dev = rec.at("device").as_object();
    BOOST_TEST(str(dev, "subject") == subject);
    BOOST_TEST(str(dev, "fingerprint").size() == (subject.empty() ? 0U : 64U));
}

} // namespace

BOOST_AUTO_TEST_SUITE(tls)

BOOST_AUTO_TEST_CASE(certificate_from_another_ca_is_refused)
{
    expect_refused(shared_gateway(), "device-rogue", "client_cert_untrusted", "rogue");
    require_serving(shared_gateway());
}

BOOST_AUTO_TEST_CASE(no_client_certificate_is_refused)
{
    expect_refused(shared_gateway(), "", "client_cert_missing");
    require_serving(shared_gateway());
}

BOOST_AUTO_TEST_CASE(expired_certificate_is_refused)
{
    expect_refused(shared_gateway(), "device-expired", "client_cert_expired", "expired");
    require_serving(shared_gateway());
}

BOOST_AUTO_TEST_CASE(revoked_certificate_is_refused)
{
    expect_refused(shared_gateway(), "device-revoked", "client_cert_revoked", "revoked");
    require_serving(shared_gateway());
}

BOOST_AUTO_TEST_CASE(a_stale_crl_refuses_every_device)
{
    gateway_options o;
    o.crl = "device-ca-stale.crl";
    gateway g(o);
    BOOST_TEST(g.log().find("past its nextUpdate") != std::string::npos, g.log());
    expect_refused(g, "device-demo", "crl_stale", "demo");
    expect_refused(g, "device-alice", "crl_stale", "alice");
}

BOOST_AUTO_TEST_CASE(tls_1_2_is_refused)
{
    auto& g = shared_gateway();
    const auto& w = world::get();
    temp_dir d;
    auto r = run({"openssl",
                  "s_client",
                  "-tls1_2",
                  "-connect",
                  "127.0.0.1:" + std::to_string(g.internet()),
                  "-cert",
                  w.cert("device-demo"),
                  "-key",
                  w.key("device-demo"),
                  "-CAfile",
                  w.pki + "/server-ca.pem"},
                 d,
                 std::chrono::seconds(10));
    BOOST_TEST(r.exit_code != 0);
    BOOST_TEST(r.out.find("Cipher is (NONE)") != std::string::npos, r.out);
    BOOST_TEST(r.err.find("alert protocol version") != std::string::npos, r.err);
    require_serving(g);
}

BOOST_AUTO_TEST_CASE(plain_http_on_the_tls_port_gets_a_plain_answer)
{
    auto& g = shared_gateway();
    tcp_client c(g.internet());
    BOOST_REQUIRE(c.ok());
    c.send("CONNECT files.cloud.test:443 HTTP/1.1\r\nHost: marker-7d1c\r\n\r\n");
    const auto reply = c.recv_all(std::chrono::seconds(5));
    BOOST_TEST(reply.rfind("HTTP/1.1 400", 0) == 0, reply);
    BOOST_TEST(reply.find("Sekisho-Error: tls_required") != std::string::npos);
    BOOST_TEST(reply.find("marker-7d1c") == std::string::npos);
    auto rec = g.record_for(c.local_port());
    BOOST_TEST(str(rec, "reason") == "not_tls");
    require_serving(g);
}

BOOST_AUTO_TEST_SUITE_END()
