// Abusive clients against the real sekishod, each bounded in count and time
// (docs/testing.md, "Fault and abuse tests"): slowloris on the CONNECT head
// and on the TLS ClientHello, TLS handshake floods (garbage, a ClientHello
// then nothing, no client certificate) under the connection cap, half-open
// connections at scale (silent, vanished with a RST, left open), and clients
// that never read a flooding upstream. Each asserts that an allowed tunnel is
// still served meanwhile with bounded latency, that the daemon's resident
// memory stays within a stated bound, and that its descriptors come back to
// their baseline.

#include "harness/checks.hpp"
#include "harness/faults_peers.hpp"
#include "harness/faults_probe.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace sekisho::test;

namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::int64_t ms_between(steady::time_point a, steady::time_point b)
{
    return std::chrono::duration_cast<milliseconds>(b - a).count();
}

// Tunnel records whose `field` is `value`.
std::size_t records_with(const gateway& g, const char* field, const std::string& value)
{
    std::size_t n = 0;
    for (const auto& r : g.records())
    {
        n += str(r, field) == value ? 1U : 0U;
    }
    return n;
}

// ---- slowloris on the CONNECT head ------------------------------------------

struct slow_head_round
{
    std::size_t peak_rss = 0;
    std::size_t answered_408 = 0;
    std::size_t closed = 0;
    std::int64_t earliest_ms = 1 << 30; // from TLS established to the cut
    std::int64_t latest_ms = 0;
    std::vector<std::string> late; // local port and time of answers past the bound
};

