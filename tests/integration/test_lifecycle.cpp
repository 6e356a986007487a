// Limits, timeouts and shutdown: per-device tunnel cap, connection cap, idle
// timeout, maximum lifetime, SIGHUP, and SIGTERM drain (with a tunnel open,
// and past the drain deadline).

#include "harness/checks.hpp"

#include <csignal>
#include <fstream>
#include <future>
#include <regex>
#include <thread>

using namespace sekisho::test;

namespace {

std::string echo_target()
{
    return "files.cloud.test:" + std::to_string(world::get().echo.port());
}

// An open tunnel to the echo server, proven to work.
std::unique_ptr<tls_client> open_tunnel(std::uint16_t port, const std::string& device = "device-demo")
{
    auto c = std::make_unique<tls_client>(port, device);
    BOOST_REQUIRE_MESSAGE(c->ok(), c->error());
    const auto head = c->connect(echo_target());
    BOOST_REQUIRE_MESSAGE(head.rfind("HTTP/1.1 200", 0) == 0, head);
    BOOST_REQUIRE(c->send("ping"));
    BOOST_REQUIRE(c->recv_exactly(4) == "ping");
    return c;
}

// UBSan cannot run out of file descriptors: its vptr check tests memory with
// pipe() (sanitizer_common's IsAccessibleMemoryRange), which fails with
// EMFILE and is then reported as an "invalid vptr". The descriptor
// exhaustion test therefore runs in the plain builds only.
boost::test_tools::assertion_result not_sanitized(boost::unit_test::test_unit_id)
{
#if defined(SEKISHO_SANITIZED)
    boost::test_tools::assertion_result r(false);
    r.message() << "skipped under sanitizers (their checks need file descriptors)";
    return r;
#else
    return true;
#endif
}

} // namespace

BOOST_AUTO_TEST_SUITE(lifecycle)

BOOST_AUTO_TEST_CASE(tunnels_per_device_are_capped_with_429)
{
    gateway_options o;
    o.limits = {"tunnels_per_device: 2"};
    gateway g(o);
    auto a = open_tunnel(g.internet());
    auto b = open_tunnel(g.internet());
    tls_client third(g.internet());
    BOOST_REQUIRE(third.ok());
    const auto head = third.connect(echo_target());
    BOOST_TEST(head.rfind("HTTP/1.1 429", 0) == 0, head);
    BOOST_TEST(head.find("Sekisho-Error: device_tunnel_limit") != std::string::npos);
    // Another device is not affected; closing one frees a slot.
    auto other = open_tunnel(g.internet(), "device-alice");
    a.reset();
    BOOST_TEST(eventually(
        [&] {
            tls_client retry(g.internet());
            return retry.ok() && retry.connect(echo_target()).rfind("HTTP/1.1 200", 0) == 0;
        },
        std::chrono::seconds(5)));
}

BOOST_AUTO_TEST_CASE(connections_over_the_cap_are_closed_at_once)
{
    gateway_options o;
    o.limits = {"max_connections: 1"};
    gateway g(o);
    auto held = open_tunnel(g.internet());
    tls_client refused(g.internet(), "device-demo", std::chrono::seconds(3));
    BOOST_TEST(!refused.ok());
    BOOST_TEST(eventually([&] { return g.log().find("event=connection_limit") != std::string::npos; },
                          std::chrono::seconds(3)));
    BOOST_TEST(held->send("still"));
    BOOST_TEST(held->recv_exactly(5) == "still");
}

BOOST_AUTO_TEST_CASE(out_of_file_descriptors_it_backs_off_keeps_its_tunnels_and_recovers,
                     *boost::unit_test::precondition(not_sanitized))
{
    gateway_options o;
    o.wrapper = {"prlimit", "--nofile=48:48", "--"};
    o.threads = 1;
    o.timeouts = {"tls_handshake: 30s", "request: 30s", "dns: 1s", "connect: 1s"};
    o.limits = {"accept_backoff: 50ms"};
    gateway g(o);
    auto tunnel = open_tunnel(g.internet());
    // Connections that never start TLS hold one descriptor each, until the
    // daemon has none left and accept() fails with EMFILE.
    std::vector<std::unique_ptr<tcp_client>> hogs;
    for (int i = 0; i < 60; ++i)
    {
        hogs.push_back(std::make_unique<tcp_client>(g.internet()));
    }
    BOOST_TEST(eventually([&] { return g.log().find("event=accept_failed") != std::string::npos; },
                          std::chrono::seconds(5)),
               g.log());
    BOOST_TEST(g.log().find("Too many open files") != std::string::npos);
    // Backed off, not spinning, and logged at most once a second.
    const auto text = g.log();
    std::size_t failures = 0;
    for (auto pos = text.find("event=accept_failed"); pos != std::string::npos;
         pos = text.find("event=accept_failed", pos + 1))
    {
        ++failures;
    }
    BOOST_TEST(failures < 10U);
    // The open tunnel keeps working while accept fails.
    BOOST_TEST(tunnel->send("still-here"));
    BOOST_TEST(tunnel->recv_exactly(10) == "still-here");
    // Descriptors come back: the daemon accepts again and serves.
    hogs.clear();
    require_serving(g);
    BOOST_TEST(g.proc().running());
}

// The process's CPU time so far (user + system), from /proc/PID/stat.
double cpu_seconds(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string f;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i)
    {
        ticks += (i == 14 || i == 15) ? std::stod(f) : 0;
    }
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

