// The shared state store (daemon/auth/redis_store.hpp) against a real
// redis-server on loopback: the contract of the in-process store (back-off,
// lockout, TOTP steps, one device one layer, expiry), two store objects as
// two sekishod instances sharing one Redis (layers, failures, TOTP steps,
// lockouts), a session ended at one instance reported at the other, keys
// kept apart by prefix and database, Redis stopped (fail_closed,
// local_fallback) and back on the same port, a Redis that hangs (SIGSTOP),
// ACL users, TLS with CA verification, a Sentinel fail-over after the
// primary is killed, and an operator's switch-over.
//
// Redis keys carry TTLs in real time: `now` starts at clock::now() and only
// moves forward, so that a key is never past its TTL before the store's own
// expiry check, which uses `now`, has seen it.

#include "daemon/auth/redis_store.hpp"
#include "harness/redis.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <mutex>
#include <thread>

using namespace sekisho::test;
namespace auth = sekisho::auth;
using sekisho::policy::layer;
using namespace std::chrono_literals;

namespace {

using steady = std::chrono::steady_clock;

constexpr const char* password = "sekishod-pw-7d2e";
// What one call may take when Redis does not answer (connect_timeout below,
// plus slack for a loaded machine).
constexpr auto call_bound = 2s;

redis_options sekishod_acl(bool default_nopass = false)
{
    redis_options o;
    o.default_nopass = default_nopass;
    o.users.push_back({"sekishod", password});
    return o;
}

auth::redis_store_options options_for(std::uint16_t port, const std::string& instance)
{
    auth::redis_store_options o;
    o.servers = {{"127.0.0.1", port}};
    o.username = "sekishod";
    o.password = password;
    o.instance = instance;
    o.connect_timeout = 500ms;
    o.command_timeout = 250ms;
    o.reconnect_backoff = 100ms;
    o.reconnect_backoff_max = 500ms;
    return o;
}

std::unique_ptr<auth::state_store> store_at(const redis_server& s, const std::string& instance = "a")
{
    return auth::make_redis_store(options_for(s.port(), instance));
}

auth::session_info wanted(const std::string& user, const std::string& device, layer on)
{
    auth::session_info s;
    s.user = user;
    s.device = device;
    s.on = on;
    s.credential_tag = "tag";
    return s;
}

// What a store tells through watch(), from its own thread.
class recorder
{
public:
    auth::store_events events()
    {
        auth::store_events e;
        e.ended_elsewhere = [this](std::vector<std::string> ids, std::string cause) {
            std::lock_guard lock(mutex_);
            for (auto& id : ids)
            {
                ended_.emplace_back(std::move(id), cause);
            }
        };
        e.reachability = [this](bool reachable, std::string detail) {
            std::lock_guard lock(mutex_);
            reachability_.emplace_back(reachable, std::move(detail));
        };
        return e;
    }
    // The cause recorded with `id`, or nullopt when it was not reported.
    std::optional<std::string> ended(const std::string& id)
    {
        std::lock_guard lock(mutex_);
        for (const auto& [i, cause] : ended_)
        {
            if (i == id)
            {
                return cause;
            }
        }
        return std::nullopt;
    }
    // The last reachability reported, if any.
    std::optional<bool> reachable()
    {
        std::lock_guard lock(mutex_);
        if (reachability_.empty())
        {
            return std::nullopt;
        }
        return reachability_.back().first;
    }
    std::string reachability_log()
    {
        std::lock_guard lock(mutex_);
        std::string out;
        for (const auto& [r, detail] : reachability_)
        {
            out += (r ? "reachable: " : "unreachable: ") + detail + "\n";
        }
        return out;
    }

private:
    std::mutex mutex_;
    std::vector<std::pair<std::string, std::string>> ended_;
    std::vector<std::pair<bool, std::string>> reachability_;
};

// Runs `f` and fails the test when it took longer than `bound`.
template <typename F>
auto bounded(const char* what, F f, std::chrono::milliseconds bound = call_bound)
{
    const auto start = steady::now();
    auto result = f();
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start);
    BOOST_TEST(took < bound, what << " took " << took.count() << " ms");
    return result;
}

// A store's health, for failure messages.
std::string describe(const auth::state_store& store)
{
    const auto h = store.health();
    return "health: reachable " + std::to_string(h.reachable) + ", fallback " + std::to_string(h.fallback) +
           ", server " + h.server + ", errors " + std::to_string(h.errors) + ", reconnects " +
           std::to_string(h.reconnects) + ", round trips " + std::to_string(h.round_trips) + "\n";
}

// Subscribers of the store's channel (PUBSUB NUMSUB).
std::int64_t subscribers(const redis_server& s, const std::string& channel = "sekisho:events")
{
    const auto r = s.command({"PUBSUB", "NUMSUB", channel});
    return r.items.size() == 2U ? r.items[1].integer : -1;
}

} // namespace

BOOST_AUTO_TEST_SUITE(redis_store)

// ---- The contract of the in-process store (tests/unit/daemon/state_store.cpp)

