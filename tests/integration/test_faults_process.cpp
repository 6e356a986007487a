// Faults of the daemon's own process, against the real sekishod
// (docs/testing.md, "Fault and abuse tests"): a storm of SIGHUPs while tunnels
// run, and kill -9 under load with the audit log on, then a restart on the
// same audit folder. (Descriptor exhaustion, drain, a full audit disk and a
// collector that is down: test_lifecycle.cpp, test_audit.cpp,
// test_audit_forward.cpp.)

#include "harness/audit_log.hpp"
#include "harness/checks.hpp"
#include "harness/faults_probe.hpp"

#include <csignal>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

using namespace sekisho::test;

namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string echo_target(const std::string& host)
{
    return host + ":" + std::to_string(world::get().echo.port());
}

// A tunnel to the echo upstream, proven with one round trip; null if any
// step failed.
std::unique_ptr<tls_client> echo_tunnel(std::uint16_t port, const std::string& host)
{
    auto c = std::make_unique<tls_client>(port);
    if (!c->ok() || c->connect(echo_target(host)).rfind("HTTP/1.1 200", 0) != 0 || !c->send("ping") ||
        c->recv_exactly(4) != "ping")
    {
        return nullptr;
    }
    return c;
}

// Tunnels opened, used and closed by the client one after another (on their
// own thread) until stopped: each ends with the client's close_notify, the
// daemon's end of the echo, and the client seeing the end.
class churn
{
public:
    churn(std::uint16_t port, std::string host, int max = 5000) : host_(std::move(host))
    {
        thread_ = std::thread([this, port, max] {
            for (int i = 0; i < max && !stop_; ++i)
            {
                auto c = echo_tunnel(port, host_);
                bool ended = false;
                if (c)
                {
                    c->shutdown_write();
                    ended = c->closed_by_peer(std::chrono::seconds(5));
                }
                std::lock_guard lock(mutex_);
                if (ended)
                {
                    ended_ports_.push_back(c->local_port());
                }
                else
                {
                    ++failed_;
                }
            }
        });
    }
    ~churn() { stop(); }
    churn(const churn&) = delete;
    churn& operator=(const churn&) = delete;
    void stop()
    {
        stop_ = true;
        if (thread_.joinable())
        {
            thread_.join();
        }
    }
    // The local ports of the tunnels whose client saw the end, so far.
    std::vector<std::uint16_t> ended() const
    {
        std::lock_guard lock(mutex_);
        return ended_ports_;
    }
    int failed() const
    {
        std::lock_guard lock(mutex_);
        return failed_;
    }

private:
    std::string host_;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::vector<std::uint16_t> ended_ports_;
    int failed_ = 0;
    std::thread thread_;
};

// The test policy with files.cloud.test withdrawn, and a catalogue of
// `extra` more services (about 100 bytes of policy each), so that a policy
// snapshot is large enough for a leaked one to show in RSS.
std::string storm_policy(bool with_files, int extra)
{
    auto p = with_files ? test_policy_yaml()
                        : test_policy_with("domains: [files.cloud.test, \"*.cdn.cloud.test\"]",
                                           "domains: [\"*.cdn.cloud.test\"]");
    const std::string anchor = "roles:\n";
    std::string services;
    for (int i = 0; i < extra; ++i)
    {
        services += "  - id: bulk-" + std::to_string(i) + "\n    domains: [s" + std::to_string(i) +
                    ".bulk.cloud.test, \"*.b" + std::to_string(i) +
                    ".bulk.cloud.test\"]\n    ports: [443]\n    data_class: 1\n"
                    "    certification: {scheme: ismap, number: TEST-0001, valid_until: 2099-12-31}\n"
                    "    tags: [bulk]\n";
    }
    p.insert(p.find(anchor), services);
    return p;
}

std::size_t count_of(const std::string& text, const std::string& needle)
{
    std::size_t n = 0;
    for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    {
        ++n;
    }
    return n;
}

} // namespace

BOOST_AUTO_TEST_SUITE(faults_process)

