// The in-process state store with a controlled clock: back-off doubling and
// its cap, lockout and its end, replay protection of TOTP steps, sessions
// joined, expired by idle time and by age, and one device, one layer.

#include "daemon/auth/state_store.hpp"

#include <boost/test/unit_test.hpp>

namespace auth = sekisho::auth;
using sekisho::policy::layer;
using namespace std::chrono_literals;

namespace {

const auth::clock::time_point t0 = auth::clock::time_point(std::chrono::hours(500000));

auth::session_info wanted(const std::string& user, const std::string& device, layer on)
{
    auth::session_info s;
    s.user = user;
    s.device = device;
    s.on = on;
    s.credential_tag = "tag";
    return s;
}

} // namespace

BOOST_AUTO_TEST_SUITE(state_store)

BOOST_AUTO_TEST_CASE(failures_back_off_doubling_then_lock)
{
    auto store = auth::make_memory_store();
    const auth::lockout_policy p{3, 1s, 3s, 10min};
    auto a = store->record_failure("user:tanaka", t0, p);
    BOOST_TEST(a.failures == 1U);
    BOOST_TEST(a.backing_off(t0 + 999ms));
    BOOST_TEST(!a.backing_off(t0 + 1s));
    BOOST_TEST(!a.locked(t0));
    a = store->record_failure("user:tanaka", t0 + 2s, p);
    BOOST_TEST(a.backing_off(t0 + 2s + 1999ms)); // doubled
    BOOST_TEST(!a.backing_off(t0 + 4s));
    a = store->record_failure("user:tanaka", t0 + 5s, p);
    BOOST_TEST(a.failures == 3U);
    BOOST_TEST(a.locked(t0 + 5s));
    BOOST_TEST(a.locked(t0 + 5s + 9min));
    BOOST_TEST(!store->attempts("user:tanaka", t0 + 5s + 10min)->locked(t0 + 5s + 10min));
    // After the lockout ends the count starts again.
    BOOST_TEST(store->attempts("user:tanaka", t0 + 11min)->failures == 0U);
    // Other keys are independent.
    BOOST_TEST(store->attempts("device:pc-1", t0)->failures == 0U);
}

BOOST_AUTO_TEST_CASE(backoff_is_capped_and_success_or_unlock_clears)
{
    auto store = auth::make_memory_store();
    const auth::lockout_policy p{100, 1s, 4s, 10min};
    auth::attempt_state a;
    for (int i = 0; i < 10; ++i)
    {
        a = store->record_failure("device:pc-1", t0, p);
    }
    BOOST_TEST(a.backing_off(t0 + 3999ms));
    BOOST_TEST(!a.backing_off(t0 + 4s));
    store->record_success("device:pc-1");
    BOOST_TEST(store->attempts("device:pc-1", t0)->failures == 0U);

    const auth::lockout_policy lock_fast{1, 1s, 1s, 1h};
    BOOST_TEST(store->record_failure("user:x", t0, lock_fast).locked(t0));
    store->unlock("user:x");
    BOOST_TEST(!store->attempts("user:x", t0)->locked(t0));
}

BOOST_AUTO_TEST_CASE(a_totp_step_opens_one_session_only)
{
    auto store = auth::make_memory_store();
    using auth::step_claim;
    BOOST_TEST((store->claim_totp_step("tanaka", 42, t0 + 90s, t0) == step_claim::claimed));
    BOOST_TEST((store->claim_totp_step("tanaka", 42, t0 + 90s, t0 + 10s) == step_claim::replayed));
    BOOST_TEST((store->claim_totp_step("tanaka", 43, t0 + 120s, t0 + 10s) == step_claim::claimed));
    BOOST_TEST((store->claim_totp_step("sato", 42, t0 + 90s, t0 + 10s) == step_claim::claimed));
    // Forgotten once it can no longer match.
    BOOST_TEST((store->claim_totp_step("tanaka", 42, t0 + 200s, t0 + 91s) == step_claim::claimed));
}

BOOST_AUTO_TEST_CASE(sessions_join_conflict_and_expire)
{
    auto store = auth::make_memory_store();
    const auth::session_limits limits{30min, 2h};
    auth::session_info got;
    BOOST_TEST((store->claim_session(wanted("tanaka", "pc-1", layer::internet), limits, t0, &got) ==
                auth::claim_result::created));
    const auto id = got.id;
    BOOST_TEST(id.size() == 24U);
    BOOST_TEST((store->claim_session(wanted("tanaka", "pc-1", layer::internet), limits, t0 + 1min, &got) ==
                auth::claim_result::joined));
    BOOST_TEST(got.id == id);
    // One device, one layer at a time.
    BOOST_TEST((store->claim_session(wanted("tanaka", "pc-1", layer::lgwan), limits, t0 + 2min, &got) ==
                auth::claim_result::layer_conflict));
    BOOST_TEST(got.id == id);
    // Another device is free.
    BOOST_TEST((store->claim_session(wanted("tanaka", "pc-2", layer::lgwan), limits, t0 + 2min, &got) ==
                auth::claim_result::created));
    BOOST_TEST(store->join_session("pc-1", layer::internet, limits, t0 + 3min).has_value());
    BOOST_TEST(!store->join_session("pc-1", layer::lgwan, limits, t0 + 3min).has_value());

    // Idle: 30 minutes after the last use.
    BOOST_TEST(store->join_session("pc-1", layer::internet, limits, t0 + 32min).has_value());
    BOOST_TEST(!store->join_session("pc-1", layer::internet, limits, t0 + 62min + 1s).has_value());
    // Once gone, the other layer is free for the device.
    BOOST_TEST((store->claim_session(wanted("tanaka", "pc-1", layer::lgwan), limits, t0 + 63min, &got) ==
                auth::claim_result::created));
    // Age: at most 2 hours, however busy.
    for (auto t = t0 + 63min; t < t0 + 63min + 2h; t += 20min)
    {
        BOOST_TEST(store->join_session("pc-1", layer::lgwan, limits, t).has_value());
    }
    BOOST_TEST(!store->join_session("pc-1", layer::lgwan, limits, t0 + 63min + 2h).has_value());

    const auto live = store->sessions(limits, t0 + 63min + 2h);
    BOOST_TEST(live.size() == 0U); // pc-2's session idled out too
}