BOOST_AUTO_TEST_CASE(failures_back_off_doubling_then_lock)
{
    redis_server server(sekishod_acl());
    auto store = store_at(server);
    const auto t0 = auth::clock::now();
    const auth::lockout_policy p{3, 1s, 3s, 10min};
    auto a = store->record_failure("user:tanaka", t0, p);
    BOOST_TEST(a.failures == 1U);
    BOOST_TEST(a.backing_off(t0 + 999ms));
    BOOST_TEST(!a.backing_off(t0 + 1s));
    BOOST_TEST(!a.locked(t0));
    a = store->record_failure("user:tanaka", t0 + 2s, p);
    BOOST_TEST(a.failures == 2U);
    BOOST_TEST(a.backing_off(t0 + 2s + 1999ms)); // doubled
    BOOST_TEST(!a.backing_off(t0 + 4s));
    a = store->record_failure("user:tanaka", t0 + 5s, p);
    BOOST_TEST(a.failures == 3U);
    BOOST_TEST(a.locked(t0 + 5s));
    BOOST_TEST(a.locked(t0 + 5s + 9min));
    // attempts() tells the same.
    const auto seen = store->attempts("user:tanaka", t0 + 6s);
    BOOST_REQUIRE(seen.has_value());
    BOOST_TEST(seen->failures == 3U);
    BOOST_TEST(seen->locked(t0 + 6s));
    const auto after = store->attempts("user:tanaka", t0 + 5s + 10min);
    BOOST_REQUIRE(after.has_value());
    BOOST_TEST(!after->locked(t0 + 5s + 10min));
    // After the lockout ends the count starts again.
    const auto later = store->attempts("user:tanaka", t0 + 11min);
    BOOST_REQUIRE(later.has_value());
    BOOST_TEST(later->failures == 0U);
    // Other keys are independent.
    const auto other = store->attempts("device:pc-1", t0);
    BOOST_REQUIRE(other.has_value());
    BOOST_TEST(other->failures == 0U);
}

BOOST_AUTO_TEST_CASE(backoff_is_capped_and_success_or_unlock_clears)
{
    redis_server server(sekishod_acl());
    auto store = store_at(server);
    const auto t0 = auth::clock::now();
    const auth::lockout_policy p{100, 1s, 4s, 10min};
    auth::attempt_state a;
    for (int i = 0; i < 10; ++i)
    {
        a = store->record_failure("device:pc-1", t0, p);
    }
    BOOST_TEST(a.failures == 10U);
    BOOST_TEST(a.backing_off(t0 + 3999ms));
    BOOST_TEST(!a.backing_off(t0 + 4s));
    store->record_success("device:pc-1");
    BOOST_TEST(store->attempts("device:pc-1", t0).value_or(auth::attempt_state{99}).failures == 0U);

    const auth::lockout_policy lock_fast{1, 1s, 1s, 1h};
    BOOST_TEST(store->record_failure("user:x", t0, lock_fast).locked(t0));
    BOOST_TEST(store->attempts("user:x", t0).value_or(auth::attempt_state{}).locked(t0));
    store->unlock("user:x");
    const auto unlocked = store->attempts("user:x", t0);
    BOOST_REQUIRE(unlocked.has_value());
    BOOST_TEST(!unlocked->locked(t0));
}

BOOST_AUTO_TEST_CASE(a_totp_step_opens_one_session_only)
{
    redis_server server(sekishod_acl());
    auto store = store_at(server);
    const auto t0 = auth::clock::now();
    BOOST_TEST((store->claim_totp_step("tanaka", 42, t0 + 90s, t0) == auth::step_claim::claimed));
    BOOST_TEST((store->claim_totp_step("tanaka", 42, t0 + 90s, t0 + 10s) == auth::step_claim::replayed));
    BOOST_TEST((store->claim_totp_step("tanaka", 43, t0 + 120s, t0 + 10s) == auth::step_claim::claimed));
    BOOST_TEST((store->claim_totp_step("sato", 42, t0 + 90s, t0 + 10s) == auth::step_claim::claimed));
    // Forgotten once it can no longer match: `forget_after` in real time,
    // since Redis keeps the step until then.
    const auto soon = auth::clock::now() + 300ms;
    BOOST_TEST((store->claim_totp_step("suzuki", 7, soon, auth::clock::now()) == auth::step_claim::claimed));
    BOOST_TEST((store->claim_totp_step("suzuki", 7, soon, auth::clock::now()) == auth::step_claim::replayed));
    BOOST_TEST(eventually(
        [&] {
            const auto now = auth::clock::now();
            return now > soon &&
                   store->claim_totp_step("suzuki", 7, now + 90s, now) == auth::step_claim::claimed;
        },
        3s));
}

BOOST_AUTO_TEST_CASE(sessions_join_conflict_and_expire)
{
    redis_server server(sekishod_acl());
    auto store = store_at(server);
    const auto t0 = auth::clock::now();
    const auth::session_limits limits{30min, 2h};
    auth::session_info got;
    BOOST_TEST((store->claim_session(wanted("tanaka", "pc-1", layer::internet), limits, t0, &got) ==
                auth::claim_result::created));
    const auto id = got.id;
    BOOST_TEST(!id.empty());
    BOOST_TEST(got.user == "tanaka");
    BOOST_TEST(got.device == "pc-1");
    BOOST_TEST((got.on == layer::internet));
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
    BOOST_TEST(got.id != id);
    BOOST_TEST(store->join_session("pc-1", layer::internet, limits, t0 + 3min).has_value());
    BOOST_TEST(!store->join_session("pc-1", layer::lgwan, limits, t0 + 3min).has_value());
    BOOST_TEST(store->sessions(limits, t0 + 3min).size() == 2U);

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
    redis_server server(sekishod_acl());
    auto store = store_at(server);
    const auto t0 = auth::clock::now();
    const auth::session_limits limits{30min, 12h};
    auth::session_info got;
    BOOST_REQUIRE((store->claim_session(wanted("tanaka", "pc-1", layer::lgwan), limits, t0, &got) ==
                   auth::claim_result::created));
    const auto open_tunnels = [&] {
        const auto all = store->sessions(limits, t0);
        return all.size() == 1U ? static_cast<int>(all[0].open_tunnels) : -1;
    };
    // Tunnel bookkeeping is fire-and-forget: wait until it has landed.
    store->tunnel_opened(got.id, t0);
    BOOST_TEST_REQUIRE(eventually([&] { return open_tunnels() == 1; }, 2s),
                       "open_tunnels " << open_tunnels());
    // A screen-transfer tunnel open for three hours: the session lives on.
    BOOST_TEST(store->join_session("pc-1", layer::lgwan, limits, t0 + 3h).has_value());
    store->tunnel_closed(got.id, t0 + 3h);
    store->tunnel_closed(got.id, t0 + 3h); // an extra close is harmless
    BOOST_TEST_REQUIRE(eventually([&] { return open_tunnels() == 0; }, 2s),
                       "open_tunnels " << open_tunnels());
    BOOST_TEST(store->join_session("pc-1", layer::lgwan, limits, t0 + 3h + 29min).has_value());
    BOOST_TEST(!store->join_session("pc-1", layer::lgwan, limits, t0 + 3h + 60min).has_value());
}

