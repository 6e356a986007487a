// Ending sessions whose grounds are withdrawn (daemon/app/session_sweep.hpp),
// with a controlled clock: a user locked by an operator, a user no longer in
// the secrets file, the end of the role's hours, a device reported lost;
// sessions that may go on are left alone and nothing is ended twice.

#include "daemon/app/session_sweep.hpp"

#include "daemon/auth/password.hpp"
#include "policy/identity_policy.hpp"

#include <boost/test/unit_test.hpp>

#include <map>

namespace auth = sekisho::auth;
namespace st = sekisho::test;
using sekisho::policy::layer;

namespace {

const std::string roles = R"(roles:
  - id: staff
    layers: [lgwan, internet]
    services: ["tag:office"]
    data_class: 2
    hours:
      - {days: [mon-fri], from: "08:00", to: "20:00"}
  - id: anytime
    layers: [internet]
    services: ["tag:office"]
    data_class: 2
users:
  - {id: tanaka, roles: [staff]}
  - {id: suzuki, roles: [anytime]}
  - {id: sato, roles: [anytime]}
  - {id: abe, roles: [anytime]}
)";

const std::string more_devices = "  - {id: pc-3, owner: sato, kind: lent, status: active, serial: \"0c\"}\n"
                                 "  - {id: pc-4, owner: abe, kind: lent, status: lost, serial: \"0d\"}\n";

auth::secrets users(bool suzuki_locked)
{
    static const std::string hash = *auth::hash_password("correct horse");
    auth::secrets s;
    for (const char* id : {"tanaka", "suzuki", "abe"})
    {
        s.users[id].password_hash = hash;
        s.users[id].totp_key.assign(20, 7);
    }
    s.users["suzuki"].locked = suzuki_locked;
    return s; // sato: not in the file
}

void open_session(auth::authenticator& a, const char* user, const char* device, auth::clock::time_point t)
{
    auth::session_info want;
    want.user = user;
    want.device = device;
    want.on = layer::internet;
    want.credential_tag = "tag";
    auth::session_info got;
    BOOST_TEST_REQUIRE(
        (a.store().claim_session(want, a.options().session, t, &got) == auth::claim_result::created));
}

std::map<std::string, std::string> causes(const std::vector<sekisho::app::ended_session>& ended)
{
    std::map<std::string, std::string> out;
    for (const auto& e : ended)
    {
        out[e.session.user] = e.cause;
    }
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(session_sweep)

BOOST_AUTO_TEST_CASE(withdrawn_sessions_end_and_the_rest_go_on)
{
    const auto ten = st::at("2027-04-01T10:00+09:00"); // Thursday
    const auto snap = st::compile_ok(st::policy_yaml(roles, "alpha", {}, more_devices), ten);
    auth::authenticator a(users(false), auth::make_memory_store(), {});
    open_session(a, "tanaka", "pc-1", ten);
    open_session(a, "suzuki", "pc-2", ten);
    open_session(a, "sato", "pc-3", ten);
    open_session(a, "abe", "pc-4", ten);

    // At 10:00: sato is not in the secrets file, abe's device is lost.
    auto first = causes(sekisho::app::sweep_sessions(a, *snap, ten));
    BOOST_TEST(first.size() == 2U);
    BOOST_TEST(first["sato"] == "user_not_in_secrets");
    BOOST_TEST(first["abe"] == "device_lost");
    BOOST_TEST(sekisho::app::sweep_sessions(a, *snap, ten).empty()); // not twice

    // An operator locks suzuki: the next sweep ends the session.
    a.replace_secrets(users(true));
    const auto later = ten + std::chrono::minutes(1);
    auto second = causes(sekisho::app::sweep_sessions(a, *snap, later));
    BOOST_TEST(second.size() == 1U);
    BOOST_TEST(second["suzuki"] == "user_locked");

    // tanaka's hours end at 20:00 (still short of the session's idle limit
    // of 30 minutes: the session is kept alive by an open tunnel).
    const auto id = a.store().sessions(a.options().session, later).at(0).id;
    a.store().tunnel_opened(id, later);
    BOOST_TEST(sekisho::app::sweep_sessions(a, *snap, st::at("2027-04-01T19:59+09:00")).empty());
    auto third = causes(sekisho::app::sweep_sessions(a, *snap, st::at("2027-04-01T20:00+09:00")));
    BOOST_TEST(third.size() == 1U);
    BOOST_TEST(third["tanaka"] == "outside_hours");
    BOOST_TEST(a.store().sessions(a.options().session, st::at("2027-04-01T20:00+09:00")).empty());
}

BOOST_AUTO_TEST_SUITE_END()
