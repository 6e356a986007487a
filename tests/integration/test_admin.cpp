// The admin API on its Unix socket, through sekishoctl and curl --unix-socket:
// status and errors, the socket's mode, reload with its report, lifting a
// failure lockout, an operator's lock that ends the user's sessions at once,
// killing sessions, and sessions that end with their role's hours.

#include "daemon/auth/password.hpp"
#include "harness/checks.hpp"
#include "harness/signin.hpp"

#include <thread>

#include <sys/stat.h>

using namespace sekisho::test;

namespace {

gateway_options admin_options()
{
    auto o = auth_options();
    o.extra_config += "admin:\n  socket: run/admin.sock\n";
    return o;
}

std::string socket_of(const gateway& g)
{
    return g.dir().file("run/admin.sock");
}

run_result ctl(const gateway& g, std::vector<std::string> args)
{
    std::vector<std::string> argv{SEKISHOCTL_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--admin-socket");
    argv.push_back(socket_of(g));
    return run(argv, g.dir());
}

boost::json::value json_of(const run_result& r)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(r.out, ec);
    BOOST_TEST(!ec, "not JSON: " << r.out << r.err);
    return v;
}

// curl --unix-socket: the raw HTTP answer's status code and body.
std::pair<int, std::string> raw(const gateway& g, const std::string& method, const std::string& path)
{
    const auto r = run({"curl",
                        "-sS",
                        "--unix-socket",
                        socket_of(g),
                        "-X",
                        method,
                        "-o",
                        "-",
                        "-w",
                        "\n%{http_code}",
                        "http://sekishod" + path},
                       g.dir());
    const auto nl = r.out.rfind('\n');
    BOOST_REQUIRE_MESSAGE(nl != std::string::npos, r.err);
    return {std::stoi(r.out.substr(nl + 1)), r.out.substr(0, nl)};
}

// Signs alice in on a TLS client to the echo service; the tunnel is open.
void open_tunnel(tls_client& c, const std::string& code)
{
    BOOST_REQUIRE_MESSAGE(c.ok(), c.error());
    const auto head = connect_as(c, basic("alice", "correct horse" + code), echo_target());
    BOOST_REQUIRE_MESSAGE(head.rfind("HTTP/1.1 200", 0) == 0, head);
    BOOST_REQUIRE(c.send("ping"));
    BOOST_REQUIRE(c.recv_exactly(4) == "ping");
}

std::string end_cause(const gateway& g, std::uint16_t local_port)
{
    return str(g.record_for(local_port), "end");
}

} // namespace

BOOST_AUTO_TEST_SUITE(admin)

BOOST_AUTO_TEST_CASE(status_and_errors_on_a_private_socket)
{
    gateway g(admin_options());
    struct stat st
    {};
    BOOST_REQUIRE(::stat(socket_of(g).c_str(), &st) == 0);
    BOOST_TEST(S_ISSOCK(st.st_mode));
    BOOST_TEST((st.st_mode & 0777) == 0600U); // no admin.group: the daemon's user only

    const auto status = ctl(g, {"status", "--json"});
    BOOST_TEST(status.exit_code == 0, status.err);
    const auto s = json_of(status).as_object();
    BOOST_TEST(s.at("policy").as_string().size() == 64U);
    BOOST_TEST(s.at("auth").as_bool());
    BOOST_TEST(s.at("sessions").to_number<std::uint64_t>() == 0U);
    const auto text = ctl(g, {"status"});
    BOOST_TEST(text.exit_code == 0);
    BOOST_TEST(text.out.find("policy    " + std::string(s.at("policy").as_string()).substr(0, 16)) !=
                   std::string::npos,
               text.out);

    BOOST_TEST(raw(g, "GET", "/v1/nothing").first == 404);
    BOOST_TEST(raw(g, "POST", "/v1/status").first == 405);
    const auto bad = raw(g, "POST", "/v1/users/NOT%20AN%20ID/unlock");
    BOOST_TEST(bad.first == 400, bad.second);
    BOOST_TEST(g.log().find("event=admin_request method=GET path=/v1/status status=200 uid=") !=
                   std::string::npos,
               g.log());

    // Something that is not HTTP gets a 400 and the daemon carries on.
    const auto junk = run({"python3",
                           "-c",
                           "import socket,sys; s=socket.socket(socket.AF_UNIX); s.settimeout(5); "
                           "s.connect(sys.argv[1]); s.sendall(b'hello\\r\\n\\r\\n'); "
                           "print(s.recv(4096).decode())",
                           socket_of(g)},
                          g.dir());
    BOOST_TEST(junk.out.find("400") != std::string::npos, junk.out << junk.err);
    BOOST_TEST(ctl(g, {"status"}).exit_code == 0);

    // No daemon at the path: exit 1 and a message that says what to check.
    const auto none =
        run({SEKISHOCTL_PATH, "status", "--admin-socket", g.dir().file("nothing.sock")}, g.dir());
    BOOST_TEST(none.exit_code == 1);
    BOOST_TEST(none.err.find("cannot reach sekishod's admin socket") != std::string::npos, none.err);
}