BOOST_AUTO_TEST_CASE(a_user_holds_at_most_max_sessions)
{
    redis_server server(sekishod_acl());
    auto store = store_at(server);
    const auto t0 = auth::clock::now();
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
    redis_server server(sekishod_acl());
    auto store = store_at(server);
    const auto t0 = auth::clock::now();
    const auth::session_limits limits{30min, 2h};
    auth::session_info got;
    BOOST_REQUIRE((store->claim_session(wanted("tanaka", "pc-1", layer::internet), limits, t0, &got) ==
                   auth::claim_result::created));
    BOOST_TEST(store->sessions(limits, t0).size() == 1U);
    BOOST_TEST(store->end_session(got.id));
    BOOST_TEST(!store->end_session(got.id));
    BOOST_TEST(!store->join_session("pc-1", layer::internet, limits, t0).has_value());
    BOOST_TEST(!store->join_known("pc-1", "tanaka", layer::internet, limits, t0).has_value());
    BOOST_TEST(store->sessions(limits, t0).empty());
    // The device is free for the other layer.
    BOOST_TEST((store->claim_session(wanted("tanaka", "pc-1", layer::lgwan), limits, t0, &got) ==
                auth::claim_result::created));
}

BOOST_AUTO_TEST_CASE(keys_carry_the_prefix_and_health_tells_the_server)
{
    redis_server server(sekishod_acl());
    auto store = store_at(server);
    const auto t0 = auth::clock::now();
    const auth::session_limits limits{30min, 2h};
    auth::session_info got;
    BOOST_REQUIRE((store->claim_session(wanted("tanaka", "pc-1", layer::internet), limits, t0, &got) ==
                   auth::claim_result::created));
    store->record_failure(auth::user_key("sato"), t0, {});
    store->claim_totp_step("tanaka", 42, t0 + 90s, t0);
    const auto keys = server.keys();
    BOOST_TEST(!keys.empty());
    for (const auto& k : keys)
    {
        BOOST_TEST(k.rfind("sekisho:", 0) == 0U, k);
    }
    BOOST_TEST((std::find(keys.begin(), keys.end(), "sekisho:s:" + got.id) != keys.end()));
    // Every key expires some day, but for the index of every session
    // (P"all"), which is pruned when sessions are listed or ended.
    for (const auto& k : keys)
    {
        if (k != "sekisho:all")
        {
            BOOST_TEST(server.command({"PTTL", k}).integer > 0, k << " has no TTL");
        }
    }
    const auto h = store->health();
    BOOST_TEST(h.kind == "redis");
    BOOST_TEST(h.shared);
    BOOST_TEST(h.reachable);
    BOOST_TEST(!h.fallback);
    BOOST_TEST(h.server == server.address());
    BOOST_TEST(h.round_trips > 0U);
}

// ---- Two instances sharing one Redis

BOOST_AUTO_TEST_CASE(a_device_holds_one_layer_across_instances)
{
    redis_server server(sekishod_acl());
    auto a = store_at(server, "a");
    auto b = store_at(server, "b");
    const auto t0 = auth::clock::now();
    const auth::session_limits limits{30min, 2h};
    auth::session_info at_a;
    auth::session_info at_b;
    BOOST_REQUIRE((a->claim_session(wanted("tanaka", "pc-1", layer::lgwan), limits, t0, &at_a) ==
                   auth::claim_result::created));
    BOOST_TEST((b->claim_session(wanted("tanaka", "pc-1", layer::internet), limits, t0 + 1s, &at_b) ==
                auth::claim_result::layer_conflict));
    BOOST_TEST(at_b.id == at_a.id);
    // The same layer at B joins A's session.
    BOOST_TEST((b->claim_session(wanted("tanaka", "pc-1", layer::lgwan), limits, t0 + 2s, &at_b) ==
                auth::claim_result::joined));
    BOOST_TEST(at_b.id == at_a.id);
    BOOST_TEST(b->join_session("pc-1", layer::lgwan, limits, t0 + 3s).has_value());
    // Every instance lists every session.
    const auto listed = b->sessions(limits, t0 + 3s);
    BOOST_REQUIRE(listed.size() == 1U);
    BOOST_TEST(listed[0].id == at_a.id);
    BOOST_TEST(listed[0].user == "tanaka");
    BOOST_TEST((listed[0].on == layer::lgwan));
    // max_sessions counts the user's sessions of both instances.
    BOOST_TEST((b->claim_session(wanted("tanaka", "pc-2", layer::lgwan), limits, t0 + 4s, &at_b, 1) ==
                auth::claim_result::too_many));
    // Ended at A: B may take the device on the other layer.
    BOOST_TEST(a->end_session(at_a.id));
    BOOST_TEST((b->claim_session(wanted("tanaka", "pc-1", layer::internet), limits, t0 + 5s, &at_b) ==
                auth::claim_result::created));
}

