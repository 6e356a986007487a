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

// `sekishoctl catalog status`: what expires or is due within N days, and
// exit 1 when something is past due (for cron and monitoring).
BOOST_AUTO_TEST_CASE(catalog_status_lists_what_needs_the_operator)
{
    temp_dir d;
    const auto file = d.file("policy.yaml");
    write_file(file,
               files_catalog("    certification: {scheme: ismap, number: C-77, valid_until: 2027-03-31}\n"
                             "    approval: {by: CISO, on: 2026-04-01, review_due: 2027-04-30}\n"));
    const auto ctl = [&](std::vector<std::string> args) {
        args.insert(args.begin(), SEKISHOCTL_PATH);
        return run(args, d);
    };
    auto r = ctl({"catalog", "status", "--policy", file, "--at", "2027-03-15T10:00+09:00"});
    BOOST_TEST(r.exit_code == 0, r.out << r.err);
    BOOST_TEST(r.out.find("files") != std::string::npos, r.out);
    BOOST_TEST(r.out.find("expires") != std::string::npos, r.out);
    BOOST_TEST(r.out.find("2027-03-31") != std::string::npos, r.out);
    BOOST_TEST(r.out.find("review") == std::string::npos, r.out); // 46 days away: outside 30

    r = ctl({"catalog", "status", "--policy", file, "--at", "2027-04-01T00:00+09:00", "--json"});
    BOOST_TEST(r.exit_code == 1, r.out << r.err);
    boost::system::error_code ec;
    const auto o = boost::json::parse(r.out, ec).as_object();
    BOOST_REQUIRE(!ec);
    const auto& first = o.at("findings").as_array().at(0).as_object();
    BOOST_TEST(first.at("service").as_string() == "files");
    BOOST_TEST(first.at("state").as_string() == "expired");
    BOOST_TEST(first.at("past_due").as_bool());
    BOOST_TEST(first.at("last_day").as_string() == "2027-03-31");

    r = ctl({"catalog", "status", "--policy", file, "--within", "soon"});
    BOOST_TEST(r.exit_code == 2);
}

// `sekishoctl catalog import-ismap`: the list a month apart gives new,
// renewed, removed and expired registrations; a malformed export changes
// nothing and names its lines; services name registrations by number.
BOOST_AUTO_TEST_CASE(import_ismap_tracks_the_list_and_services_follow_it)
{
    temp_dir d;
    const std::string fixtures = std::string(SEKISHO_SOURCE_DIR) + "/tests/fixtures/ismap/";
    const auto registry = d.file("ismap-registry.yaml");
    const auto ctl = [&](std::vector<std::string> args) {
        args.insert(args.begin(), SEKISHOCTL_PATH);
        return run(args, d);
    };
    const auto summary = [](const run_result& r) {
        boost::system::error_code ec;
        auto v = boost::json::parse(r.out, ec);
        BOOST_REQUIRE_MESSAGE(!ec, r.out << r.err);
        return v.as_object().at("summary").as_object();
    };
    auto r = ctl({"catalog",
                  "import-ismap",
                  fixtures + "list-2026-10.csv",
                  "--registry",
                  registry,
                  "--today",
                  "2026-10-15",
                  "--json"});
    BOOST_TEST(r.exit_code == 0, r.out << r.err);
    BOOST_TEST(summary(r).at("new").as_int64() == 4);
    const auto first = read_file(registry);
    BOOST_TEST(first.find("service: \"架空ストレージ \\\"Pro\\\"\"") != std::string::npos, first);

    r = ctl({"catalog",
             "import-ismap",
             fixtures + "list-2026-11.csv",
             "--registry",
             registry,
             "--today",
             "2026-12-01",
             "--json"});
    BOOST_TEST(r.exit_code == 0, r.out << r.err);
    const auto s = summary(r);
    BOOST_TEST(s.at("new").as_int64() == 1);
    BOOST_TEST(s.at("renewed").as_int64() == 1);
    BOOST_TEST(s.at("removed").as_int64() == 1);
    BOOST_TEST(s.at("expired").as_int64() == 1);
    const auto second = read_file(registry);
    BOOST_TEST(second.find("withdrawn: 2026-12-01") != std::string::npos, second);

    r = ctl({"catalog", "import-ismap", fixtures + "malformed.csv", "--registry", registry});
    BOOST_TEST(r.exit_code == 1);
    for (const char* line : {"malformed.csv:3: no registration number",
                             "malformed.csv:4: expiry `2027/02/30`",
                             "malformed.csv:5: 5 fields where the header has 7",
                             "malformed.csv:6: registration number C21-0001-1 appears twice"})
    {
        BOOST_TEST(r.err.find(line) != std::string::npos, r.err);
    }
    BOOST_TEST(read_file(registry) == second); // nothing half-imported

    // A policy whose services name registrations, with the registry included.
    const auto policy_file = d.file("policy.yaml");
    const auto with_registry = [&](const std::string& number) {
        write_file(policy_file,
                   files_catalog("    certification: {registry: " + number + "}\n") + "include: [" +
                       registry + "]\n");
    };
    const auto explain_at = [&](const char* when) {
        auto e = ctl({"policy",
                      "explain",
                      policy_file,
                      "--layer",
                      "internet",
                      "--target",
                      echo_target(),
                      "--user",
                      "demo",
                      "--device",
                      "demo-pc",
                      "--at",
                      when,
                      "--json"});
        boost::system::error_code ec;
        auto v = boost::json::parse(e.out, ec);
        BOOST_REQUIRE_MESSAGE(!ec, e.out << e.err);
        return std::string(v.as_object().at("reason").as_string());
    };
    with_registry("C21-0001-1");
    BOOST_TEST(explain_at("2027-12-31T23:59+09:00") == "allowed");
    BOOST_TEST(explain_at("2028-01-01T00:00+09:00") == "certification_expired");
    with_registry("C22-0004-1");
    BOOST_TEST(explain_at("2026-11-30T10:00+09:00") == "allowed");
    BOOST_TEST(explain_at("2026-12-01T00:00+09:00") == "certification_withdrawn");
}

BOOST_AUTO_TEST_SUITE_END()
