// The audit events no request triggers (daemon/app/audit_watch.hpp), with a
// controlled clock and a real audit writer: a certification that expires
// while the daemon runs is recorded once, at the crossing (not at start, not
// twice); a session that idles out is recorded as ended by time, and one
// still in use is not.

#include "daemon/app/audit_watch.hpp"

#include "daemon/audit/keys.hpp"
#include "policy/identity_policy.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace st = sekisho::test;
namespace fs = std::filesystem;

namespace {

const std::string roles = "roles:\n"
                          "  - {id: staff, layers: [internet], services: [\"tag:office\"], data_class: 2}\n"
                          "users:\n"
                          "  - {id: tanaka, department: 住民課, roles: [staff]}\n"
                          "  - {id: suzuki, roles: [staff]}\n";

// A service whose ISMAP registration is valid through 2027-04-02 (JST).
const std::string expiring = "  - {id: expiring, domains: [old.cloud.example], ports: [443], data_class: 1, "
                             "tags: [office], certification: {scheme: ismap, number: T-0009, valid_until: "
                             "2027-04-02}}\n";

struct audited
{
    fs::path dir = fs::temp_directory_path() / ("sekisho-watch-" + std::to_string(::getpid()));
    sekisho::runtime::shared_state state;

    audited()
    {
        fs::remove_all(dir);
        sekisho::config::audit_settings s;
        s.directory = dir.string();
        s.signing_key = "-";
        std::string error;
        state.audit = sekisho::audit::writer::open(s, sekisho::audit::signing_key::generate(), "t", error);
        BOOST_TEST_REQUIRE(state.audit != nullptr, error);
    }
    ~audited() { fs::remove_all(dir); }

    std::vector<boost::json::object> events(const std::string& name)
    {
        state.audit->flush(std::chrono::seconds(5));
        std::ifstream in(dir / "audit.log");
        std::vector<boost::json::object> out;
        for (std::string line; std::getline(in, line);)
        {
            auto v = boost::json::parse(line).as_object();
            if (v.at("event").as_string() == name)
            {
                out.push_back(std::move(v));
            }
        }
        return out;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(audit_watch)

BOOST_AUTO_TEST_CASE(a_certification_crossing_its_expiry_is_recorded_once)
{
    audited a;
    const auto before = st::at("2027-04-02T23:00+09:00");
    const auto snap = st::compile_ok(st::policy_yaml(roles, "alpha", expiring), before);
    sekisho::app::audit_watch w(a.state);
    w.tick(*snap, before);
    w.tick(*snap, before + std::chrono::minutes(30));
    BOOST_TEST(a.events("catalog_expired").empty());
    w.tick(*snap, st::at("2027-04-03T00:00+09:00"));
    w.tick(*snap, st::at("2027-04-03T00:10+09:00"));
    const auto e = a.events("catalog_expired");
    BOOST_REQUIRE_EQUAL(e.size(), 1U);
    BOOST_TEST(e[0].at("service").as_string() == "expiring");
    BOOST_TEST(e[0].at("number").as_string() == "T-0009");
    BOOST_TEST(e[0].at("certification").as_string() == "ismap");
}

BOOST_AUTO_TEST_CASE(a_pending_renewal_is_not_an_expiry)
{
    audited a;
    auto renewing = expiring;
    renewing.replace(renewing.find("valid_until"), 0, "renewal_pending: 2027-03-01, ");
    const auto before = st::at("2027-04-02T23:00+09:00");
    const auto snap = st::compile_ok(st::policy_yaml(roles, "alpha", renewing), before);
    sekisho::app::audit_watch w(a.state);
    w.tick(*snap, before);
    w.tick(*snap, st::at("2027-04-03T00:10+09:00"));
    BOOST_TEST(a.events("catalog_expired").empty());
}

BOOST_AUTO_TEST_CASE(an_already_expired_certification_at_start_is_not_a_crossing)
{
    audited a;
    const auto after = st::at("2027-05-01T10:00+09:00");
    const auto snap = st::compile_at(st::policy_yaml(roles, "alpha", expiring), after).snap;
    BOOST_REQUIRE(snap);
    sekisho::app::audit_watch w(a.state);
    w.tick(*snap, after);
    w.tick(*snap, after + std::chrono::hours(1));
    BOOST_TEST(a.events("catalog_expired").empty());
}

BOOST_AUTO_TEST_CASE(sessions_that_idle_out_are_recorded_as_ended_by_time)
{
    audited a;
    const auto ten = st::at(st::thursday_10am);
    const auto snap = st::compile_ok(st::policy_yaml(roles), ten);
    a.state.auth = std::make_unique<sekisho::auth::authenticator>(
        sekisho::auth::secrets{}, sekisho::auth::make_memory_store(), sekisho::auth::authenticator_options{});
    auto& store = a.state.auth->store();
    const auto& limits = a.state.auth->options().session;
    for (const char* user : {"tanaka", "suzuki"})
    {
        sekisho::auth::session_info want;
        want.user = user;
        want.device = std::string(user) == "tanaka" ? "pc-1" : "pc-2";
        sekisho::auth::session_info got;
        BOOST_TEST_REQUIRE(
            (store.claim_session(want, limits, ten, &got) == sekisho::auth::claim_result::created));
        if (std::string(user) == "suzuki")
        {
            store.tunnel_opened(got.id, ten); // in use: never idle
        }
    }
    sekisho::app::audit_watch w(a.state);
    w.tick(*snap, ten);
    w.tick(*snap, ten + limits.idle + std::chrono::seconds(1));
    const auto closed = a.events("session_closed");
    BOOST_REQUIRE_EQUAL(closed.size(), 1U);
    BOOST_TEST(closed[0].at("user").as_string() == "tanaka");
    BOOST_TEST(closed[0].at("department").as_string() == "住民課");
    BOOST_TEST(closed[0].at("cause").as_string() == "idle");
    BOOST_TEST(closed[0].at("duration_ms").as_int64() ==
               std::chrono::duration_cast<std::chrono::milliseconds>(limits.idle).count() + 1000);
}

BOOST_AUTO_TEST_SUITE_END()