BOOST_AUTO_TEST_CASE(failures_at_two_instances_lock_the_user)
{
    redis_server server(sekishod_acl());
    auto a = store_at(server, "a");
    auto b = store_at(server, "b");
    const auto t0 = auth::clock::now();
    const auth::lockout_policy p{4, 1s, 2s, 10min};
    const auto key = auth::user_key("tanaka");
    BOOST_TEST(a->record_failure(key, t0, p).failures == 1U);
    BOOST_TEST(b->record_failure(key, t0 + 3s, p).failures == 2U);
    BOOST_TEST(a->record_failure(key, t0 + 6s, p).failures == 3U);
    const auto fourth = b->record_failure(key, t0 + 9s, p);
    BOOST_TEST(fourth.failures == 4U);
    BOOST_TEST(fourth.locked(t0 + 9s));
    const auto seen_at_a = a->attempts(key, t0 + 10s);
    BOOST_REQUIRE(seen_at_a.has_value());
    BOOST_TEST(seen_at_a->locked(t0 + 10s));
    BOOST_TEST(seen_at_a->failures == 4U);
    // Unlocked at B (sekishoctl user unlock): free at A.
    b->unlock(key);
    const auto unlocked = a->attempts(key, t0 + 11s);
    BOOST_REQUIRE(unlocked.has_value());
    BOOST_TEST(!unlocked->locked(t0 + 11s));
    BOOST_TEST(unlocked->failures == 0U);
}

BOOST_AUTO_TEST_CASE(a_totp_step_claimed_at_one_instance_is_replayed_at_the_other)
{
    redis_server server(sekishod_acl());
    auto a = store_at(server, "a");
    auto b = store_at(server, "b");
    const auto t0 = auth::clock::now();
    BOOST_TEST((a->claim_totp_step("tanaka", 1000, t0 + 90s, t0) == auth::step_claim::claimed));
    BOOST_TEST((b->claim_totp_step("tanaka", 1000, t0 + 90s, t0 + 1s) == auth::step_claim::replayed));
    BOOST_TEST((a->claim_totp_step("tanaka", 1000, t0 + 90s, t0 + 2s) == auth::step_claim::replayed));
    BOOST_TEST((b->claim_totp_step("tanaka", 1001, t0 + 120s, t0 + 30s) == auth::step_claim::claimed));
}

BOOST_AUTO_TEST_CASE(a_session_ended_at_one_instance_is_reported_at_the_other)
{
    redis_server server(sekishod_acl());
    recorder told_a;
    recorder told_b;
    auto a = store_at(server, "a");
    auto b = store_at(server, "b");
    a->watch(told_a.events());
    b->watch(told_b.events());
    BOOST_TEST_REQUIRE(eventually([&] { return subscribers(server) >= 2; }, 10s),
                       "A and B never subscribed to sekisho:events: " << subscribers(server));
    const auto t0 = auth::clock::now();
    const auth::session_limits limits{30min, 2h};
    auth::session_info at_a;
    auth::session_info at_b_session;
    BOOST_REQUIRE((a->claim_session(wanted("tanaka", "pc-1", layer::lgwan), limits, t0, &at_a) ==
                   auth::claim_result::created));
    // B knows the session (its follow-up CONNECTs are answered from memory).
    BOOST_REQUIRE((b->claim_session(wanted("tanaka", "pc-1", layer::lgwan), limits, t0, &at_b_session) ==
                   auth::claim_result::joined));
    BOOST_TEST(b->join_known("pc-1", "tanaka", layer::lgwan, limits, t0 + 1s).has_value());

    const auto killed = steady::now();
    BOOST_TEST(a->end_session(at_a.id, "killed"));
    BOOST_TEST_REQUIRE(eventually([&] { return told_b.ended(at_a.id).has_value(); }, 1s),
                       "B was not told within 1 s");
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - killed);
    BOOST_TEST(took < 1s, "told after " << took.count() << " ms");
    BOOST_TEST(told_b.ended(at_a.id).value_or("") == "killed");
    BOOST_TEST(!b->join_known("pc-1", "tanaka", layer::lgwan, limits, t0 + 2s).has_value());
    BOOST_TEST(!b->join_session("pc-1", layer::lgwan, limits, t0 + 2s).has_value());
    // A ended it itself: not "elsewhere".
    BOOST_TEST(!told_a.ended(at_a.id).has_value());
}

