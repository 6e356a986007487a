// systemd's notification protocol, asserted on a test NOTIFY_SOCKET: READY=1
// once the listeners are up, RELOADING=1 then READY=1 around a reload,
// STOPPING=1 on drain, STATUS= lines, and WATCHDOG=1 at half of
// WATCHDOG_USEC (and none when WATCHDOG_PID names another process).

#include "harness/checks.hpp"

#include <csignal>
#include <cstring>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace sekisho::test;

namespace {

using steady = std::chrono::steady_clock;

struct message
{
    steady::time_point at;
    std::string text;
};

// The socket systemd would listen on: one datagram per notification.
class notify_socket
{
public:
    explicit notify_socket(const temp_dir& dir) : path_(dir.file("notify.sock"))
    {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        BOOST_REQUIRE(path_.size() < sizeof a.sun_path);
        std::memcpy(a.sun_path, path_.c_str(), path_.size());
        BOOST_REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    }
    ~notify_socket() { ::close(fd_); }
    notify_socket(const notify_socket&) = delete;
    notify_socket& operator=(const notify_socket&) = delete;

    const std::string& path() const { return path_; }

    // Reads what arrived until `until` says stop or the timeout; returns
    // everything received so far.
    template <class Pred>
    const std::vector<message>& wait_for(Pred until, std::chrono::milliseconds timeout)
    {
        const auto end = steady::now() + timeout;
        while (!until(received_) && steady::now() < end)
        {
            pollfd p{fd_, POLLIN, 0};
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - steady::now());
            if (::poll(&p, 1, static_cast<int>(std::max<long long>(left.count(), 0))) <= 0)
            {
                continue;
            }
            char buf[4096];
            const auto n = ::recv(fd_, buf, sizeof buf, 0);
            if (n > 0)
            {
                received_.push_back({steady::now(), std::string(buf, static_cast<std::size_t>(n))});
            }
        }
        return received_;
    }

    const std::vector<message>& received() const { return received_; }

private:
    std::string path_;
    int fd_ = -1;
    std::vector<message> received_;
};

std::size_t count_with(const std::vector<message>& m, const std::string& needle, std::size_t from = 0)
{
    std::size_t n = 0;
    for (std::size_t i = from; i < m.size(); ++i)
    {
        n += m[i].text.find(needle) != std::string::npos ? 1U : 0U;
    }
    return n;
}

// Index of the first message at or after `from` containing `needle`.
std::optional<std::size_t>
first_with(const std::vector<message>& m, const std::string& needle, std::size_t from = 0)
{
    for (std::size_t i = from; i < m.size(); ++i)
    {
        if (m[i].text.find(needle) != std::string::npos)
        {
            return i;
        }
    }
    return std::nullopt;
}

} // namespace

BOOST_AUTO_TEST_SUITE(notify)

