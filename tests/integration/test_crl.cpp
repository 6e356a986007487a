// CRL reloading (issue #4): a changed CRL file is picked up without a restart
// (every timeouts.crl_check, and on SIGHUP); a device it revokes loses its
// open tunnels and cannot open new ones; a broken file keeps the CRL in
// force; a stale CRL refuses every device (fail closed) and is logged at
// every check. Each test revokes in its own copy of the world's PKI.

#include "harness/checks.hpp"
#include "harness/pki_copy.hpp"

#include <csignal>

using namespace sekisho::test;

namespace {

constexpr auto wait_limit = std::chrono::seconds(10);

gateway_options options_for(const pki_copy& pki, const std::string& crl_check)
{
    gateway_options o;
    o.pki = pki.path();
    o.timeouts.push_back("crl_check: " + crl_check);
    return o;
}

std::string cloud_url()
{
    return "http://files.cloud.test:" + std::to_string(world::get().cloud.port()) + "/";
}

// A new tunnel of the device: allowed, or refused at the handshake for reason.
void expect_allowed(gateway& g, const std::string& device)
{
    auto r = curl_via(g.internet(), cloud_url(), device);
    BOOST_TEST((r.connect_code == 200 && r.http_code == 200), device << ": " << r.verbose);
}

void expect_refused(gateway& g, const std::string& device, const std::string& reason)
{
    auto r = curl_via(g.internet(), cloud_url(), device);
    BOOST_TEST(r.exit_code != 0);
    BOOST_TEST(r.connect_code != 200);
    auto rec = g.record_for(r.local_port);
    BOOST_TEST(str(rec, "end") == "tls_handshake_failed");
    BOOST_TEST(str(rec, "reason") == reason, device << ": " << str(rec, "reason") << " != " << reason);
}

std::unique_ptr<tls_client> echo_tunnel(gateway& g, const std::string& device)
{
    auto c = std::make_unique<tls_client>(g.internet(), device);
    BOOST_REQUIRE_MESSAGE(c->ok(), c->error());
    const auto head = c->connect("files.cloud.test:" + std::to_string(world::get().echo.port()));
    BOOST_REQUIRE_MESSAGE(head.rfind("HTTP/1.1 200", 0) == 0, head);
    BOOST_REQUIRE(c->send("ping") && c->recv_exactly(4) == "ping");
    return c;
}

// Both listeners name the same CRL file: each event comes once per listener.
bool wait_for_events(gateway& g, const std::string& event, std::size_t at_least)
{
    return eventually([&] { return g.count_events(event) >= at_least; }, wait_limit);
}

} // namespace

BOOST_AUTO_TEST_SUITE(crl)

BOOST_AUTO_TEST_CASE(a_changed_crl_is_picked_up_without_a_signal)
{
    pki_copy pki;
    gateway g(options_for(pki, "1s"));
    expect_allowed(g, "device-alice");
    auto alice = echo_tunnel(g, "device-alice");
    auto demo = echo_tunnel(g, "device-demo");

    // Revoked with the device CA: within the check interval, no SIGHUP.
    pki.revoke("alice");
    BOOST_REQUIRE_MESSAGE(wait_for_events(g, "crl_reloaded", 2), g.log());
    BOOST_TEST(g.log().find("revoked=2") != std::string::npos, g.log()); // device-revoked and alice

    // Alice's open tunnel is closed, demo's stays.
    BOOST_TEST(alice->closed_by_peer(wait_limit));
    const auto rec = g.record_for(alice->local_port());
    BOOST_TEST(str(rec, "end") == "certificate_revoked");
    BOOST_TEST(str(rec.at("device").as_object(), "subject") == "alice");
    BOOST_TEST(g.log().find("event=tunnels_withdrawn") != std::string::npos, g.log());
    BOOST_TEST(g.log().find("cause=crl") != std::string::npos);
    BOOST_TEST((demo->send("pong") && demo->recv_exactly(4) == "pong"));

    // New handshakes: alice refused as revoked, demo served.
    expect_refused(g, "device-alice", "client_cert_revoked");
    expect_allowed(g, "device-demo");

    // A file that does not parse keeps the CRL in force, and is reported once
    // per change (not at every check).
    write_file(pki.path() + "/broken.crl",
               "-----BEGIN X509 CRL-----\nnot base64 at all!\n-----END X509 CRL-----\n");
    pki.install("broken.crl");
    BOOST_REQUIRE_MESSAGE(wait_for_events(g, "crl_rejected", 2), g.log());
    BOOST_TEST(g.log().find("level=error event=crl_rejected") != std::string::npos, g.log());
    BOOST_TEST(g.log().find("reason=malformed") != std::string::npos, g.log());
    expect_refused(g, "device-alice", "client_cert_revoked");
    expect_allowed(g, "device-demo");
    BOOST_TEST(g.count_events("crl_rejected") == 2U, g.log());
    BOOST_TEST(g.count_events("crl_reloaded") == 2U, g.log());

    // A stale CRL is installed (it is genuine) and refuses every device,
    // logged loudly at each check until a fresh one comes.
    pki.install("device-ca-stale.crl");
    BOOST_REQUIRE_MESSAGE(wait_for_events(g, "crl_reloaded", 4), g.log());
    BOOST_REQUIRE_MESSAGE(wait_for_events(g, "crl_stale", 4), g.log()); // two checks
    BOOST_TEST(g.log().find("level=error event=crl_stale") != std::string::npos, g.log());
    expect_refused(g, "device-demo", "crl_stale");
    expect_refused(g, "device-alice", "crl_stale");
    BOOST_TEST((demo->send("open") && demo->recv_exactly(4) == "open")); // open tunnels stay

    // A fresh CRL ends it.
    pki.publish();
    BOOST_REQUIRE_MESSAGE(wait_for_events(g, "crl_reloaded", 6), g.log());
    expect_allowed(g, "device-demo");
    expect_refused(g, "device-alice", "client_cert_revoked");
}

BOOST_AUTO_TEST_CASE(sighup_reads_the_crl_at_once)
{
    pki_copy pki;
    gateway g(options_for(pki, "1h"));
    expect_allowed(g, "device-alice");
    pki.revoke("alice");
    // Not read again before the interval...
    expect_allowed(g, "device-alice");
    BOOST_TEST(g.count_events("crl_reloaded") == 0U, g.log());
    // ...unless asked.
    g.proc().signal(SIGHUP);
    BOOST_REQUIRE_MESSAGE(wait_for_events(g, "crl_reloaded", 2), g.log());
    BOOST_REQUIRE_MESSAGE(wait_for_events(g, "policy_unchanged", 1), g.log());
    expect_refused(g, "device-alice", "client_cert_revoked");
    expect_allowed(g, "device-demo");
}

BOOST_AUTO_TEST_CASE(a_missing_crl_file_keeps_the_crl_in_force)
{
    pki_copy pki;
    gateway g(options_for(pki, "1s"));
    pki.sh("mv device-ca.crl gone.crl");
    BOOST_REQUIRE_MESSAGE(wait_for_events(g, "crl_rejected", 2), g.log());
    BOOST_TEST(g.log().find("reason=unreadable") != std::string::npos, g.log());
    expect_refused(g, "device-revoked", "client_cert_revoked");
    expect_allowed(g, "device-demo");
}

BOOST_AUTO_TEST_SUITE_END()