BOOST_AUTO_TEST_CASE(a_lockout_at_one_instance_stops_joins_from_memory_at_the_other)
{
    redis_server server(sekishod_acl());
    recorder at_b;
    auto a = store_at(server, "a");
    auto b = store_at(server, "b");
    b->watch(at_b.events());
    BOOST_TEST_REQUIRE(eventually([&] { return subscribers(server) >= 1; }, 10s));
    const auto t0 = auth::clock::now();
    const auth::session_limits limits{30min, 2h};
    auth::session_info got;
    BOOST_REQUIRE((b->claim_session(wanted("tanaka", "pc-1", layer::internet), limits, t0, &got) ==
                   auth::claim_result::created));
    BOOST_REQUIRE(b->join_known("pc-1", "tanaka", layer::internet, limits, t0).has_value());
    // Someone guesses tanaka's password at A until the user is locked.
    const auth::lockout_policy p{2, 1s, 1s, 10min};
    a->record_failure(auth::user_key("tanaka"), t0, p);
    BOOST_REQUIRE(a->record_failure(auth::user_key("tanaka"), t0 + 2s, p).locked(t0 + 2s));
    // B no longer vouches for tanaka's session from memory: the next
    // CONNECT goes through full verification, which sees the lockout.
    BOOST_TEST(
        eventually([&] { return !b->join_known("pc-1", "tanaka", layer::internet, limits, t0 + 3s); }, 1s),
        "B still joins tanaka's session from memory after the lockout at A");
    const auto seen = b->attempts(auth::user_key("tanaka"), t0 + 3s);
    BOOST_REQUIRE(seen.has_value());
    BOOST_TEST(seen->locked(t0 + 3s));
}

BOOST_AUTO_TEST_CASE(instances_apart_by_prefix_or_database_share_nothing)
{
    redis_server server(sekishod_acl());
    auto a = store_at(server, "a");
    auto other_prefix = options_for(server.port(), "b");
    other_prefix.prefix = "pref2:";
    auto b = auth::make_redis_store(other_prefix);
    auto other_database = options_for(server.port(), "c");
    other_database.database = 3;
    auto c = auth::make_redis_store(other_database);
    const auto t0 = auth::clock::now();
    const auth::session_limits limits{30min, 2h};
    auth::session_info got;
    for (auto* store : {a.get(), b.get(), c.get()})
    {
        BOOST_TEST((store->claim_session(wanted("tanaka", "pc-1", layer::internet), limits, t0, &got) ==
                    auth::claim_result::created));
        BOOST_TEST((store->claim_totp_step("tanaka", 5, t0 + 90s, t0) == auth::step_claim::claimed));
        BOOST_TEST(store->sessions(limits, t0).size() == 1U);
    }
    BOOST_TEST(server.keys("sekisho:s:*").size() == 1U);
    BOOST_TEST(server.keys("pref2:s:*").size() == 1U);
    BOOST_TEST(server.keys("sekisho:s:*", 3).size() == 1U);
    BOOST_TEST(server.keys("pref2:*", 3).empty());
}

// ---- Redis stopped, and back

BOOST_AUTO_TEST_CASE(redis_stopped_fail_closed_then_back_on_the_same_port)
{
    redis_server server(sekishod_acl());
    recorder events;
    auto store = store_at(server);
    store->watch(events.events());
    BOOST_TEST_REQUIRE(eventually([&] { return subscribers(server) >= 1; }, 10s));
    const auto t0 = auth::clock::now();
    const auth::session_limits limits{30min, 2h};
    auth::session_info known;
    BOOST_REQUIRE((store->claim_session(wanted("tanaka", "pc-1", layer::internet), limits, t0, &known) ==
                   auth::claim_result::created));

    server.stop();
    BOOST_TEST_REQUIRE(eventually([&] { return events.reachable() == std::optional<bool>(false); }, 10s),
                       "no reachability event after Redis stopped:\n"
                           << events.reachability_log());
    auth::session_info got;
    BOOST_TEST(!bounded("attempts", [&] { return store->attempts(auth::user_key("sato"), t0); }).has_value());
    BOOST_TEST((bounded("claim_session", [&] {
                    return store->claim_session(wanted("sato", "pc-2", layer::internet), limits, t0, &got);
                }) == auth::claim_result::unavailable));
    BOOST_TEST((bounded("claim_totp_step", [&] {
                    return store->claim_totp_step("sato", 42, t0 + 90s, t0);
                }) == auth::step_claim::unavailable));
    bounded("record_failure", [&] { return store->record_failure(auth::user_key("sato"), t0, {}); });
    BOOST_TEST(!bounded("join_session", [&] {
                    return store->join_session("pc-1", layer::internet, limits, t0);
                }).has_value());
    BOOST_TEST(bounded("sessions", [&] { return store->sessions(limits, t0); }).empty());
    BOOST_TEST(!bounded("end_session", [&] { return store->end_session("no-such-session"); }));
    bounded("tunnel_opened", [&] {
        store->tunnel_opened(known.id, t0);
        return 0;
    });
    // A session this instance knows goes on.
    BOOST_TEST(bounded("join_known", [&] {
                   return store->join_known("pc-1", "tanaka", layer::internet, limits, t0 + 1s);
               }).has_value());
    const auto down = store->health();
    BOOST_TEST(!down.reachable);
    BOOST_TEST(!down.fallback);
    BOOST_TEST(down.errors > 0U);

    // Back on the same port (empty: no persistence): no new store object.
    server.start();
    BOOST_TEST_REQUIRE(eventually([&] { return events.reachable() == std::optional<bool>(true); }, 10s),
                       "no reachability event after Redis came back:\n"
                           << events.reachability_log());
    BOOST_TEST((store->claim_session(wanted("sato", "pc-2", layer::internet), limits, t0 + 2s, &got) ==
                auth::claim_result::created),
               describe(*store) << events.reachability_log());
    BOOST_TEST((store->claim_totp_step("sato", 42, t0 + 90s, t0 + 2s) == auth::step_claim::claimed));
    BOOST_TEST(store->attempts(auth::user_key("sato"), t0 + 2s).has_value());
    const auto up = store->health();
    BOOST_TEST(up.reachable);
    BOOST_TEST(up.reconnects > 0U);
    // The subscription is back too.
    BOOST_TEST(eventually([&] { return subscribers(server) >= 1; }, 10s));
}