BOOST_AUTO_TEST_CASE(ready_reloading_stopping_and_status)
{
    temp_dir dir;
    notify_socket sock(dir);
    gateway_options o;
    o.env["NOTIFY_SOCKET"] = sock.path();
    gateway g(o);
    // READY=1 comes with the first STATUS= line, once the listeners are up
    // (the gateway harness has already seen them in the log).
    auto& m = sock.wait_for([](const auto& r) { return count_with(r, "READY=1") >= 1; }, 5s);
    const auto ready = first_with(m, "READY=1");
    BOOST_REQUIRE(ready);
    BOOST_TEST(m[*ready].text.find("STATUS=") != std::string::npos, m[*ready].text);
    BOOST_TEST(m[*ready].text.find("policy ") != std::string::npos, m[*ready].text);
    BOOST_TEST(count_with(m, "WATCHDOG=1") == 0U); // no WatchdogSec, no watchdog

    // A reload: RELOADING=1 (with the monotonic time systemd 253 wants),
    // then READY=1 with the outcome in STATUS=.
    const auto before = m.size();
    g.proc().signal(SIGHUP);
    sock.wait_for([&](const auto& r) { return count_with(r, "READY=1", before) >= 1; }, 5s);
    const auto reloading = first_with(m, "RELOADING=1", before);
    BOOST_REQUIRE(reloading);
    BOOST_TEST(m[*reloading].text.find("MONOTONIC_USEC=") != std::string::npos);
    const auto again = first_with(m, "READY=1", *reloading);
    BOOST_REQUIRE(again);
    BOOST_TEST(m[*again].text.find("last reload") != std::string::npos, m[*again].text);
    BOOST_TEST(m[*again].text.find(" ok") != std::string::npos, m[*again].text);

    // A rejected policy still ends in READY=1; STATUS= says it was rejected.
    const auto before_bad = m.size();
    write_file(g.policy_file(), "version: 1\nservices: [\n");
    g.proc().signal(SIGHUP);
    sock.wait_for([&](const auto& r) { return count_with(r, "READY=1", before_bad) >= 1; }, 5s);
    const auto rejected = first_with(m, "READY=1", before_bad);
    BOOST_REQUIRE(rejected);
    BOOST_TEST(m[*rejected].text.find("REJECTED") != std::string::npos, m[*rejected].text);

    // Drain: STOPPING=1 as soon as SIGTERM is taken.
    const auto before_stop = m.size();
    g.proc().signal(SIGTERM);
    sock.wait_for([&](const auto& r) { return count_with(r, "STOPPING=1", before_stop) >= 1; }, 5s);
    BOOST_TEST(count_with(m, "STOPPING=1", before_stop) == 1U);
    // The one SIGTERM is enough (a second one would force the drain).
    BOOST_TEST(g.proc().wait_for(15s).value_or(-1) == 0);
}

BOOST_AUTO_TEST_CASE(watchdog_at_half_the_interval)
{
    temp_dir dir;
    notify_socket sock(dir);
    gateway_options o;
    o.env["NOTIFY_SOCKET"] = sock.path();
    o.env["WATCHDOG_USEC"] = "1000000"; // a beat every 500 ms
    gateway g(o);
    auto& m = sock.wait_for([](const auto& r) { return count_with(r, "WATCHDOG=1") >= 8; }, 8s);
    BOOST_REQUIRE(count_with(m, "WATCHDOG=1") >= 8U);
    // The gaps between beats: about 500 ms, never near the 1 s limit (the
    // bounds leave room for a loaded machine and the sanitizers).
    std::vector<steady::time_point> beats;
    for (const auto& x : m)
    {
        if (x.text == "WATCHDOG=1")
        {
            beats.push_back(x.at);
        }
    }
    for (std::size_t i = 2; i < beats.size(); ++i)
    {
        const auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(beats[i] - beats[i - 1]);
        BOOST_TEST(gap.count() >= 300, "gap " << gap.count() << " ms");
        BOOST_TEST(gap.count() <= 900, "gap " << gap.count() << " ms");
    }
    // Beats keep coming while tunnels are served.
    require_serving(g);
    const auto before = m.size();
    sock.wait_for([&](const auto& r) { return count_with(r, "WATCHDOG=1", before) >= 2; }, 3s);
    BOOST_TEST(count_with(m, "WATCHDOG=1", before) >= 2U);
}

BOOST_AUTO_TEST_CASE(a_watchdog_meant_for_another_process_is_ignored)
{
    temp_dir dir;
    notify_socket sock(dir);
    gateway_options o;
    o.env["NOTIFY_SOCKET"] = sock.path();
    o.env["WATCHDOG_USEC"] = "200000";
    o.env["WATCHDOG_PID"] = "1";
    gateway g(o);
    auto& m = sock.wait_for([](const auto&) { return false; }, 1500ms);
    BOOST_TEST(count_with(m, "READY=1") == 1U);
    BOOST_TEST(count_with(m, "WATCHDOG=1") == 0U);
}

BOOST_AUTO_TEST_SUITE_END()