BOOST_AUTO_TEST_CASE(reload_answers_its_report)
{
    auto o = admin_options();
    gateway g(o);
    const auto same = ctl(g, {"reload", "--json"});
    BOOST_TEST(same.exit_code == 0, same.err);
    const auto r = json_of(same).as_object();
    BOOST_TEST(r.at("policy_ok").as_bool());
    BOOST_TEST(!r.at("policy_changed").as_bool());
    BOOST_TEST(r.at("secrets_ok").as_bool());

    write_file(g.policy_file(), o.policy + "not yaml: [\n");
    const auto broken = ctl(g, {"reload"});
    BOOST_TEST(broken.exit_code == 1);
    BOOST_TEST(broken.out.find("REJECTED, the previous one stays") != std::string::npos, broken.out);
    BOOST_TEST(broken.out.find("policy.yaml:") != std::string::npos, broken.out); // file:line
    BOOST_TEST(g.proc().running());
}

BOOST_AUTO_TEST_CASE(unlock_lifts_a_failure_lockout)
{
    gateway g(admin_options());
    for (int i = 0; i < 3; ++i)
    {
        tls_client c(g.internet(), "device-alice");
        BOOST_REQUIRE_MESSAGE(c.ok(), c.error());
        connect_as(c, basic("alice", "guess" + std::to_string(i) + "123456"), echo_target());
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    {
        tls_client c(g.internet(), "device-alice");
        BOOST_REQUIRE_MESSAGE(c.ok(), c.error());
        BOOST_TEST(connect_as(c, basic("alice", "correct horse" + code_now()), echo_target())
                       .rfind("HTTP/1.1 407", 0) == 0);
        BOOST_TEST(str(g.record_for(c.local_port()), "reason") == "auth_locked");
    }
    const auto unlock = ctl(g, {"user", "unlock", "alice", "--secrets", g.dir().file("secrets.yaml")});
    BOOST_TEST(unlock.exit_code == 0, unlock.out << unlock.err);
    BOOST_TEST(unlock.out.find("failure lockouts lifted: 2") != std::string::npos,
               unlock.out); // user and device

    tls_client c(g.internet(), "device-alice");
    open_tunnel(c, code_now());
}

BOOST_AUTO_TEST_CASE(lock_ends_the_session_and_refuses_sign_in_until_unlocked)
{
    gateway g(admin_options());
    const auto secrets = g.dir().file("secrets.yaml");
    tls_client tunnel(g.internet(), "device-alice");
    const auto first_code = code_now();
    open_tunnel(tunnel, first_code);

    const auto lock = ctl(g, {"user", "lock", "alice", "--secrets", secrets});
    BOOST_TEST(lock.exit_code == 0, lock.out << lock.err);
    BOOST_TEST(read_file(secrets).find("locked: true") != std::string::npos);
    // The open tunnel is closed at once, and says why.
    BOOST_TEST(tunnel.closed_by_peer());
    BOOST_TEST(end_cause(g, tunnel.local_port()) == "session_ended");
    BOOST_TEST(g.log().find("event=session_ended") != std::string::npos);
    BOOST_TEST(g.log().find("cause=user_locked") != std::string::npos, g.log());

    // The right password and a fresh code: refused, as any failure is (407).
    tls_client again(g.internet(), "device-alice");
    BOOST_REQUIRE_MESSAGE(again.ok(), again.error());
    BOOST_TEST(
        connect_as(again, basic("alice", "correct horse" + code_now(std::chrono::seconds(30))), echo_target())
            .rfind("HTTP/1.1 407", 0) == 0);
    BOOST_TEST(str(g.record_for(again.local_port()), "reason") == "user_locked");

    // Locking twice changes nothing; unlocking lets alice in again.
    BOOST_TEST(ctl(g, {"user", "lock", "alice", "--secrets", secrets}).out.find("already locked") !=
               std::string::npos);
    const auto unlock = ctl(g, {"user", "unlock", "alice", "--secrets", secrets, "--json"});
    BOOST_TEST(unlock.exit_code == 0, unlock.out << unlock.err);
    BOOST_TEST(json_of(unlock).as_object().at("reloaded").as_bool());
    BOOST_TEST(read_file(secrets).find("locked") == std::string::npos);
    tls_client back(g.internet(), "device-alice");
    // A code that has not opened a session yet (the clock may have moved on a
    // step since the first one).
    open_tunnel(back, code_now() != first_code ? code_now() : code_now(std::chrono::seconds(30)));
}

BOOST_AUTO_TEST_CASE(session_kill_closes_the_sessions_tunnels)
{
    gateway g(admin_options());
    tls_client tunnel(g.internet(), "device-alice");
    open_tunnel(tunnel, code_now());

    const auto list = ctl(g, {"session", "list", "--user", "alice", "--json"});
    BOOST_TEST(list.exit_code == 0, list.err);
    const auto sessions = json_of(list).as_object().at("sessions").as_array();
    BOOST_REQUIRE(sessions.size() == 1U);
    BOOST_TEST(sessions[0].as_object().at("device").as_string() == "alice-pc");
    BOOST_TEST(sessions[0].as_object().at("open_tunnels").as_int64() == 1);
    BOOST_TEST(ctl(g, {"session", "list", "--user", "demo", "--json"}).out.find("\"sessions\":[]") !=
               std::string::npos);

    const auto id = std::string(sessions[0].as_object().at("id").as_string());
    const auto kill = ctl(g, {"session", "kill", id});
    BOOST_TEST(kill.exit_code == 0, kill.out << kill.err);
    BOOST_TEST(tunnel.closed_by_peer());
    BOOST_TEST(end_cause(g, tunnel.local_port()) == "session_killed");
    BOOST_TEST(ctl(g, {"session", "kill", id}).exit_code == 1); // gone
    BOOST_TEST(ctl(g, {"session", "kill"}).exit_code == 2);     // which one?
}

BOOST_AUTO_TEST_CASE(a_session_ends_when_its_roles_hours_end)
{
    auto o = admin_options();
    gateway g(o);
    tls_client tunnel(g.internet(), "device-alice");
    open_tunnel(tunnel, code_now());

    // The role's hours now exclude this moment: a one-hour window twelve
    // hours away, every day (Asia/Tokyo).
    const auto now = std::chrono::system_clock::now();
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(now.time_since_epoch()).count();
    const auto jst_hour = ((minutes / 60) + 9 + 12) % 24;
    char window[48];
    std::snprintf(window,
                  sizeof window,
                  "from: \"%02lld:00\", to: \"%02lld:00\"",
                  static_cast<long long>(jst_hour),
                  static_cast<long long>((jst_hour + 1) % 24));
    auto policy = o.policy;
    const std::string anchor = "    mfa: false\n";
    const auto pos = policy.find(anchor);
    BOOST_REQUIRE(pos != std::string::npos);
    policy.insert(pos + anchor.size(), "    hours: [{days: [sun-sat], " + std::string(window) + "}]\n");
    BOOST_TEST(g.reload_with(policy) == "policy_reloaded", g.log());

    BOOST_TEST(tunnel.closed_by_peer());
    BOOST_TEST(eventually([&] { return g.log().find("cause=outside_hours") != std::string::npos; },
                          std::chrono::seconds(5)),
               g.log());
    const auto list = ctl(g, {"session", "list", "--json"});
    BOOST_TEST(list.out.find("\"sessions\":[]") != std::string::npos, list.out);
}

BOOST_AUTO_TEST_SUITE_END()