BOOST_AUTO_TEST_CASE(redis_stopped_local_fallback_answers_from_memory)
{
    redis_server server(sekishod_acl());
    recorder events;
    auto options = options_for(server.port(), "a");
    options.local_fallback = true;
    auto store = auth::make_redis_store(options);
    store->watch(events.events());
    const auto t0 = auth::clock::now();
    const auth::session_limits limits{30min, 2h};
    auth::session_info got;
    BOOST_REQUIRE((store->claim_session(wanted("tanaka", "pc-1", layer::internet), limits, t0, &got) ==
                   auth::claim_result::created));
    BOOST_TEST(!store->health().fallback);

    server.stop();
    BOOST_TEST((bounded("claim_session", [&] {
                    return store->claim_session(wanted("sato", "pc-2", layer::internet), limits, t0, &got);
                }) == auth::claim_result::created));
    const auto per_instance = got.id;
    BOOST_TEST(store->join_known("pc-2", "sato", layer::internet, limits, t0).has_value());
    BOOST_TEST((store->claim_session(wanted("sato", "pc-2", layer::lgwan), limits, t0, &got) ==
                auth::claim_result::layer_conflict));
    BOOST_TEST((bounded("claim_totp_step", [&] {
                    return store->claim_totp_step("sato", 42, t0 + 90s, t0);
                }) == auth::step_claim::claimed));
    BOOST_TEST((store->claim_totp_step("sato", 42, t0 + 90s, t0 + 1s) == auth::step_claim::replayed));
    const auth::lockout_policy p{2, 1s, 1s, 10min};
    store->record_failure(auth::user_key("sato"), t0, p);
    store->record_failure(auth::user_key("sato"), t0 + 2s, p);
    const auto a = bounded("attempts", [&] { return store->attempts(auth::user_key("sato"), t0 + 3s); });
    BOOST_REQUIRE(a.has_value());
    BOOST_TEST(a->locked(t0 + 3s));
    const auto h = store->health();
    BOOST_TEST(!h.reachable);
    BOOST_TEST(h.fallback);
    BOOST_TEST(eventually([&] { return events.reachable() == std::optional<bool>(false); }, 10s),
               events.reachability_log());

    // Back: Redis answers again, and the fallback ends.
    server.start();
    BOOST_TEST_REQUIRE(eventually([&] { return events.reachable() == std::optional<bool>(true); }, 10s),
                       events.reachability_log());
    BOOST_TEST((store->claim_session(wanted("suzuki", "pc-3", layer::internet), limits, t0 + 4s, &got) ==
                auth::claim_result::created));
    BOOST_TEST(!store->health().fallback);
    const auto keys = server.keys("sekisho:s:*");
    BOOST_TEST((std::find(keys.begin(), keys.end(), "sekisho:s:" + got.id) != keys.end()),
               "the session was not written to Redis after it came back");
    // A session opened per instance meanwhile is not one Redis vouches for:
    // it is ended (its tunnels closed) once Redis answers again.
    BOOST_TEST(eventually([&] { return events.ended(per_instance).has_value(); }, 2s));
    BOOST_TEST(!store->join_known("pc-2", "sato", layer::internet, limits, t0 + 5s).has_value());
}

BOOST_AUTO_TEST_CASE(a_server_that_does_not_answer_costs_at_most_the_timeouts)
{
    redis_server server(sekishod_acl());
    recorder events;
    auto store = store_at(server);
    store->watch(events.events());
    const auto t0 = auth::clock::now();
    const auth::session_limits limits{30min, 2h};
    auth::session_info got;
    BOOST_REQUIRE((store->claim_session(wanted("tanaka", "pc-1", layer::internet), limits, t0, &got) ==
                   auth::claim_result::created));

    // Connected, then silent (command_timeout), then new connections that
    // are accepted but never answered (connect_timeout).
    server.pause();
    BOOST_TEST((bounded("claim_session", [&] {
                    return store->claim_session(wanted("sato", "pc-2", layer::internet), limits, t0, &got);
                }) == auth::claim_result::unavailable));
    for (int i = 0; i < 3; ++i)
    {
        BOOST_TEST(
            !bounded("attempts", [&] { return store->attempts(auth::user_key("sato"), t0); }).has_value());
        BOOST_TEST((bounded("claim_totp_step", [&] {
                        return store->claim_totp_step("sato", 42 + i, t0 + 90s, t0);
                    }) == auth::step_claim::unavailable));
        std::this_thread::sleep_for(300ms); // past the back-off: a new connection is tried
    }
    BOOST_TEST(!store->health().reachable);
    BOOST_TEST(eventually([&] { return events.reachable() == std::optional<bool>(false); }, 10s),
               events.reachability_log());

    server.resume();
    BOOST_TEST(eventually(
                   [&] {
                       return store->claim_session(
                                  wanted("suzuki", "pc-3", layer::internet), limits, t0, &got) ==
                              auth::claim_result::created;
                   },
                   10s),
               describe(*store) << events.reachability_log());
    BOOST_TEST(store->health().reachable);
}

// ---- ACL users and TLS

