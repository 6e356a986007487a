// The catalog at the gateway: a certification that ends while a tunnel is
// open closes it at the next re-check (no reload), an exception that waives
// a rule is named in the tunnel record, and a supply-chain denial reaches
// the client with its reason.

#include "harness/checks.hpp"
#include "harness/signin.hpp"

using namespace sekisho::test;

namespace {

const std::string files_cert =
    "    certification: {scheme: ismap, number: TEST-0001, valid_until: 2099-12-31}\n";

// The test policy with the `files` service's certification replaced by `to`
// (the first service in the harness policy is `files`).
std::string files_catalog(const std::string& to)
{
    return test_policy_with(files_cert, to);
}

} // namespace

BOOST_AUTO_TEST_SUITE(catalog)

BOOST_AUTO_TEST_CASE(an_open_tunnel_closes_when_its_certification_expires)
{
    gateway_options o;
    o.timeouts.push_back("policy_recheck: 1s");
    gateway g(o);
    BOOST_TEST(
        g.reload_with(files_catalog("    certification: {scheme: ismap, number: TEST-0001, valid_until: " +
                                    utc_in(std::chrono::seconds(3)) + "}\n")) == "policy_reloaded",
        g.log());
    tls_client c(g.internet(), "device-demo");
    BOOST_REQUIRE_MESSAGE(c.ok(), c.error());
    BOOST_REQUIRE(c.connect(echo_target()).rfind("HTTP/1.1 200", 0) == 0);
    BOOST_REQUIRE(c.send("ping") && c.recv_exactly(4) == "ping");
    // No reload: the periodic re-check decides again and the registration
    // has ended.
    BOOST_TEST(c.closed_by_peer(std::chrono::seconds(10)));
    const auto rec = g.record_for(c.local_port());
    BOOST_TEST(str(rec, "end") == "policy_withdrawn");
    BOOST_TEST(str(rec, "reason") == "certification_expired");
    BOOST_TEST(str(rec, "rule") == "catalog:files");

    // A new tunnel is refused with the reason in the answer.
    tls_client again(g.internet(), "device-demo");
    BOOST_REQUIRE_MESSAGE(again.ok(), again.error());
    const auto head = again.connect(echo_target());
    BOOST_TEST(head.rfind("HTTP/1.1 403", 0) == 0, head);
    BOOST_TEST(head.find("reason=certification_expired") != std::string::npos, head);
}

BOOST_AUTO_TEST_CASE(an_exception_is_named_in_the_tunnel_record)
{
    gateway g;
    const auto policy = files_catalog("") + "exceptions:\n  - id: local-vendor\n    service: files\n"
                                            "    waives: [certification_missing]\n    from: 2020-01-01\n"
                                            "    until: 2099-12-31\n    approved_by: CISO\n"
                                            "    reason: local vendor, ISMAP application filed\n";
    BOOST_TEST(g.reload_with(policy) == "policy_reloaded", g.log());
    tls_client c(g.internet(), "device-demo");
    BOOST_REQUIRE_MESSAGE(c.ok(), c.error());
    BOOST_REQUIRE(c.connect(echo_target()).rfind("HTTP/1.1 200", 0) == 0);
    c.shutdown_write();
    BOOST_TEST(c.closed_by_peer());
    const auto rec = g.record_for(c.local_port());
    BOOST_TEST(str(rec, "decision") == "allow");
    BOOST_TEST(str(rec, "exception") == "local-vendor");
}

BOOST_AUTO_TEST_CASE(a_restricted_subprocessor_country_is_refused_with_its_reason)
{
    gateway g;
    const auto policy = files_catalog(files_cert + "    provider: {name: Files K.K., country: JP}\n"
                                                   "    subprocessors: [{name: Relay Ltd, country: XX}]\n") +
                        "supply_chain:\n  restricted_countries: [XX]\n";
    BOOST_TEST(g.reload_with(policy) == "policy_reloaded", g.log());
    tls_client c(g.internet(), "device-demo");
    BOOST_REQUIRE_MESSAGE(c.ok(), c.error());
    const auto head = c.connect(echo_target());
    BOOST_TEST(head.rfind("HTTP/1.1 403", 0) == 0, head);
    BOOST_TEST(head.find("reason=restricted_country") != std::string::npos, head);
    const auto rec = g.record_for(c.local_port());
    BOOST_TEST(str(rec, "rule") == "supply_chain:restricted_countries");
    BOOST_TEST(str(rec, "detail") == "subprocessor Relay Ltd in XX");
}

BOOST_AUTO_TEST_SUITE_END()