BOOST_AUTO_TEST_CASE(a_sighup_storm_while_tunnels_run_leaves_the_last_policy_in_force)
{
    constexpr int signals = 200;
    constexpr int bulk = 2000; // services in each policy: ~0.5 MiB of YAML
    raise_fd_limit(4096);
    gateway_options o;
    o.policy = storm_policy(true, bulk);
    o.extra_config = metrics_section;
    o.env = fault_env();
    gateway g(o);
    const auto pid = g.proc().pid();
    const auto mport = metrics_port(g);
    require_serving(g);
    // One reload first: what the reload path allocates once (its thread,
    // the compiler's tables) is in the baseline.
    BOOST_REQUIRE(g.reload_with(storm_policy(false, bulk)) == "policy_reloaded");
    BOOST_REQUIRE(g.reload_with(storm_policy(true, bulk)) == "policy_reloaded");
    const auto rss0 = rss_kib(pid);
    const auto fds0 = fd_count(pid);
    const auto started0 = g.count_events("reload_started");

    // Tunnels open while the storm runs: one held open all along, and a
    // stream of new ones to a name both policies allow.
    auto held = echo_tunnel(g.internet(), "a.cdn.cloud.test");
    BOOST_REQUIRE(held);
    churn tunnels(g.internet(), "a.cdn.cloud.test");
    // 200 SIGHUPs in about 4 s; the file flips between the two policies
    // every 10, and ends without files.cloud.test.
    const std::string with_files = storm_policy(true, bulk);
    const std::string without_files = storm_policy(false, bulk);
    // Replaced the way an operator's tooling should (a new file renamed over
    // the old), so that no reload reads a half-written file.
    auto replace_policy = [&](const std::string& text) {
        write_file(g.policy_file() + ".new", text);
        std::filesystem::rename(g.policy_file() + ".new", g.policy_file());
    };
    std::size_t peak = 0;
    for (int i = 0; i < signals; ++i)
    {
        if (i % 10 == 0)
        {
            replace_policy((i / 10) % 2 == 0 ? without_files : with_files);
        }
        g.proc().signal(SIGHUP);
        peak = std::max(peak, rss_kib(pid));
        std::this_thread::sleep_for(milliseconds(20));
    }
    replace_policy(without_files);
    g.proc().signal(SIGHUP);
    // The storm settles: every reload started has its outcome, and nothing
    // new starts for a second.
    std::size_t started = 0;
    std::size_t outcomes = 0;
    BOOST_TEST(eventually(
        [&] {
            const auto log = g.log();
            const auto s = count_of(log, "event=reload_started ");
            const auto d = count_of(log, "event=policy_reloaded ") +
                           count_of(log, "event=policy_unchanged ") + count_of(log, "event=policy_rejected ");
            if (s == started && d == outcomes && s == d)
            {
                return true;
            }
            started = s;
            outcomes = d;
            std::this_thread::sleep_for(milliseconds(1000));
            return false;
        },
        std::chrono::seconds(30)));
    tunnels.stop();
    peak = std::max(peak, rss_kib(pid));

    BOOST_TEST_MESSAGE("sighup storm: " << started - started0 << " reloads for " << signals + 1
                                        << " signals, RSS +" << peak - rss0 << " KiB, "
                                        << tunnels.ended().size() << " tunnels during");
    BOOST_TEST(g.proc().running());
    // Signals that came while a reload ran were folded into one more.
    const auto reloads = started - started0;
    BOOST_TEST(reloads >= 2U);
    BOOST_TEST(reloads <= static_cast<std::size_t>(signals + 1));
    BOOST_TEST(g.count_events("policy_rejected") == 0U);
    // The metrics count the same reloads as the log.
    const auto ok = scrape(mport, "sekisho_reloads_total{result=\"ok\"}");
    const auto rejected = scrape(mport, "sekisho_reloads_total{result=\"rejected\"}");
    BOOST_REQUIRE(ok && rejected);
    BOOST_TEST(*ok + *rejected == static_cast<double>(started));
    BOOST_TEST(*rejected == 0.0);
    BOOST_TEST((scrape(mport, "sekisho_reload_last_result") == 1.0));

    // The policy in force is the file's last content: files.cloud.test is
    // denied, the cdn name allowed, and one more SIGHUP finds nothing new.
    auto denied = curl_via(g.internet(), allowed_url());
    BOOST_TEST(denied.connect_code == 403, denied.verbose);
    auto allowed =
        curl_via(g.internet(), "http://a.cdn.cloud.test:" + std::to_string(world::get().cloud.port()) + "/");
    BOOST_TEST(allowed.connect_code == 200, allowed.verbose);
    BOOST_TEST(g.reload_with(without_files) == "policy_unchanged");

    // Tunnels ran throughout: none failed, the held one still works.
    BOOST_TEST(tunnels.failed() == 0);
    BOOST_TEST(tunnels.ended().size() >= 20U);
    BOOST_TEST(held->send("after"));
    BOOST_TEST(held->recv_exactly(5) == "after");
    held.reset();
    // A policy of 2,000 services compiles to a few MiB; each reload builds
    // one and frees the one it replaces once no tunnel holds it. At most two
    // are alive at once, so 24 MiB over the baseline is a loose ceiling;
    // keeping every snapshot would take ~100 of them.
    BOOST_TEST(peak - rss0 <= 24 * kib * memory_bound_factor, "RSS grew by " << peak - rss0 << " KiB");
    const auto fds = fds_settle_to(pid, fds0 + fd_slack, std::chrono::seconds(3));
    BOOST_TEST(fds <= fds0 + fd_slack, "fds " << fds << " vs " << fds0 << " before the storm");
}

