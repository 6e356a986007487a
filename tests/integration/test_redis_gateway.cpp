// Two sekishod instances sharing their sessions, lockouts and used TOTP
// codes through a real redis-server (auth.store, type: redis), one of them
// reached through a real HAProxy: one device holds one layer across both;
// failures at either count together; a code used at one is refused at the
// other; a session killed at one closes its tunnel at the other within a
// second; Redis stopped answers new sign-ins 503 while open tunnels go on
// (fail_closed) or lets them in per instance (local_fallback), and Redis
// back is used again without a restart; a primary killed under Sentinel is
// replaced and the sessions go on.

#include "harness/audit_log.hpp"
#include "harness/checks.hpp"
#include "harness/haproxy.hpp"
#include "harness/redis.hpp"
#include "harness/signin.hpp"

#include <thread>

using namespace sekisho::test;

namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

const std::string redis_password = "gateway-secret-1";

redis_options store_redis()
{
    redis_options o;
    o.default_nopass = false;
    o.users.push_back({"sekishod", redis_password, "~sekisho:* &sekisho:* +@all -@dangerous +role"});
    return o;
}

// alice's auth options, the admin socket, an audit log, and the store at
// `where` ("servers: [...]" or "sentinels: [...]\n    master_name: ...").
gateway_options
store_options(const temp_dir& keys, const std::string& where, const std::string& behaviour = "fail_closed")
{
    auto o = auth_options();
    o.files.emplace_back("redis.pass", redis_password + "\n");
    o.files.emplace_back("audit.key", make_audit_keys(keys).secret_text);
    o.extra_config += "  store:\n    type: redis\n    on_unavailable: " + behaviour + "\n    " + where +
                      "\n    username: sekishod\n    password_file: redis.pass\n"
                      "    connect_timeout: 300ms\n    command_timeout: 300ms\n"
                      "    reconnect_backoff: 100ms\n    reconnect_backoff_max: 500ms\n";
    o.extra_config += "admin:\n  socket: run/admin.sock\n";
    o.extra_config += audit_section("audit", "audit.key");
    return o;
}

std::string servers_of(const redis_server& r)
{
    return "servers: [\"" + r.address() + "\"]";
}

run_result ctl(const gateway& g, std::vector<std::string> args)
{
    std::vector<std::string> argv{SEKISHOCTL_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--admin-socket");
    argv.push_back(g.dir().file("run/admin.sock"));
    return run(argv, g.dir());
}

// A CONNECT to the echo upstream as alice with `code`; the response head.
std::string sign_in(tls_client& c, const std::string& code, const std::string& target = echo_target())
{
    BOOST_REQUIRE_MESSAGE(c.ok(), c.error());
    return connect_as(c, basic("alice", "correct horse" + code), target);
}

void require_200(const std::string& head)
{
    BOOST_REQUIRE_MESSAGE(head.rfind("HTTP/1.1 200", 0) == 0, head);
}

bool relays(tls_client& c)
{
    return c.send("ping") && c.recv_exactly(4) == "ping";
}

std::string lgwan_target()
{
    return "vdi.lgwan.test:" + std::to_string(world::get().lgwan.port());
}

// Three codes valid now (window 1: this step, the next and the previous),
// one per new session a test opens.
std::string fresh_code(int n)
{
    return code_now(std::chrono::seconds(n == 0 ? 0 : (n == 1 ? 30 : -30)));
}

std::string reason_of(const gateway& g, const tls_client& c)
{
    return str(g.record_for(c.local_port()), "reason");
}

std::size_t audited(const gateway& g, const std::string& event)
{
    return audit_events(g.dir().file("audit"), event).size();
}

} // namespace

BOOST_AUTO_TEST_SUITE(redis_gateway)