BOOST_AUTO_TEST_CASE(out_of_file_descriptors_the_metrics_and_admin_sockets_back_off_too,
                     *boost::unit_test::precondition(not_sanitized))
{
    gateway_options o;
    o.wrapper = {"prlimit", "--nofile=48:48", "--"};
    o.threads = 1;
    o.timeouts = {"tls_handshake: 30s", "request: 30s", "dns: 1s", "connect: 1s"};
    o.limits = {"accept_backoff: 50ms"};
    o.extra_config = "metrics:\n  address: 127.0.0.1\n  port: 0\nadmin:\n  socket: run/admin.sock\n";
    gateway g(o);
    std::smatch m;
    const auto log = g.log();
    BOOST_REQUIRE(
        std::regex_search(log, m, std::regex(R"(event=metrics_listening address=127\.0\.0\.1:(\d+))")));
    const auto metrics_port = static_cast<std::uint16_t>(std::stoi(m[1]));
    std::vector<std::unique_ptr<tcp_client>> hogs;
    for (int i = 0; i < 60; ++i)
    {
        hogs.push_back(std::make_unique<tcp_client>(g.internet()));
    }
    BOOST_REQUIRE(eventually([&] { return g.log().find("event=accept_failed") != std::string::npos; }, 5s));
    // Connections waiting in the metrics and admin sockets' queues: each
    // accept fails with EMFILE while the descriptors are gone. A loop that
    // retried at once would keep I/O thread 0 (and a core) busy.
    tcp_client scrape(metrics_port);
    BOOST_REQUIRE(scrape.ok());
    auto admin = std::async(std::launch::async, [&] {
        return run({"curl",
                    "-sS",
                    "--max-time",
                    "10",
                    "--unix-socket",
                    g.dir().file("run/admin.sock"),
                    "http://sekishod/v1/status"},
                   g.dir(),
                   15s);
    });
    const auto before = cpu_seconds(g.proc().pid());
    std::this_thread::sleep_for(1500ms);
    const auto used = cpu_seconds(g.proc().pid()) - before;
    BOOST_TEST(used < 0.5, "sekishod used " << used << " s of CPU in 1.5 s with its descriptors gone");
    // Descriptors come back: both are served.
    hogs.clear();
    BOOST_TEST(admin.get().out.find("\"policy\"") != std::string::npos);
    const auto r = run(
        {"curl", "-sS", "-f", "http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics"}, g.dir(), 10s);
    BOOST_TEST(r.out.find("sekisho_connections_open") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(an_idle_tunnel_is_closed_at_the_idle_timeout)
{
    gateway_options o;
    o.timeouts.push_back("idle: 1s");
    gateway g(o);
    auto c = open_tunnel(g.internet());
    BOOST_TEST(c->closed_by_peer(std::chrono::seconds(5)));
    BOOST_TEST(str(g.record_for(c->local_port()), "end") == "idle_timeout");
}

BOOST_AUTO_TEST_CASE(a_busy_tunnel_is_closed_at_its_maximum_lifetime)
{
    gateway_options o;
    o.timeouts.push_back("tunnel_lifetime: 2s");
    gateway g(o);
    auto c = open_tunnel(g.internet());
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(6);
    bool closed = false;
    while (!closed && std::chrono::steady_clock::now() < end)
    {
        closed = !c->send("x") || c->recv_exactly(1, std::chrono::milliseconds(300)) != "x";
    }
    BOOST_TEST(closed);
    BOOST_TEST(str(g.record_for(c->local_port()), "end") == "lifetime");
}

BOOST_AUTO_TEST_CASE(sighup_with_an_unchanged_policy_keeps_serving)
{
    auto& g = shared_gateway();
    g.proc().signal(SIGHUP);
    BOOST_TEST(eventually([&] { return g.log().find("event=policy_unchanged") != std::string::npos; },
                          std::chrono::seconds(5)),
               g.log());
    require_serving(g);
}

BOOST_AUTO_TEST_CASE(sigterm_drains_open_tunnels_then_exits_zero)
{
    gateway_options o;
    o.timeouts = {"drain: 20s"};
    gateway g(o);
    auto c = open_tunnel(g.internet());
    g.proc().signal(SIGTERM);
    BOOST_TEST(eventually([&] { return !can_connect(g.internet()); }, std::chrono::seconds(3)));
    // The open tunnel keeps working during the drain.
    BOOST_TEST(c->send("during-drain"));
    BOOST_TEST(c->recv_exactly(12) == "during-drain");
    BOOST_TEST(g.proc().running());
    c->shutdown_write();
    BOOST_TEST(c->closed_by_peer(std::chrono::seconds(5)));
    auto status = g.proc().wait_for(std::chrono::seconds(5));
    BOOST_TEST((status && *status == 0));
    BOOST_TEST(str(g.record_for(c->local_port()), "end") == "closed");
    BOOST_TEST(g.log().find("event=drain_started") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_drain_deadline_closes_what_is_left)
{
    gateway_options o;
    o.timeouts = {"drain: 1s"};
    gateway g(o);
    auto c = open_tunnel(g.internet());
    const auto start = std::chrono::steady_clock::now();
    g.proc().signal(SIGTERM);
    BOOST_TEST(c->closed_by_peer(std::chrono::seconds(6)));
    auto status = g.proc().wait_for(std::chrono::seconds(6));
    BOOST_TEST((status && *status == 0));
    BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(8)));
    BOOST_TEST(str(g.record_for(c->local_port()), "end") == "drain");
}

BOOST_AUTO_TEST_SUITE_END()