// `n` clients complete TLS, then send a CONNECT head one byte a second; the
// head is far longer than the request deadline allows.
slow_head_round slowloris_head_round(gateway& g, std::size_t n)
{
    const std::string head = "CONNECT files.cloud.test:" + std::to_string(world::get().cloud.port()) +
                             " HTTP/1.1\r\nHost: files.cloud.test\r\nUser-Agent: slow\r\n\r\n";
    struct slow
    {
        std::unique_ptr<tls_client> c;
        steady::time_point established;
        std::string got;
        bool closed = false;
    };
    std::vector<slow> clients;
    slow_head_round out;
    // Looks at every client once, without waiting: the answer first, then
    // the close (looked for only once the answer is whole, so that no read
    // drops part of it).
    auto look = [&] {
        for (auto& s : clients)
        {
            if (s.closed)
            {
                continue;
            }
            if (s.got.find("\r\n\r\n") == std::string::npos)
            {
                s.got += s.c->recv_until({}, milliseconds(0));
                if (s.got.find("\r\n\r\n") != std::string::npos)
                {
                    const auto took = ms_between(s.established, steady::now());
                    out.earliest_ms = std::min(out.earliest_ms, took);
                    out.latest_ms = std::max(out.latest_ms, took);
                    if (took > 5500)
                    {
                        out.late.push_back(std::to_string(s.c->local_port()) + " after " +
                                           std::to_string(took) + " ms");
                    }
                    out.answered_408 += s.got.rfind("HTTP/1.1 408", 0) == 0 ? 1U : 0U;
                }
            }
            else if (s.c->closed_by_peer(milliseconds(0)))
            {
                s.closed = true;
                ++out.closed;
            }
        }
    };
    // The handshakes take a while on a busy machine: the clients already
    // connected are looked at between two, so that an answer is seen when
    // it comes.
    for (std::size_t i = 0; i < n; ++i)
    {
        auto c = std::make_unique<tls_client>(g.internet());
        BOOST_REQUIRE_MESSAGE(c->ok(), "slow client " << i << ": " << c->error());
        clients.push_back({std::move(c), steady::now(), {}, false});
        look();
    }
    out.peak_rss = rss_kib(g.proc().pid());
    std::size_t next_byte = 0;
    auto next_send = steady::now();
    // Bounded: the request deadline (3 s) plus 6 s, in 50 ms steps.
    const auto give_up = steady::now() + std::chrono::seconds(9);
    while (out.closed < n && steady::now() < give_up)
    {
        if (steady::now() >= next_send && next_byte < head.size())
        {
            for (auto& s : clients)
            {
                if (!s.closed)
                {
                    s.c->send(head.substr(next_byte, 1), milliseconds(50));
                }
            }
            ++next_byte;
            next_send += std::chrono::seconds(1);
        }
        out.peak_rss = std::max(out.peak_rss, rss_kib(g.proc().pid()));
        look();
        std::this_thread::sleep_for(milliseconds(50));
    }
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(faults_clients)

BOOST_AUTO_TEST_CASE(slowloris_on_the_connect_head_is_cut_at_the_request_deadline)
{
    // 300 clients a round, two rounds: the second must not grow memory.
    constexpr std::size_t n = 300;
    gateway g(fault_options({"tls_handshake: 5s", "request: 3s", "dns: 1s", "connect: 1s", "drain: 5s"}));
    const auto base = warm(g);
    const auto pid = g.proc().pid();

    steady_client normal(g.internet());
    const auto first = slowloris_head_round(g, n);
    const auto after_first = rss_kib(pid);
    const auto second = slowloris_head_round(g, n);
    normal.stop();

    BOOST_TEST_MESSAGE("slowloris head: baseline " << base.rss << " KiB, peaks " << first.peak_rss << " / "
                                                   << second.peak_rss << " KiB, cuts " << first.earliest_ms
                                                   << "-" << first.latest_ms << " ms, slowest allowed tunnel "
                                                   << normal.slowest().count() << " ms (" << normal.ok()
                                                   << " ok)");
    for (const auto* round : {&first, &second})
    {
        // Every slow client is answered 408 and closed at the request
        // deadline (3 s after its handshake), not early and not much after.
        BOOST_TEST(round->closed == n);
        BOOST_TEST(round->answered_408 == n);
        // From the client's side: it learns of the finished handshake later than
        // the daemon starts the deadline (2.56 s seen under ASan with 300 clients).
        BOOST_TEST(round->earliest_ms >= 2000, "cut after " << round->earliest_ms << " ms");
        BOOST_TEST(round->latest_ms <= 5500, "cut after " << round->latest_ms << " ms");
        for (const auto& l : round->late)
        {
            BOOST_TEST_MESSAGE("late 408: " << l);
        }
    }
    BOOST_TEST(records_with(g, "reason", "request_timeout") == 2 * n);
    // Normal clients were served all along, none waiting behind the slow
    // ones (a wait for a slot would last until a cut: 3 s).
    BOOST_TEST(normal.failed() == 0, normal.first_failure());
    BOOST_TEST(normal.ok() >= 10);
    BOOST_TEST(normal.slowest().count() < 3000,
               "slowest allowed tunnel " << normal.slowest().count() << " ms");

    // Memory: 300 connections waiting for their head each hold an SSL
    // object, a session coroutine and a head buffer of at most
    // limits.request_head_bytes (8 KiB): 36 KiB each was measured (300 →
    // +10.7 MiB, Release); 64 KiB each is the ceiling (19 MiB in all). The second round reuses
    // what the first freed: a leak of 10 KiB per connection would add 3 MiB.
    const auto during = std::max(first.peak_rss, second.peak_rss) - base.rss;
    BOOST_TEST(during <= n * 64 * memory_bound_factor,
               "RSS grew by " << during << " KiB with " << n << " slow clients");
    BOOST_TEST(second.peak_rss <= first.peak_rss + 3 * kib * memory_bound_factor,
               "round 2 peak " << second.peak_rss << " KiB vs round 1 " << first.peak_rss << " KiB");
    BOOST_TEST(rss_kib(pid) <= after_first + 3 * kib * memory_bound_factor);
    const auto fds = fds_settle_to(pid, base.fds + fd_slack, std::chrono::seconds(3));
    BOOST_TEST(fds <= base.fds + fd_slack, "fds " << fds << " vs baseline " << base.fds);
    require_serving(g);
}

BOOST_AUTO_TEST_CASE(slowloris_on_the_client_hello_is_cut_at_the_handshake_deadline)
{
    constexpr std::size_t n = 250;
    gateway g(fault_options({"tls_handshake: 3s", "request: 3s", "dns: 1s", "connect: 1s", "drain: 5s"}));
    const auto base = warm(g);
    const auto pid = g.proc().pid();
    const auto hello = client_hello();
    BOOST_REQUIRE(hello.size() > 10U); // never complete at a byte a second

    steady_client normal(g.internet());
    struct slow
    {
        int fd;
        steady::time_point connected;
        bool closed = false;
    };
    std::vector<slow> clients;
    for (std::size_t i = 0; i < n; ++i)
    {
        const int fd = raw_connect(g.internet());
        BOOST_REQUIRE_MESSAGE(fd >= 0, "connect " << i);
        clients.push_back({fd, steady::now()});
    }
    std::size_t closed = 0;
    std::size_t peak = 0;
    std::int64_t earliest = 1 << 30;
    std::int64_t latest = 0;
    std::size_t next_byte = 0;
    auto next_send = steady::now();
    const auto give_up = steady::now() + std::chrono::seconds(9);
    while (closed < n && steady::now() < give_up)
    {
        if (steady::now() >= next_send)
        {
            for (auto& s : clients)
            {
                if (!s.closed)
                {
                    raw_send(s.fd, hello.substr(next_byte, 1), milliseconds(50));
                }
            }
            ++next_byte;
            next_send += std::chrono::seconds(1);
        }
        peak = std::max(peak, rss_kib(pid));
        for (auto& s : clients)
        {
            if (!s.closed && peer_closed_now(s.fd))
            {
                s.closed = true;
                ++closed;
                const auto took = ms_between(s.connected, steady::now());
                earliest = std::min(earliest, took);
                latest = std::max(latest, took);
                ::close(s.fd);
            }
        }
        std::this_thread::sleep_for(milliseconds(100));
    }
    normal.stop();
    for (auto& s : clients)
    {
        if (!s.closed)
        {
            ::close(s.fd);
        }
    }
    BOOST_TEST_MESSAGE("slowloris hello: RSS +" << peak - base.rss << " KiB, cuts " << earliest << "-"
                                                << latest << " ms, slowest allowed tunnel "
                                                << normal.slowest().count() << " ms");
    // The handshake deadline counts from accept: 3 s.
    BOOST_TEST(closed == n);
    BOOST_TEST(earliest >= 2800, "cut after " << earliest << " ms");
    BOOST_TEST(latest <= 5500, "cut after " << latest << " ms");
    BOOST_TEST(eventually([&] { return records_with(g, "reason", "tls_handshake_timeout") == n; },
                          std::chrono::seconds(3)));
    BOOST_TEST(normal.failed() == 0, normal.first_failure());
    BOOST_TEST(normal.ok() >= 5);
    BOOST_TEST(normal.slowest().count() < 3000,
               "slowest allowed tunnel " << normal.slowest().count() << " ms");
    // A connection inside its handshake holds an SSL object with OpenSSL's
    // record and handshake buffers, and a coroutine: 56 KiB each was
    // measured (250 → +14 MiB, Release). 96 KiB each is the ceiling; a
    // connection that kept what it was sent, or was never freed, would pass
    // it in the second test below or at exit (LeakSanitizer).
    BOOST_TEST(peak - base.rss <= n * 96 * memory_bound_factor, "RSS grew by " << peak - base.rss << " KiB");
    const auto fds = fds_settle_to(pid, base.fds + fd_slack, std::chrono::seconds(3));
    BOOST_TEST(fds <= base.fds + fd_slack, "fds " << fds << " vs baseline " << base.fds);
    require_serving(g);
}

BOOST_AUTO_TEST_CASE(tls_handshake_floods_leave_it_serving_and_the_connection_cap_holds)
{
    constexpr std::size_t cap = 150;
    constexpr std::size_t attempts = 2000;
    constexpr std::size_t no_cert_attempts = attempts / 4;
    constexpr std::size_t raw_attempts = attempts - no_cert_attempts;
    constexpr std::size_t window = 60; // raw attempts in flight at once (below the cap)
    gateway g(fault_options({"tls_handshake: 2s", "request: 2s", "dns: 1s", "connect: 1s", "drain: 5s"},
                            {"max_connections: " + std::to_string(cap)}));
    const auto base = warm(g);
    const auto pid = g.proc().pid();
    const auto mport = metrics_port(g);
    const auto hello = client_hello();
    const auto records_before = g.records().size();

    // Phase 1: 2,000 hostile attempts, at most ~100 at a time, while a normal
    // client keeps opening tunnels.
    std::atomic<bool> flooding{true};
    std::atomic<int> most_open{0};
    std::atomic<int> last_open{0};
    std::atomic<std::size_t> peak_rss{0};
    std::thread watcher([&] {
        for (int i = 0; i < 2000 && flooding; ++i)
        {
            if (const auto v = scrape(mport, "sekisho_connections_open"))
            {
                last_open = static_cast<int>(*v);
                most_open = std::max(most_open.load(), static_cast<int>(*v));
            }
            peak_rss = std::max(peak_rss.load(), rss_kib(pid));
            std::this_thread::sleep_for(milliseconds(20));
        }
    });
    steady_client normal(g.internet());
    // A full TLS 1.3 handshake without a client certificate: refused by an alert.
    std::atomic<std::size_t> no_cert_refused{0};
    std::thread no_cert([&] {
        for (std::size_t i = 0; i < no_cert_attempts; ++i)
        {
            tls_client c(g.internet(), "", milliseconds(3000));
            no_cert_refused += c.closed_by_peer(milliseconds(3000)) ? 1U : 0U;
        }
    });
    enum kind
    {
        garbage_plain, // not TLS at all: a plain 400, closed
        garbage_tls,   // a handshake record full of junk: an alert, closed
        hello_stop,    // a real ClientHello, then nothing; the client vanishes (RST) after 300 ms
    };
    struct attempt
    {
        int fd;
        kind k;
        steady::time_point start;
    };
    std::vector<attempt> in_flight;
    std::size_t started = 0;
    std::size_t counts[3] = {0, 0, 0};
    std::size_t closed_by_daemon[3] = {0, 0, 0};
    std::size_t abandoned = 0;
    std::size_t stuck = 0;
    const std::string junk_tls = std::string("\x16\x03\x01\x00\x20", 5) + std::string(32, '\x7f');
    const auto flood_end = steady::now() + std::chrono::seconds(40);
    while ((started < raw_attempts || !in_flight.empty()) && steady::now() < flood_end)
    {
        // The daemon counts a connection until its coroutine has ended, which
        // lags the client's close on a loaded machine (CI runs suites side by
        // side): new attempts wait while the daemon's own gauge is high, so the
        // flood stays under the cap by construction, not by timing.
        while (in_flight.size() < window && started < raw_attempts &&
               last_open.load() + static_cast<int>(window) + 10 < static_cast<int>(cap))
        {
            const auto k = static_cast<kind>(started % 3);
            ++started;
            const int fd = raw_connect(g.internet());
            BOOST_REQUIRE_MESSAGE(fd >= 0, "connect " << started);
            ++counts[k];
            raw_send(fd,
                     k == garbage_plain ? std::string("\x01\x02 flood\r\n\r\n")
                     : k == garbage_tls ? junk_tls
                                        : hello);
            in_flight.push_back({fd, k, steady::now()});
        }
        for (auto it = in_flight.begin(); it != in_flight.end();)
        {
            const auto age = steady::now() - it->start;
            if (peer_closed_now(it->fd))
            {
                ++closed_by_daemon[it->k];
                ::close(it->fd);
            }
            else if (it->k == hello_stop && age > milliseconds(300))
            {
                ++abandoned;
                reset_close(it->fd);
            }
            else if (age > std::chrono::seconds(5))
            {
                ++stuck;
                ::close(it->fd);
            }
            else
            {
                ++it;
                continue;
            }
            it = in_flight.erase(it);
        }
        std::this_thread::sleep_for(milliseconds(2));
    }
    no_cert.join();
    normal.stop();
    flooding = false;
    watcher.join();
    for (const auto& a : in_flight)
    {
        ::close(a.fd);
    }
    BOOST_TEST_MESSAGE("flood: RSS +" << peak_rss.load() - base.rss << " KiB, most open " << most_open.load()
                                      << ", slowest allowed tunnel " << normal.slowest().count() << " ms ("
                                      << normal.ok() << " ok)");
    BOOST_TEST(started == raw_attempts);
    BOOST_TEST(in_flight.empty());
    BOOST_TEST(stuck == 0U);
    BOOST_TEST(closed_by_daemon[garbage_plain] == counts[garbage_plain]);
    BOOST_TEST(closed_by_daemon[garbage_tls] == counts[garbage_tls]);
    BOOST_TEST(closed_by_daemon[hello_stop] + abandoned == counts[hello_stop]);
    BOOST_TEST(no_cert_refused.load() == no_cert_attempts);
    BOOST_TEST(normal.failed() == 0, normal.first_failure());
    BOOST_TEST(normal.ok() >= 5);
    BOOST_TEST(normal.slowest().count() < 2000,
               "slowest allowed tunnel " << normal.slowest().count() << " ms");
    BOOST_TEST(most_open.load() <= static_cast<int>(cap));
    BOOST_TEST(g.count_events("connection_limit") == 0U); // the flood stayed under the cap
    // One record per connection, whatever it was.
    const auto expected_records =
        records_before + attempts + static_cast<std::size_t>(normal.ok() + normal.failed());
    BOOST_TEST(eventually([&] { return g.records().size() == expected_records; }, std::chrono::seconds(5)),
               g.records().size() << " records, expected " << expected_records);
    BOOST_TEST(records_with(g, "reason", "not_tls") == counts[garbage_plain]);
    // A certificate-less handshake is refused for the missing certificate;
    // on a loaded machine (ASan, suites side by side) one may first meet the
    // handshake deadline. Refused either way (no_cert_refused above), and
    // recorded; at most 2 % by the deadline (CI saw 1 of 500 under ASan).
    const auto cert_missing = records_with(g, "reason", "client_cert_missing");
    const auto handshake_timeouts = records_with(g, "reason", "tls_handshake_timeout");
    BOOST_TEST(cert_missing + handshake_timeouts >= no_cert_attempts,
               cert_missing << " client_cert_missing + " << handshake_timeouts << " tls_handshake_timeout");
    BOOST_TEST(cert_missing >= no_cert_attempts - no_cert_attempts / 50,
               cert_missing << " of " << no_cert_attempts << " refused for the missing certificate");
    // Memory: at most ~100 handshakes in flight at once, each an SSL object
    // with its handshake buffers (~40 KiB) and a coroutine: 16 MiB covers
    // them and the allocator's churn over 2,000 connections many times.
    BOOST_TEST(peak_rss.load() - base.rss <= 16 * kib * memory_bound_factor,
               "RSS grew by " << peak_rss.load() - base.rss << " KiB during the flood");
    auto fds = fds_settle_to(pid, base.fds + fd_slack, std::chrono::seconds(3));
    BOOST_TEST(fds <= base.fds + fd_slack, "fds " << fds << " vs baseline " << base.fds);

    // Phase 2: twice the cap in silent connections. The cap holds: the ones
    // beyond it are closed at once, the gauge never passes it, and an
    // allowed client is refused too until the silent ones meet the
    // handshake deadline; then it is served again.
    BOOST_REQUIRE(eventually([&] { return scrape(mport, "sekisho_connections_open") == 0.0; },
                             std::chrono::seconds(3)));
    std::vector<int> silent;
    for (std::size_t i = 0; i < 2 * cap; ++i)
    {
        const int fd = raw_connect(g.internet());
        BOOST_REQUIRE(fd >= 0);
        silent.push_back(fd);
    }
    const auto opened = steady::now();
    std::vector<bool> gone(silent.size(), false);
    std::size_t refused = 0;
    int gauge_max = 0;
    while (steady::now() - opened < milliseconds(1000))
    {
        for (std::size_t i = 0; i < silent.size(); ++i)
        {
            if (!gone[i] && peer_closed_now(silent[i]))
            {
                gone[i] = true;
                ++refused;
            }
        }
        if (const auto v = scrape(mport, "sekisho_connections_open"))
        {
            gauge_max = std::max(gauge_max, static_cast<int>(*v));
        }
        std::this_thread::sleep_for(milliseconds(50));
    }
    BOOST_TEST(refused == cap, refused << " of " << 2 * cap << " closed at once");
    BOOST_TEST(gauge_max == static_cast<int>(cap));
    BOOST_TEST(g.count_events("connection_limit") >= 1U);
    BOOST_TEST(!timed_request(g.internet()).ok); // full: an allowed client is refused as well
    // The handshake deadline (2 s from accept) frees the slots.
    std::size_t cut = 0;
    eventually(
        [&] {
            for (std::size_t i = 0; i < silent.size(); ++i)
            {
                if (!gone[i] && peer_closed_now(silent[i]))
                {
                    gone[i] = true;
                    ++cut;
                }
            }
            return cut == cap;
        },
        std::chrono::seconds(5));
    BOOST_TEST(cut == cap);
    BOOST_TEST((steady::now() - opened < std::chrono::seconds(5)));
    for (const int fd : silent)
    {
        ::close(fd);
    }
    require_serving(g);
    fds = fds_settle_to(pid, base.fds + fd_slack, std::chrono::seconds(3));
    BOOST_TEST(fds <= base.fds + fd_slack, "fds " << fds << " vs baseline " << base.fds);
}

BOOST_AUTO_TEST_CASE(half_open_connections_at_scale_are_closed_at_the_handshake_deadline)
{
    constexpr std::size_t silent_n = 400; // connect, never send
    constexpr std::size_t left_n = 150;   // part of a ClientHello, then nothing, socket left open
    constexpr std::size_t reset_n = 150;  // part of a ClientHello, then gone without FIN (RST)
    gateway g(fault_options({"tls_handshake: 2s", "request: 2s", "dns: 1s", "connect: 1s", "drain: 5s"}));
    const auto base = warm(g);
    const auto pid = g.proc().pid();
    const auto partial = client_hello().substr(0, 40);
    const auto records_before = g.records().size();

    steady_client normal(g.internet());
    struct half
    {
        int fd;
        steady::time_point connected;
        bool closed = false;
    };
    std::vector<half> held;
    for (std::size_t i = 0; i < silent_n + left_n + reset_n; ++i)
    {
        const int fd = raw_connect(g.internet());
        BOOST_REQUIRE_MESSAGE(fd >= 0, "connect " << i);
        if (i >= silent_n)
        {
            raw_send(fd, partial);
        }
        if (i >= silent_n + left_n)
        {
            reset_close(fd);
            continue;
        }
        held.push_back({fd, steady::now()});
    }
    std::size_t peak = rss_kib(pid);
    std::size_t closed = 0;
    std::int64_t earliest = 1 << 30;
    std::int64_t latest = 0;
    const auto give_up = steady::now() + std::chrono::seconds(8);
    while (closed < held.size() && steady::now() < give_up)
    {
        peak = std::max(peak, rss_kib(pid));
        for (auto& h : held)
        {
            if (!h.closed && peer_closed_now(h.fd))
            {
                h.closed = true;
                ++closed;
                const auto took = ms_between(h.connected, steady::now());
                earliest = std::min(earliest, took);
                latest = std::max(latest, took);
            }
        }
        std::this_thread::sleep_for(milliseconds(50));
    }
    normal.stop();
    for (const auto& h : held)
    {
        ::close(h.fd);
    }
    BOOST_TEST_MESSAGE("half-open: RSS +" << peak - base.rss << " KiB, closed " << earliest << "-" << latest
                                          << " ms, slowest allowed tunnel " << normal.slowest().count()
                                          << " ms");
    BOOST_TEST(closed == held.size());
    BOOST_TEST(earliest >= 1800, "closed after " << earliest << " ms");
    BOOST_TEST(latest <= 4500, "closed after " << latest << " ms");
    // Each connection that reached the daemon has its record; the held ones
    // end at the handshake deadline.
    const auto total = records_before + silent_n + left_n + reset_n +
                       static_cast<std::size_t>(normal.ok() + normal.failed());
    BOOST_TEST(eventually([&] { return g.records().size() == total; }, std::chrono::seconds(3)),
               g.records().size() << " records, expected " << total);
    BOOST_TEST(records_with(g, "reason", "tls_handshake_timeout") == silent_n + left_n);
    BOOST_TEST(normal.failed() == 0, normal.first_failure());
    BOOST_TEST(normal.ok() >= 3);
    BOOST_TEST(normal.slowest().count() < 2000,
               "slowest allowed tunnel " << normal.slowest().count() << " ms");
    // 700 connections before or in their handshake: a socket, an SSL object
    // and a coroutine each; 22 KiB each was measured (700 → +15.7 MiB,
    // Release, the partial ClientHellos costing most). 48 KiB each is the
    // ceiling.
    BOOST_TEST(peak - base.rss <= (silent_n + left_n + reset_n) * 48 * memory_bound_factor,
               "RSS grew by " << peak - base.rss << " KiB");
    const auto fds = fds_settle_to(pid, base.fds + fd_slack, std::chrono::seconds(3));
    BOOST_TEST(fds <= base.fds + fd_slack, "fds " << fds << " vs baseline " << base.fds);
    require_serving(g);
}

BOOST_AUTO_TEST_CASE(clients_that_never_read_hold_bounded_memory_and_end_at_the_idle_timeout)
{
    constexpr std::size_t n = 20;
    constexpr std::size_t per_tunnel = 64 * kib * kib; // what each upstream tries to send
    scripted_upstream flood(upstream_script::flood(per_tunnel, 64 * 1024));
    auto o = fault_options(
        {"tls_handshake: 2s", "request: 2s", "dns: 1s", "connect: 1s", "idle: 2s", "drain: 5s"});
    o.policy = policy_allowing_ports({flood.port()});
    gateway g(o);
    const auto base = warm(g);
    const auto pid = g.proc().pid();

    // 20 tunnels whose clients ask for the flood and then never read.
    std::vector<std::unique_ptr<tls_client>> readers;
    for (std::size_t i = 0; i < n; ++i)
    {
        auto c = std::make_unique<tls_client>(g.internet());
        BOOST_REQUIRE_MESSAGE(c->ok(), c->error());
        const auto head = c->connect("files.cloud.test:" + std::to_string(flood.port()));
        BOOST_REQUIRE_MESSAGE(head.rfind("HTTP/1.1 200", 0) == 0, head);
        readers.push_back(std::move(c));
    }
    const auto opened = steady::now();
    // Backpressure: the upstreams stall once the buffers along the way are
    // full. Wait until nothing more is taken from them for half a second.
    std::uint64_t sent = 0;
    std::size_t peak = 0;
    eventually(
        [&] {
            peak = std::max(peak, rss_kib(pid));
            const auto now_sent = flood.sent_total();
            const bool still = now_sent == sent;
            sent = now_sent;
            if (still)
            {
                std::this_thread::sleep_for(milliseconds(480));
                return flood.sent_total() == sent;
            }
            return false;
        },
        std::chrono::seconds(10));
    peak = std::max(peak, rss_kib(pid));
    // Other tunnels are still served while the 20 are stalled.
    const auto during = timed_request(g.internet());
    BOOST_TEST(during.ok, during.verbose);
    BOOST_TEST(during.took.count() < 2000);
    // What the upstreams got rid of is what the kernel buffers hold (a few
    // MiB per tunnel on loopback) plus what the daemon holds: far less than
    // the 64 MiB each tried to send.
    BOOST_TEST_MESSAGE("never read: upstreams sent " << sent / kib << " KiB in all, RSS +" << peak - base.rss
                                                     << " KiB, other tunnel " << during.took.count()
                                                     << " ms");
    BOOST_TEST(sent <= n * 16 * kib * kib, "the upstreams sent " << sent << " bytes");
    // The daemon holds at most one 16 KiB relay buffer per direction per
    // tunnel and OpenSSL's record being written (~17 KiB): about 1 MiB for
    // 20 tunnels; 12 MiB leaves room for the allocator. Buffering what the
    // upstreams offered would take ≥ 20 × 48 MiB.
    BOOST_TEST(peak - base.rss <= 12 * kib * memory_bound_factor,
               "RSS grew by " << peak - base.rss << " KiB");

    // Nothing moves, so each ends at the idle timeout (2 s), and its client,
    // once it reads, sees the end.
    for (auto& c : readers)
    {
        const auto rec = g.record_for(c->local_port(), std::chrono::seconds(10));
        BOOST_TEST(str(rec, "end") == "idle_timeout");
        BOOST_TEST(num(rec, "bytes_down") > 0);
        BOOST_TEST(num(rec, "duration_ms") < 9000);
    }
    BOOST_TEST((steady::now() - opened < std::chrono::seconds(15)));
    for (auto& c : readers)
    {
        BOOST_TEST(c->closed_by_peer(std::chrono::seconds(10)));
    }
    readers.clear();
    BOOST_TEST(eventually([&] { return flood.finished() == n; }, std::chrono::seconds(5)));
    const auto fds = fds_settle_to(pid, base.fds + fd_slack, std::chrono::seconds(3));
    BOOST_TEST(fds <= base.fds + fd_slack, "fds " << fds << " vs baseline " << base.fds);
    require_serving(g);
}

BOOST_AUTO_TEST_SUITE_END()