// Through HAProxy to either instance: the device that holds the LGWAN layer
// at A gets no internet session at B; failures at A and B lock alice at
// both; the code that opened a session at A is refused at B.
BOOST_AUTO_TEST_CASE(one_device_one_layer_lockout_and_replay_hold_across_instances)
{
    redis_server redis(store_redis());
    temp_dir keys;
    gateway a(store_options(keys, servers_of(redis)));
    gateway b(store_options(keys, servers_of(redis)));
    haproxy_balancer lb({{"127.0.0.1:" + std::to_string(b.internet())}, 0, false});

    // alice's PC on the LGWAN layer at A.
    tls_client lg(a.lgwan(), "device-alice");
    const auto first_code = fresh_code(0);
    require_200(sign_in(lg, first_code, lgwan_target()));
    const auto keys_now = redis.keys("sekisho:s:*");
    BOOST_TEST(keys_now.size() == 1U, "sessions in Redis: " << keys_now.size());

    // The same PC on the internet layer at B (through HAProxy): refused.
    tls_client net(lb.port(), "device-alice");
    const auto conflict = sign_in(net, fresh_code(1));
    BOOST_TEST(conflict.rfind("HTTP/1.1 403", 0) == 0, conflict);
    BOOST_TEST(conflict.find("reason=layer_conflict") != std::string::npos, conflict);

    // alice's other device at B with the code already used at A: replayed.
    tls_client other(b.internet(), "device-stranger");
    const auto replay = sign_in(other, first_code);
    BOOST_TEST(replay.rfind("HTTP/1.1 407", 0) == 0, replay);
    BOOST_TEST(reason_of(b, other) == "totp_replayed");

    // Failures: totp_replayed at B counted one; one more at A and one at B
    // (past the 100 ms back-off) make three: alice is locked at both.
    std::this_thread::sleep_for(250ms);
    tls_client wrong_a(a.internet(), "device-stranger");
    BOOST_TEST(sign_in(wrong_a, "000000").rfind("HTTP/1.1 407", 0) == 0);
    std::this_thread::sleep_for(600ms);
    tls_client wrong_b(b.internet(), "device-stranger");
    BOOST_TEST(sign_in(wrong_b, "000001").rfind("HTTP/1.1 407", 0) == 0);
    for (auto* g : {&a, &b})
    {
        tls_client locked(g->internet(), "device-stranger");
        const auto head = sign_in(locked, fresh_code(2));
        BOOST_TEST(head.rfind("HTTP/1.1 407", 0) == 0, head);
        BOOST_TEST(reason_of(*g, locked) == "auth_locked");
    }
}

