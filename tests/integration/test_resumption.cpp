// TLS 1.3 session resumption (issue #8): a device that completed a full
// handshake resumes with its ticket, and the tunnel record still names the
// verified device; a ticket is refused on another layer's listener, after
// the device's revocation, with another instance's key, after the key file
// changed, and when tickets are off; instances sharing a key file resume
// each other's tickets (behind a load balancer).

#include "harness/checks.hpp"
#include "harness/pki_copy.hpp"

#include <csignal>

#include <sys/stat.h>

using namespace sekisho::test;

namespace {

constexpr auto wait_limit = std::chrono::seconds(10);

std::string echo_target()
{
    return "files.cloud.test:" + std::to_string(world::get().echo.port());
}

// One tunnel with an echo round trip; returns the ticket it received.
ssl_session_ptr first_tunnel(std::uint16_t port, const std::string& device = "device-demo")
{
    tls_client c(port, device);
    BOOST_REQUIRE_MESSAGE(c.ok(), c.error());
    BOOST_TEST(!c.resumed());
    const auto head = c.connect(echo_target());
    BOOST_REQUIRE_MESSAGE(head.rfind("HTTP/1.1 200", 0) == 0, head);
    BOOST_REQUIRE(c.send("ping") && c.recv_exactly(4) == "ping");
    return c.session();
}

tls_client_options resuming(SSL_SESSION* session, const std::string& device = "device-demo")
{
    tls_client_options o;
    o.device = device;
    o.resume = session;
    return o;
}

// A ticket key file beside sekisho.yaml, and the section naming it.
gateway_options with_key(const std::string& key)
{
    gateway_options o;
    o.files.emplace_back("ticket.key", key);
    o.extra_config = "session_tickets:\n  key_file: ticket.key\n  lifetime: 10m\n";
    return o;
}

const std::string key_a(48, 'a');
const std::string key_b(48, 'b');

} // namespace

BOOST_AUTO_TEST_SUITE(resumption)

BOOST_AUTO_TEST_CASE(a_device_resumes_with_its_ticket_and_the_record_names_it)
{
    auto& g = shared_gateway();
    auto ticket = first_tunnel(g.internet());
    BOOST_REQUIRE_MESSAGE(ticket != nullptr, "no session ticket from sekishod");

    tls_client c(g.internet(), resuming(ticket.get()));
    BOOST_REQUIRE_MESSAGE(c.ok(), c.error());
    BOOST_TEST(c.resumed());
    const auto head = c.connect(echo_target());
    BOOST_REQUIRE_MESSAGE(head.rfind("HTTP/1.1 200", 0) == 0, head);
    BOOST_TEST((c.send("resumed") && c.recv_exactly(7) == "resumed"));
    const auto port = c.local_port();
    c.shutdown_write();
    BOOST_TEST(c.closed_by_peer(wait_limit));

    const auto rec = g.record_for(port);
    BOOST_TEST(str(rec, "decision") == "allow");
    BOOST_TEST(rec.contains("tls_resumed"));
    BOOST_TEST((rec.contains("tls_resumed") && rec.at("tls_resumed").as_bool()));
    const auto& dev = rec.at("device").as_object();
    BOOST_TEST(str(dev, "subject") == "demo");
    BOOST_TEST(str(dev, "fingerprint").size() == 64U);
    BOOST_TEST(str(dev, "id") == "demo-pc");
}

BOOST_AUTO_TEST_CASE(a_full_handshake_is_not_marked_resumed)
{
    auto& g = shared_gateway();
    auto r =
        curl_via(g.internet(), "http://files.cloud.test:" + std::to_string(world::get().cloud.port()) + "/");
    BOOST_REQUIRE_MESSAGE(r.connect_code == 200, r.verbose);
    const auto rec = g.record_for(r.local_port);
    BOOST_TEST(!rec.contains("tls_resumed"));
}

BOOST_AUTO_TEST_CASE(a_ticket_of_one_layer_is_not_accepted_on_the_other)
{
    auto& g = shared_gateway();
    auto ticket = first_tunnel(g.internet());
    BOOST_REQUIRE(ticket != nullptr);
    tls_client c(g.lgwan(), resuming(ticket.get()));
    BOOST_REQUIRE_MESSAGE(c.ok(), c.error()); // a full handshake instead
    BOOST_TEST(!c.resumed());
}