BOOST_AUTO_TEST_CASE(an_acl_user_with_a_wrong_password_is_unavailable)
{
    redis_server server(sekishod_acl());
    const auto t0 = auth::clock::now();
    const auth::session_limits limits{30min, 2h};
    auth::session_info got;

    auto wrong_options = options_for(server.port(), "a");
    wrong_options.password = "not-the-password";
    auto wrong = auth::make_redis_store(wrong_options);
    BOOST_TEST((bounded("claim_session", [&] {
                    return wrong->claim_session(wanted("tanaka", "pc-1", layer::internet), limits, t0, &got);
                }) == auth::claim_result::unavailable));
    BOOST_TEST(!wrong->attempts(auth::user_key("tanaka"), t0).has_value());
    BOOST_TEST(!wrong->health().reachable);

    // The `default` user is off: no AUTH at all is refused too.
    auto anonymous_options = options_for(server.port(), "a");
    anonymous_options.username.clear();
    anonymous_options.password.clear();
    auto anonymous = auth::make_redis_store(anonymous_options);
    BOOST_TEST((bounded("claim_session", [&] {
                    return anonymous->claim_session(
                        wanted("tanaka", "pc-1", layer::internet), limits, t0, &got);
                }) == auth::claim_result::unavailable));

    auto right = store_at(server);
    BOOST_TEST((right->claim_session(wanted("tanaka", "pc-1", layer::internet), limits, t0, &got) ==
                auth::claim_result::created));
    BOOST_TEST(right->health().reachable);
}

BOOST_AUTO_TEST_CASE(tls_with_ca_verification)
{
    temp_dir dir;
    const auto pki = make_redis_pki(dir);
    auto server_options = sekishod_acl();
    server_options.tls_cert = pki.cert();
    server_options.tls_key = pki.key();
    server_options.tls_ca = pki.ca();
    redis_server server(server_options);
    const auto t0 = auth::clock::now();
    const auth::session_limits limits{30min, 2h};
    auth::session_info got;
    const auto tls_options = [&](const std::string& ca, const std::string& name) {
        auto o = options_for(server.port(), "a");
        o.tls = true;
        o.ca_file = ca;
        o.server_name = name;
        return o;
    };

    // The certificate names IP:127.0.0.1 and DNS:localhost.
    auto by_address = auth::make_redis_store(tls_options(pki.ca(), ""));
    BOOST_TEST((by_address->claim_session(wanted("tanaka", "pc-1", layer::internet), limits, t0, &got) ==
                auth::claim_result::created));
    BOOST_TEST(by_address->health().reachable);
    auto by_name = auth::make_redis_store(tls_options(pki.ca(), "localhost"));
    BOOST_TEST((by_name->claim_session(wanted("tanaka", "pc-1", layer::internet), limits, t0, &got) ==
                auth::claim_result::joined));

    // A CA that did not sign it, a name it does not hold, or no TLS at all.
    auto wrong_ca = auth::make_redis_store(tls_options(pki.wrong_ca(), ""));
    BOOST_TEST((bounded("claim_session (wrong CA)", [&] {
                    return wrong_ca->claim_session(wanted("sato", "pc-2", layer::internet), limits, t0, &got);
                }) == auth::claim_result::unavailable));
    BOOST_TEST(!wrong_ca->health().reachable);
    auto wrong_name = auth::make_redis_store(tls_options(pki.ca(), "redis.example"));
    BOOST_TEST((bounded("claim_session (wrong name)", [&] {
                    return wrong_name->claim_session(
                        wanted("sato", "pc-2", layer::internet), limits, t0, &got);
                }) == auth::claim_result::unavailable));
    auto plain = store_at(server);
    BOOST_TEST((bounded("claim_session (plain to TLS)", [&] {
                    return plain->claim_session(wanted("sato", "pc-2", layer::internet), limits, t0, &got);
                }) == auth::claim_result::unavailable));
    // None of them wrote anything.
    BOOST_TEST(server.keys("sekisho:s:*").size() == 1U);
}

// ---- Sentinel fail-over