BOOST_AUTO_TEST_CASE(an_open_tunnel_keeps_its_session_from_idling_out)
{
    auto store = auth::make_memory_store();
    const auth::session_limits limits{30min, 12h};
    auth::session_info got;
    store->claim_session(wanted("tanaka", "pc-1", layer::lgwan), limits, t0, &got);
    store->tunnel_opened(got.id, t0);
    // A screen-transfer tunnel open for three hours: the session lives on.
    BOOST_TEST(store->join_session("pc-1", layer::lgwan, limits, t0 + 3h).has_value());
    store->tunnel_closed(got.id, t0 + 3h);
    store->tunnel_closed(got.id, t0 + 3h); // an extra close is harmless
    BOOST_TEST(store->join_session("pc-1", layer::lgwan, limits, t0 + 3h + 29min).has_value());
    BOOST_TEST(!store->join_session("pc-1", layer::lgwan, limits, t0 + 3h + 60min).has_value());
}

BOOST_AUTO_TEST_CASE(a_user_holds_at_most_max_sessions)
{
    auto store = auth::make_memory_store();
    const auth::session_limits limits{30min, 2h};
    auth::session_info got;
    BOOST_TEST((store->claim_session(wanted("tanaka", "pc-1", layer::internet), limits, t0, &got, 1) ==
                auth::claim_result::created));
    // Joining the same session is not a new one.
    BOOST_TEST((store->claim_session(wanted("tanaka", "pc-1", layer::internet), limits, t0, &got, 1) ==
                auth::claim_result::joined));
    BOOST_TEST((store->claim_session(wanted("tanaka", "pc-2", layer::internet), limits, t0, &got, 1) ==
                auth::claim_result::too_many));
    BOOST_TEST((store->claim_session(wanted("tanaka", "pc-2", layer::internet), limits, t0, &got, 2) ==
                auth::claim_result::created));
    BOOST_TEST((store->claim_session(wanted("sato", "pc-3", layer::internet), limits, t0, &got, 1) ==
                auth::claim_result::created));
}

BOOST_AUTO_TEST_CASE(an_ended_session_is_gone)
{
    auto store = auth::make_memory_store();
    const auth::session_limits limits{30min, 2h};
    auth::session_info got;
    store->claim_session(wanted("tanaka", "pc-1", layer::internet), limits, t0, &got);
    BOOST_TEST(store->sessions(limits, t0).size() == 1U);
    BOOST_TEST(store->end_session(got.id));
    BOOST_TEST(!store->end_session(got.id));
    BOOST_TEST(!store->join_session("pc-1", layer::internet, limits, t0).has_value());
}

// A follow-up CONNECT is answered from memory only for the session's own
// user, on its layer, and never while the user or the device is locked out
// or backing off.
BOOST_AUTO_TEST_CASE(join_known_respects_user_layer_and_lockouts)
{
    auto store = auth::make_memory_store();
    const auth::session_limits limits{30min, 2h};
    auth::session_info got;
    store->claim_session(wanted("tanaka", "pc-1", layer::internet), limits, t0, &got);
    BOOST_TEST(store->join_known("pc-1", "tanaka", layer::internet, limits, t0 + 1s).has_value());
    BOOST_TEST(!store->join_known("pc-1", "sato", layer::internet, limits, t0 + 1s).has_value());
    BOOST_TEST(!store->join_known("pc-1", "tanaka", layer::lgwan, limits, t0 + 1s).has_value());
    BOOST_TEST(store->health().kind == "memory");
    BOOST_TEST(!store->health().shared);

    const auth::lockout_policy p{2, 1s, 1s, 10min};
    store->record_failure(auth::device_key("pc-1"), t0 + 2s, p);
    BOOST_TEST(!store->join_known("pc-1", "tanaka", layer::internet, limits, t0 + 2500ms).has_value());
    BOOST_TEST(store->join_known("pc-1", "tanaka", layer::internet, limits, t0 + 3s).has_value());
    store->record_failure(auth::user_key("tanaka"), t0 + 4s, p);
    store->record_failure(auth::user_key("tanaka"), t0 + 6s, p);
    BOOST_TEST(!store->join_known("pc-1", "tanaka", layer::internet, limits, t0 + 9min).has_value());
    store->unlock(auth::user_key("tanaka"));
    BOOST_TEST(store->join_known("pc-1", "tanaka", layer::internet, limits, t0 + 9min).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