BOOST_AUTO_TEST_CASE(a_device_revoked_after_its_ticket_cannot_resume)
{
    pki_copy pki;
    gateway_options o;
    o.pki = pki.path();
    o.timeouts.push_back("crl_check: 1s");
    gateway g(o);
    auto ticket = first_tunnel(g.internet(), "device-alice");
    BOOST_REQUIRE(ticket != nullptr);
    {
        tls_client c(g.internet(), resuming(ticket.get(), "device-alice"));
        BOOST_REQUIRE_MESSAGE(c.ok(), c.error());
        BOOST_TEST(c.resumed());
    }

    pki.revoke("alice");
    BOOST_REQUIRE_MESSAGE(eventually([&] { return g.count_events("crl_reloaded") >= 2; }, wait_limit),
                          g.log());

    // The ticket is ignored: the full handshake refuses the certificate.
    tls_client c(g.internet(), resuming(ticket.get(), "device-alice"));
    const auto port = c.local_port();
    BOOST_TEST(!c.resumed());
    if (c.ok())
    {
        BOOST_TEST(c.connect(echo_target(), std::chrono::seconds(3)).rfind("HTTP/1.1 200", 0) != 0);
    }
    const auto rec = g.record_for(port);
    BOOST_TEST(str(rec, "reason") == "client_cert_revoked");
    BOOST_TEST(!rec.contains("tls_resumed"));
    // Another device's ticket still resumes.
    auto demo = first_tunnel(g.internet());
    tls_client d(g.internet(), resuming(demo.get()));
    BOOST_TEST(d.resumed());
}

BOOST_AUTO_TEST_CASE(instances_with_the_same_key_file_resume_each_others_tickets)
{
    gateway a(with_key(key_a));
    gateway b(with_key(key_a));
    gateway c(with_key(key_b));
    auto ticket = first_tunnel(a.internet());
    BOOST_REQUIRE(ticket != nullptr);

    tls_client at_b(b.internet(), resuming(ticket.get()));
    BOOST_REQUIRE_MESSAGE(at_b.ok(), at_b.error());
    BOOST_TEST(at_b.resumed());
    BOOST_TEST(at_b.connect(echo_target()).rfind("HTTP/1.1 200", 0) == 0);

    tls_client at_c(c.internet(), resuming(ticket.get()));
    BOOST_REQUIRE_MESSAGE(at_c.ok(), at_c.error());
    BOOST_TEST(!at_c.resumed());

    // A new key file, read on SIGHUP: tickets of the old key end in full
    // handshakes; new ones resume.
    write_file(b.dir().file("ticket.key"), key_b);
    b.proc().signal(SIGHUP);
    BOOST_REQUIRE_MESSAGE(eventually([&] { return b.count_events("ticket_key_reloaded") >= 1; }, wait_limit),
                          b.log());
    tls_client again(b.internet(), resuming(ticket.get()));
    BOOST_REQUIRE(again.ok());
    BOOST_TEST(!again.resumed());
    auto from_c = first_tunnel(c.internet());
    tls_client c_at_b(b.internet(), resuming(from_c.get()));
    BOOST_TEST(c_at_b.resumed());
}

BOOST_AUTO_TEST_CASE(with_tickets_off_nothing_resumes)
{
    gateway_options o;
    o.extra_config = "session_tickets:\n  enabled: false\n";
    gateway g(o);
    auto ticket = first_tunnel(g.internet());
    BOOST_TEST(ticket == nullptr);
    auto& other = shared_gateway();
    auto foreign = first_tunnel(other.internet());
    tls_client c(g.internet(), resuming(foreign.get()));
    BOOST_REQUIRE(c.ok());
    BOOST_TEST(!c.resumed());
}

BOOST_AUTO_TEST_CASE(a_key_file_others_may_read_is_refused_with_its_name)
{
    temp_dir d;
    const auto key = d.file("ticket.key");
    write_file(key, key_a);
    ::chmod(key.c_str(), 0644);
    gateway_options o;
    o.extra_config = "session_tickets:\n  key_file: " + key + "\n";
    write_file(d.file("sekisho.yaml"), test_config_yaml(o, d.file("policy.yaml"), d.file("t.jsonl")));
    write_file(d.file("policy.yaml"), test_policy_yaml());
    const auto check_config = [&](const gateway_options&) {
        return run({SEKISHOD_PATH, "--check-config", d.file("sekisho.yaml")}, d);
    };
    auto r = check_config(o);
    BOOST_TEST(r.exit_code != 0);
    BOOST_TEST(r.err.find("may be read by others (mode 644)") != std::string::npos, r.err);
    BOOST_TEST(r.err.find(key) != std::string::npos, r.err);

    write_file(key, "short");
    ::chmod(key.c_str(), 0600);
    r = check_config(o);
    BOOST_TEST(r.exit_code != 0);
    BOOST_TEST(r.err.find("has 5 bytes; it needs 32 to 4096 random bytes") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_SUITE_END()