// A session used at B and killed through sekishoctl at A: its tunnel at B
// is closed within a second, with the operator's cause.
BOOST_AUTO_TEST_CASE(a_session_killed_at_one_instance_closes_its_tunnels_at_the_other)
{
    redis_server redis(store_redis());
    temp_dir keys;
    gateway a(store_options(keys, servers_of(redis)));
    gateway b(store_options(keys, servers_of(redis)));

    tls_client tunnel(b.internet(), "device-alice");
    require_200(sign_in(tunnel, fresh_code(0)));
    BOOST_REQUIRE(relays(tunnel));

    // A lists the session B opened, with its open tunnel.
    const auto list = ctl(a, {"session", "list", "--json"});
    BOOST_REQUIRE_MESSAGE(list.exit_code == 0, list.out << list.err);
    const auto sessions = boost::json::parse(list.out).as_object().at("sessions").as_array();
    BOOST_REQUIRE_EQUAL(sessions.size(), 1U);
    const auto id = std::string(sessions[0].as_object().at("id").as_string());
    BOOST_TEST(eventually(
        [&] {
            const auto again = ctl(a, {"session", "list", "--json"});
            return again.out.find("\"open_tunnels\":1") != std::string::npos;
        },
        3s));

    // Within a second of A acknowledging the kill (sekishoctl's own start-up,
    // slow under the sanitizers, is not part of it).
    const auto kill = ctl(a, {"session", "kill", id});
    const auto acknowledged = steady::now();
    BOOST_TEST(kill.exit_code == 0, kill.out << kill.err);
    BOOST_TEST(tunnel.closed_by_peer(2s));
    const auto took = steady::now() - acknowledged;
    BOOST_TEST(took < 1s, std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
    BOOST_TEST(str(b.record_for(tunnel.local_port()), "end") == "session_killed");
    BOOST_TEST(redis.keys("sekisho:s:*").empty());
    // Killed once: A's audit log says so, B's does not repeat it.
    BOOST_TEST(eventually([&] { return audited(a, "session_closed") == 1U; }, 3s));
    BOOST_TEST(audited(b, "session_closed") == 0U);
}

// fail_closed: Redis stopped → a new sign-in is answered 503, the open
// tunnel goes on relaying and its session's follow-up CONNECT still joins;
// Redis back → sign-ins work again, without a restart; both changes are
// logged and audited.
BOOST_AUTO_TEST_CASE(redis_stopped_fails_closed_then_recovers_without_a_restart)
{
    redis_server redis(store_redis());
    temp_dir keys;
    gateway a(store_options(keys, servers_of(redis)));

    const auto code = fresh_code(0);
    tls_client open(a.internet(), "device-alice");
    require_200(sign_in(open, code));
    BOOST_REQUIRE(relays(open));

    redis.stop();
    BOOST_TEST(eventually([&] { return a.count_events("store_unavailable") >= 1; }, 5s), a.log());
    tls_client newcomer(a.internet(), "device-stranger");
    const auto refused = sign_in(newcomer, fresh_code(1));
    BOOST_TEST(refused.rfind("HTTP/1.1 503", 0) == 0, refused);
    BOOST_TEST(refused.find("session_store_unavailable") != std::string::npos, refused);
    BOOST_TEST(reason_of(a, newcomer) == "session_store_unavailable");
    BOOST_TEST(relays(open));
    tls_client follow_up(a.internet(), "device-alice");
    BOOST_TEST(sign_in(follow_up, code).rfind("HTTP/1.1 200", 0) == 0);

    const auto status = ctl(a, {"status", "--json"});
    BOOST_TEST(status.out.find("\"reachable\":false") != std::string::npos, status.out);

    redis.start();
    BOOST_TEST(eventually([&] { return a.count_events("store_recovered") >= 1; }, 5s), a.log());
    // Redis came back empty: the session that lived through the outage here
    // is no longer shared, so it ends (store_reconciled) and alice signs in again.
    BOOST_TEST(open.closed_by_peer(3s));
    tls_client again(a.internet(), "device-stranger");
    const auto head = sign_in(again, fresh_code(2));
    BOOST_TEST(head.rfind("HTTP/1.1 200", 0) == 0, head);
    BOOST_TEST(eventually(
        [&] { return audited(a, "store_unavailable") == 1U && audited(a, "store_recovered") == 1U; }, 3s));
}

// local_fallback: Redis stopped → sign-ins go on from this instance's
// memory, loudly; the metrics say so.
BOOST_AUTO_TEST_CASE(local_fallback_signs_in_per_instance_and_says_so)
{
    redis_server redis(store_redis());
    temp_dir keys;
    gateway a(store_options(keys, servers_of(redis), "local_fallback"));
    redis.stop();
    tls_client c(a.internet(), "device-alice");
    const auto head = sign_in(c, fresh_code(0));
    BOOST_TEST(head.rfind("HTTP/1.1 200", 0) == 0, head);
    BOOST_TEST(relays(c));
    BOOST_TEST(a.count_events("store_unavailable") >= 1U);
    BOOST_TEST(a.log().find("behaviour=local_fallback") != std::string::npos);
    const auto metrics = ctl(a, {"metrics"});
    BOOST_TEST(metrics.out.find("sekisho_store_fallback{store=\"redis\"} 1") != std::string::npos,
               metrics.out);
    BOOST_TEST(metrics.out.find("sekisho_store_up{store=\"redis\"} 0") != std::string::npos, metrics.out);
}

// Sentinel: a primary, a replica and three sentinels; the primary killed
// with SIGKILL → a sentinel promotes the replica, the gateway finds it, the
// session opened before goes on (its follow-up joins at the other
// instance) and new sign-ins work.
BOOST_AUTO_TEST_CASE(a_primary_killed_under_sentinel_is_replaced_and_sessions_go_on)
{
    redis_server primary(store_redis());
    auto replica_options = store_redis();
    replica_options.replica_of = primary.port();
    redis_server replica(replica_options);
    std::vector<std::unique_ptr<redis_sentinel>> sentinels;
    std::string where = "sentinels: [";
    for (int i = 0; i < 3; ++i)
    {
        sentinel_options so;
        so.master_port = primary.port();
        sentinels.push_back(std::make_unique<redis_sentinel>(so));
        where +=
            std::string(i ? ", " : "") + "\"127.0.0.1:" + std::to_string(sentinels.back()->port()) + "\"";
    }
    where += "]\n    master_name: sekisho";
    BOOST_REQUIRE(sentinels[0]->wait_for_peers(2, 1, 15s));

    temp_dir keys;
    gateway a(store_options(keys, where));
    gateway b(store_options(keys, where));
    const auto code = fresh_code(0);
    tls_client first(a.internet(), "device-alice");
    require_200(sign_in(first, code));
    // The session reached the replica before the primary goes.
    BOOST_REQUIRE(eventually([&] { return replica.command({"SCARD", "sekisho:all"}).integer == 1; }, 5s));

    primary.kill9();
    BOOST_REQUIRE_MESSAGE(eventually([&] { return replica.role() == "master"; }, 20s), sentinels[0]->log());
    // The open tunnel never depended on Redis.
    BOOST_TEST(relays(first));
    // alice's session is still there: her PC's follow-up at B joins it (no new code).
    BOOST_TEST(eventually(
        [&] {
            tls_client follow_up(b.internet(), "device-alice");
            return sign_in(follow_up, code).rfind("HTTP/1.1 200", 0) == 0;
        },
        10s));
    BOOST_TEST(replica.command({"SCARD", "sekisho:all"}).integer == 1);
}

// A browser opens several connections at once when the user signs in: all
// carry the same new code, and all get in (one opens the session, the
// others join it), none is refused as a replay or counted as a failure.
BOOST_AUTO_TEST_CASE(parallel_first_connects_with_one_code_all_get_in)
{
    redis_server redis(store_redis());
    temp_dir keys;
    gateway a(store_options(keys, servers_of(redis)));
    const auto code = fresh_code(0);
    std::vector<std::unique_ptr<tls_client>> clients;
    for (int i = 0; i < 4; ++i)
    {
        clients.push_back(std::make_unique<tls_client>(a.internet(), "device-alice"));
        BOOST_REQUIRE_MESSAGE(clients.back()->ok(), clients.back()->error());
    }
    const auto target = echo_target();
    for (auto& c : clients)
    {
        BOOST_REQUIRE(c->send("CONNECT " + target + " HTTP/1.1\r\nHost: " + target +
                              "\r\nProxy-Authorization: " + basic("alice", "correct horse" + code) +
                              "\r\n\r\n"));
    }
    for (auto& c : clients)
    {
        const auto head = c->recv_until("\r\n\r\n");
        BOOST_TEST(head.rfind("HTTP/1.1 200", 0) == 0, head);
    }
    BOOST_TEST(redis.keys("sekisho:s:*").size() == 1U);
    BOOST_TEST(redis.keys("sekisho:att:*").empty()); // no failure counted
}

// Redis answers, but the ACL user may not run scripts: sign-ins fail
// closed (503) and the log says why, though the store counts as up.
BOOST_AUTO_TEST_CASE(an_acl_user_without_scripting_fails_closed_and_says_why)
{
    redis_options o;
    o.default_nopass = false;
    o.users.push_back(
        {"sekishod", redis_password, "~sekisho:* &sekisho:* +@all -@dangerous +role -@scripting"});
    redis_server redis(o);
    temp_dir keys;
    gateway a(store_options(keys, servers_of(redis)));
    tls_client c(a.internet(), "device-alice");
    const auto head = sign_in(c, fresh_code(0));
    BOOST_TEST(head.rfind("HTTP/1.1 503", 0) == 0, head);
    BOOST_TEST(reason_of(a, c) == "session_store_unavailable");
    BOOST_TEST(eventually([&] { return a.count_events("store_error") == 1; }, 3s), a.log());
    BOOST_TEST(a.log().find("NOPERM") != std::string::npos);
    BOOST_TEST(a.count_events("store_unavailable") == 0U);
}

// What an operator sees: sekishoctl status names the store and its state;
// doctor reaches the primary with the gateway's own user and says FAIL,
// with what to do, once it is gone (and the daemon's line says new sign-ins
// are refused).
BOOST_AUTO_TEST_CASE(status_and_doctor_show_the_store)
{
    redis_server redis(store_redis());
    temp_dir keys;
    gateway a(store_options(keys, servers_of(redis)));
    const auto doctor = [&] {
        const auto r = ctl(a, {"doctor", "--config", a.dir().file("sekisho.yaml"), "--json"});
        return boost::json::parse(r.out).as_object();
    };
    const auto check = [](const boost::json::object& report, const std::string& id) {
        for (const auto& c : report.at("checks").as_array())
        {
            if (c.as_object().at("id").as_string() == id)
            {
                return c.as_object();
            }
        }
        return boost::json::object{};
    };
    // The first sign-in connects the store.
    tls_client c(a.internet(), "device-alice");
    require_200(sign_in(c, fresh_code(0)));
    const auto up = ctl(a, {"status"});
    BOOST_TEST(up.out.find("store     redis reachable at " + redis.address()) != std::string::npos, up.out);
    auto report = doctor();
    BOOST_TEST(str(check(report, "store"), "status") == "ok", boost::json::serialize(report));
    BOOST_TEST(str(check(report, "store"), "message").find("user sekishod") != std::string::npos);

    redis.stop();
    BOOST_TEST(eventually([&] { return a.count_events("store_unavailable") >= 1; }, 5s), a.log());
    const auto down = ctl(a, {"status"});
    BOOST_TEST(down.out.find("UNREACHABLE (fail_closed") != std::string::npos, down.out);
    report = doctor();
    BOOST_TEST(str(check(report, "store"), "status") == "fail", boost::json::serialize(report));
    BOOST_TEST(str(check(report, "daemon"), "status") == "fail");
    BOOST_TEST(str(check(report, "daemon"), "message").find("new sign-ins are refused") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