BOOST_AUTO_TEST_CASE(kill_9_under_load_then_a_restart_keeps_every_acknowledged_record)
{
    raise_fd_limit(4096);
    temp_dir state;
    const auto keys = make_audit_keys(state);
    const auto audit_dir = state.file("audit");
    gateway_options o;
    o.files.emplace_back("audit.key", keys.secret_text);
    o.extra_config = audit_section(audit_dir, "audit.key") + "admin:\n  socket: run/admin.sock\n";
    o.env = fault_env();

    std::map<std::int64_t, std::string> acknowledged; // seq → the record, as it was before the kill
    std::vector<std::int64_t> completed_tunnels;      // tunnel numbers whose client saw the end
    std::vector<std::int64_t> held_tunnels;           // open when the daemon was killed
    {
        gateway g(o);
        // 16 tunnels held open, and three clients churning tunnels.
        std::vector<std::unique_ptr<tls_client>> held;
        for (int i = 0; i < 16; ++i)
        {
            held.push_back(echo_tunnel(g.internet(), "files.cloud.test"));
            BOOST_REQUIRE(held.back());
        }
        std::vector<std::unique_ptr<churn>> load;
        for (int i = 0; i < 3; ++i)
        {
            load.push_back(std::make_unique<churn>(g.internet(), "files.cloud.test"));
        }
        std::this_thread::sleep_for(milliseconds(1500));
        // Tunnels whose client has seen the end: their tunnel_closed is
        // queued when the daemon writes their tunnel record (the same
        // moment); once the writer reports it durable it is acknowledged.
        std::vector<std::uint16_t> ended;
        for (const auto& l : load)
        {
            const auto e = l->ended();
            ended.insert(ended.end(), e.begin(), e.end());
        }
        BOOST_REQUIRE(ended.size() >= 10U);
        std::map<std::string, std::int64_t> tunnel_of; // peer → tunnel number, from the tunnel log
        BOOST_REQUIRE(eventually(
            [&] {
                for (const auto& r : g.records())
                {
                    tunnel_of[str(r, "peer")] = num(r, "id");
                }
                for (const auto port : ended)
                {
                    if (tunnel_of.count("127.0.0.1:" + std::to_string(port)) == 0)
                    {
                        return false;
                    }
                }
                return true;
            },
            std::chrono::seconds(5)));
        for (const auto port : ended)
        {
            completed_tunnels.push_back(tunnel_of["127.0.0.1:" + std::to_string(port)]);
        }
        // The closes just queued become durable within fsync_interval
        // (10 ms) of being written: wait until durable_seq covers them.
        std::set<std::int64_t> wanted(completed_tunnels.begin(), completed_tunnels.end());
        std::int64_t highest = 0;
        BOOST_REQUIRE(eventually(
            [&] {
                std::size_t found = 0;
                for (const auto& r : audit_events(audit_dir, "tunnel_closed"))
                {
                    if (wanted.count(num(r, "tunnel")) != 0)
                    {
                        ++found;
                        highest = std::max(highest, num(r, "seq"));
                    }
                }
                return found == wanted.size();
            },
            std::chrono::seconds(5)));
        BOOST_REQUIRE(eventually([&] { return num(audit_status(g), "durable_seq") >= highest; },
                                 std::chrono::seconds(5)));
        // The acknowledged point, taken while the load goes on; kill -9 right after.
        const auto durable = num(audit_status(g), "durable_seq");
        for (const auto& r : audit_records(audit_dir))
        {
            if (num(r, "seq") <= durable)
            {
                acknowledged[num(r, "seq")] = boost::json::serialize(r);
            }
        }
        const auto allowed = audit_events(audit_dir, "tunnel_allowed");
        for (const auto& h : held)
        {
            // A held tunnel's tunnel_allowed came before anything was dialled.
            for (const auto& a : allowed)
            {
                if (str(a, "peer") == "127.0.0.1:" + std::to_string(h->local_port()))
                {
                    held_tunnels.push_back(num(a, "tunnel"));
                }
            }
        }
        BOOST_REQUIRE(held_tunnels.size() == held.size());
        g.crash();
        for (auto& l : load)
        {
            l->stop();
        }
        // The held tunnels' clients see the end: the daemon is gone.
        for (auto& h : held)
        {
            BOOST_TEST(h->closed_by_peer(std::chrono::seconds(3)));
        }
        BOOST_REQUIRE(durable >= highest);
        BOOST_TEST_MESSAGE("killed at durable_seq " << durable << " with " << completed_tunnels.size()
                                                    << " tunnels completed and " << held.size() << " open");
    }
    // As the kill left it: a chain whose tail may be unsealed (8) or, if the
    // kill cut a line, truncated (7).
    const auto crashed = sekisho_audit({"verify", "--key", keys.public_file, audit_dir}, state);
    BOOST_TEST((crashed.exit_code == 0 || crashed.exit_code == 7 || crashed.exit_code == 8),
               crashed.out << crashed.err);

    // Restart on the same folder: it starts, serves, and recovers the log.
    {
        gateway g(o);
        require_serving(g);
        auto again = echo_tunnel(g.internet(), "files.cloud.test");
        BOOST_TEST(static_cast<bool>(again));
        again.reset();
        BOOST_REQUIRE(g.stop(SIGTERM) == 0);
    }
    const auto after = sekisho_audit({"verify", "--key", keys.public_file, audit_dir}, state);
    BOOST_TEST(after.exit_code == 0, after.out << after.err);
    const auto records = audit_records(audit_dir);
    std::map<std::int64_t, std::string> by_seq;
    for (const auto& r : records)
    {
        by_seq[num(r, "seq")] = boost::json::serialize(r);
    }
    // Every acknowledged record is there, unchanged.
    std::size_t missing = 0;
    for (const auto& [seq, text] : acknowledged)
    {
        const auto it = by_seq.find(seq);
        missing += it == by_seq.end() || it->second != text ? 1U : 0U;
    }
    BOOST_TEST(missing == 0U,
               missing << " of " << acknowledged.size() << " acknowledged records lost or changed");
    // So are the ends of the tunnels whose clients saw them end, and the
    // starts of the ones held open (which have no end: the process died).
    std::set<std::int64_t> closed_tunnels;
    std::set<std::int64_t> allowed_tunnels;
    std::int64_t restart_seq = 0;
    for (const auto& r : records)
    {
        if (str(r, "event") == "daemon_start" && restart_seq == 0 && num(r, "seq") > 1)
        {
            restart_seq = num(r, "seq");
        }
        if (restart_seq == 0 && str(r, "event") == "tunnel_closed")
        {
            closed_tunnels.insert(num(r, "tunnel"));
        }
        if (restart_seq == 0 && str(r, "event") == "tunnel_allowed")
        {
            allowed_tunnels.insert(num(r, "tunnel"));
        }
    }
    for (const auto t : completed_tunnels)
    {
        BOOST_TEST(closed_tunnels.count(t) == 1U, "no tunnel_closed for completed tunnel " << t);
    }
    for (const auto t : held_tunnels)
    {
        BOOST_TEST(allowed_tunnels.count(t) == 1U, "no tunnel_allowed for held tunnel " << t);
        BOOST_TEST(closed_tunnels.count(t) == 0U);
    }
    BOOST_TEST(audit_events(audit_dir, "audit_recovered").size() == 1U);
    BOOST_TEST(audit_events(audit_dir, "daemon_start").size() == 2U);
    BOOST_TEST(audit_events(audit_dir, "daemon_stop").size() == 1U);
}

BOOST_AUTO_TEST_SUITE_END()