BOOST_AUTO_TEST_CASE(sentinel_failover_keeps_sessions)
{
    auto primary_options = sekishod_acl(true);
    redis_server primary(primary_options);
    auto replica_options = sekishod_acl(true);
    replica_options.replica_of = primary.port();
    redis_server replica(replica_options);
    BOOST_TEST_REQUIRE(eventually(
                           [&] {
                               return replica.command({"ROLE"}).items.size() >= 4U &&
                                      replica.command({"ROLE"}).items[3].text == "connected";
                           },
                           10s),
                       "the replica did not sync:\n"
                           << replica.log());

    sentinel_options so;
    so.master_port = primary.port();
    std::vector<std::unique_ptr<redis_sentinel>> sentinels;
    for (int i = 0; i < 3; ++i)
    {
        sentinels.push_back(std::make_unique<redis_sentinel>(so));
    }
    for (const auto& s : sentinels)
    {
        BOOST_TEST_REQUIRE(s->wait_for_peers(2, 1, 10s), "a sentinel did not find its peers:\n" << s->log());
    }

    auto options = options_for(0, "a");
    options.servers.clear();
    // The first sentinel listed is not there at all.
    options.sentinels.push_back({"127.0.0.1", free_loopback_port()});
    for (const auto& s : sentinels)
    {
        options.sentinels.push_back({"127.0.0.1", s->port()});
    }
    options.master_name = "sekisho";
    recorder events;
    auto store = auth::make_redis_store(options);
    store->watch(events.events());
    options.instance = "b";
    recorder at_b;
    auto b = auth::make_redis_store(options);
    b->watch(at_b.events());
    const auto t0 = auth::clock::now();
    const auth::session_limits limits{30min, 2h};
    auth::session_info session;
    BOOST_REQUIRE((store->claim_session(wanted("tanaka", "pc-1", layer::lgwan), limits, t0, &session) ==
                   auth::claim_result::created));
    BOOST_TEST(store->health().server == primary.address());
    // Replicated before the primary goes.
    BOOST_TEST_REQUIRE(eventually([&] { return !replica.keys("sekisho:s:" + session.id).empty(); }, 5s));
    BOOST_TEST(primary.command({"WAIT", "1", "1000"}).integer == 1);

    const auto killed = steady::now();
    primary.kill9();
    BOOST_TEST_REQUIRE(
        eventually(
            [&] { return store->join_session("pc-1", layer::lgwan, limits, auth::clock::now()).has_value(); },
            15s),
        "no answer from the promoted replica within 15 s; sentinel says port "
            << sentinels[0]->master_port() << " (replica " << replica.port() << ", role " << replica.role()
            << ")\n"
            << events.reachability_log());
    BOOST_TEST_MESSAGE(
        "fail-over answered after "
        << std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - killed).count() << " ms");
    BOOST_TEST(replica.role() == "master");
    BOOST_TEST(store->health().server == replica.address());
    BOOST_TEST(store->health().reachable);
    const auto listed = store->sessions(limits, auth::clock::now());
    BOOST_REQUIRE(listed.size() == 1U);
    BOOST_TEST(listed[0].id == session.id);
    // Claims write to the new primary.
    auth::session_info got;
    BOOST_TEST(
        (store->claim_session(wanted("tanaka", "pc-1", layer::lgwan), limits, auth::clock::now(), &got) ==
         auth::claim_result::joined));
    BOOST_TEST(got.id == session.id);
    BOOST_TEST(
        (store->claim_session(wanted("sato", "pc-2", layer::internet), limits, auth::clock::now(), &got) ==
         auth::claim_result::created));
    // A kill still reaches the other instance, now through the new primary.
    BOOST_TEST_REQUIRE(eventually([&] { return subscribers(replica) >= 2; }, 10s),
                       "subscribers on the new primary: " << subscribers(replica));
    BOOST_TEST(store->end_session(session.id, "killed"));
    BOOST_TEST(eventually([&] { return at_b.ended(session.id).has_value(); }, 1s),
               "B was not told of the kill within 1 s after the fail-over");
}

BOOST_AUTO_TEST_CASE(sentinel_switchover_moves_writes_to_the_new_primary)
{
    redis_server primary(sekishod_acl(true));
    auto replica_options = sekishod_acl(true);
    replica_options.replica_of = primary.port();
    redis_server replica(replica_options);
    BOOST_TEST_REQUIRE(eventually(
        [&] {
            const auto r = replica.command({"ROLE"});
            return r.items.size() >= 4U && r.items[3].text == "connected";
        },
        10s));
    sentinel_options so;
    so.master_port = primary.port();
    std::vector<std::unique_ptr<redis_sentinel>> sentinels;
    for (int i = 0; i < 3; ++i)
    {
        sentinels.push_back(std::make_unique<redis_sentinel>(so));
    }
    for (const auto& s : sentinels)
    {
        BOOST_TEST_REQUIRE(s->wait_for_peers(2, 1, 10s), s->log());
    }
    auto options = options_for(0, "a");
    options.servers.clear();
    for (const auto& s : sentinels)
    {
        options.sentinels.push_back({"127.0.0.1", s->port()});
    }
    options.master_name = "sekisho";
    auto store = auth::make_redis_store(options);
    const auth::session_limits limits{30min, 2h};
    auth::session_info session;
    BOOST_REQUIRE(
        (store->claim_session(wanted("tanaka", "pc-1", layer::lgwan), limits, auth::clock::now(), &session) ==
         auth::claim_result::created));
    BOOST_TEST(store->health().server == primary.address());

    // An operator's switch-over: the old primary lives on as a replica, so
    // the store's open connection now reaches a server that refuses writes
    // (or is closed by Sentinel's CLIENT KILL). Sentinel demotes the old
    // primary some 8 s after promoting the replica (4 hello periods).
    const auto asked = steady::now();
    BOOST_TEST_REQUIRE(sentinels[1]->command({"SENTINEL", "FAILOVER", "sekisho"}).text == "OK");
    BOOST_TEST_REQUIRE(
        eventually([&] { return primary.role() == "slave" && replica.role() == "master"; }, 15s),
        "no switch-over: primary " << primary.role() << ", replica " << replica.role());
    BOOST_TEST_MESSAGE("switched over after "
                       << std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - asked).count()
                       << " ms");
    auth::session_info got;
    BOOST_TEST(eventually(
                   [&] {
                       return store->claim_session(wanted("sato", "pc-2", layer::internet),
                                                   limits,
                                                   auth::clock::now(),
                                                   &got) == auth::claim_result::created;
                   },
                   10s),
               describe(*store));
    BOOST_TEST_MESSAGE("writes reached the new primary after "
                       << std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - asked).count()
                       << " ms");
    BOOST_TEST(store->health().server == replica.address());
    BOOST_TEST((store->claim_totp_step("sato", 9, auth::clock::now() + 90s, auth::clock::now()) ==
                auth::step_claim::claimed));
    const auto listed = store->sessions(limits, auth::clock::now());
    BOOST_TEST(listed.size() == 2U);
    BOOST_TEST(replica.keys("sekisho:s:*").size() == 2U);
}

BOOST_AUTO_TEST_SUITE_END()
