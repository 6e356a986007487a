// Forwarding the audit log to a real rsyslog (audit.forward, issue #6): the
// writer and the forwarder run in this process, rsyslogd as a child on
// loopback ports. Each case checks that every line of the audit folder
// reached the collector byte for byte, with no seq missing (a line may come
// twice: delivery is at least once, and `seq` de-duplicates). Cases: TCP;
// TLS (server name, client certificate, an untrusted collector refused); the
// collector down at first (catch-up from the spool); the collector stopped
// and restarted mid-stream; rotation while forwarding; the state file across
// a forwarder restart (no full resend). And the real sekishod with
// audit.forward in sekisho.yaml, stopped with SIGTERM: the sealed log, up to
// its last line, at the collector.

#include "daemon/audit/forwarder.hpp"
#include "daemon/audit/keys.hpp"
#include "daemon/audit/line.hpp"
#include "daemon/audit/reader.hpp"
#include "daemon/audit/writer.hpp"
#include "harness/audit_log.hpp"
#include "harness/checks.hpp"
#include "harness/process.hpp"
#include "harness/rsyslog.hpp"
#include "harness/world.hpp"

#include <boost/json/object.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <map>
#include <thread>

using namespace sekisho;
using namespace sekisho::test;
using namespace std::chrono_literals;

namespace {

constexpr auto delivery_timeout = 20s;

// Every complete line of an audit folder, by seq.
std::map<std::uint64_t, std::string> folder_lines(const std::string& directory)
{
    std::vector<audit::log_file> files;
    std::string error;
    BOOST_REQUIRE_MESSAGE(audit::read_log_files({directory}, files, error), error);
    std::map<std::uint64_t, std::string> out;
    for (const auto& f : files)
    {
        audit::for_each_line(f.text, [&](std::size_t, std::string_view line, bool terminated) {
            if (const auto e = audit::read_envelope(line); e && terminated)
            {
                out[e->seq] = std::string(line);
            }
            return true;
        });
    }
    return out;
}

// An audit folder with its writer, in this test's temporary folder.
struct audit_folder
{
    temp_dir dir;
    config::audit_settings settings;
    std::unique_ptr<audit::writer> writer;

    audit::signing_key key = audit::signing_key::generate();

    explicit audit_folder(std::uint32_t rotate_bytes = 64u << 20)
    {
        settings.directory = dir.file("audit");
        settings.fsync_interval = 0ms;
        settings.checkpoint_events = 100;
        settings.checkpoint_interval = 500ms;
        settings.rotate_bytes = rotate_bytes;
        std::string error;
        writer = audit::writer::open(settings, key, "forward-test", error);
        BOOST_REQUIRE_MESSAGE(writer, error);
    }

    void write(int from, int count)
    {
        for (int i = from; i < from + count; ++i)
        {
            // Quotes, a backslash, a tab and UTF-8: the collector must keep them.
            BOOST_REQUIRE(writer->append(
                "test_event", boost::json::object{{"n", i}, {"text", "é \"quoted\" back\\slash\ttab"}}));
        }
        BOOST_REQUIRE(writer->flush(10s));
    }

    // Every complete line of the folder, by seq.
    std::map<std::uint64_t, std::string> lines() const { return folder_lines(settings.directory); }

    std::size_t file_count() const
    {
        std::size_t n = 0;
        for (const auto& e : std::filesystem::directory_iterator(settings.directory))
        {
            if (e.path().extension() == ".log")
            {
                ++n;
            }
        }
        return n;
    }

    config::audit_forward_settings forward(std::uint16_t port) const
    {
        config::audit_forward_settings f;
        f.address = *policy::ip_address::parse("127.0.0.1");
        f.port = port;
        f.state_file = dir.file("forward.state");
        f.connect_timeout = 2s;
        f.reconnect_max = 400ms;
        return f;
    }
};

// What the collector holds compared with the folder: problems as text (empty: all there).
struct comparison
{
    std::size_t collected = 0;
    std::size_t duplicates = 0;
    std::uint64_t last_seq = 0;
    std::string problem;
};

// `written`: the audit folder's lines by seq.
comparison compare(const std::map<std::uint64_t, std::string>& written, const rsyslog_collector& collector)
{
    comparison c;
    std::map<std::uint64_t, int> seen;
    for (const auto& line : collector.lines())
    {
        ++c.collected;
        const auto e = audit::read_envelope(line);
        if (!e)
        {
            c.problem = "the collector has a line that is not an audit record: " + line;
            return c;
        }
        const auto w = written.find(e->seq);
        if (w == written.end() || w->second != line)
        {
            c.problem = "seq " + std::to_string(e->seq) +
                        " differs from the audit file:\n  collected: " + line +
                        "\n  written:   " + (w == written.end() ? "(none)" : w->second);
            return c;
        }
        if (++seen[e->seq] > 1)
        {
            ++c.duplicates;
        }
    }
    for (const auto& [seq, line] : written)
    {
        c.last_seq = seq;
        if (!seen.contains(seq))
        {
            c.problem = "seq " + std::to_string(seq) + " of " + std::to_string(written.rbegin()->first) +
                        " has not reached the collector (" + std::to_string(seen.size()) + " seqs collected)";
            return c;
        }
    }
    if (written.empty())
    {
        c.problem = "the audit folder is empty";
    }
    return c;
}

comparison compare(const audit_folder& folder, const rsyslog_collector& collector)
{
    return compare(folder.lines(), collector);
}

// The "forward" object of sekishod's audit status; empty when there is none.
boost::json::object forward_status(const gateway& g)
{
    const auto a = audit_status(g);
    const auto* f = a.if_contains("forward");
    return f != nullptr && f->is_object() ? f->as_object() : boost::json::object();
}

bool forward_connected(const gateway& g)
{
    const auto f = forward_status(g);
    const auto* c = f.if_contains("connected");
    return c != nullptr && c->is_bool() && c->as_bool();
}

// Waits (bounded) until every line of the folder is at the collector and
// confirmed; fails the test with the last difference otherwise.
comparison
wait_delivered(const audit_folder& folder, const rsyslog_collector& collector, const audit::forwarder& fwd)
{
    comparison c;
    const bool ok = eventually(
        [&] {
            c = compare(folder, collector);
            return c.problem.empty() && fwd.status().forwarded_seq >= c.last_seq;
        },
        delivery_timeout);
    const auto s = fwd.status();
    BOOST_CHECK_MESSAGE(ok,
                        "not delivered within 20 s: "
                            << (c.problem.empty() ? "forwarded_seq " + std::to_string(s.forwarded_seq) +
                                                        " < " + std::to_string(c.last_seq)
                                                  : c.problem)
                            << "; forwarder: connected=" << s.connected << " sent_seq=" << s.sent_seq
                            << " last_error=" << s.last_error << "; rsyslogd: " << collector.diagnostics());
    return c;
}

std::uint64_t state_file_seq(const std::string& path)
{
    const auto text = read_file(path);
    const auto at = text.find("\"forwarded_seq\":");
    return at == std::string::npos ? 0 : std::stoull(text.substr(at + 16));
}

} // namespace

BOOST_AUTO_TEST_SUITE(audit_forward)

// Plain TCP: every line arrives byte for byte, in an RFC 5424 message whose
// header says who wrote it and which event it is.
BOOST_AUTO_TEST_CASE(tcp_delivers_every_line_byte_identical)
{
    rsyslog_collector collector(world::get().pki);
    audit_folder folder;
    audit::forwarder fwd(folder.forward(collector.tcp_port()), folder.settings.directory, "fallback-host");
    fwd.start();
    folder.write(0, 150);
    const auto c = wait_delivered(folder, collector, fwd);
    BOOST_TEST(c.duplicates == 0u);
    const auto s = fwd.status();
    BOOST_TEST(s.connected);
    BOOST_TEST(s.sent_seq >= c.last_seq);
    BOOST_TEST(s.reconnects == 0u);
    const auto headers = collector.headers();
    BOOST_REQUIRE(!headers.empty());
    // PRI 110 = facility 13 (log audit) * 8 + severity 6 (info).
    BOOST_TEST(headers.front() == "110 forward-test sekisho " + std::to_string(::getpid()) + " test_event");
    fwd.stop(5s);
    BOOST_TEST(state_file_seq(folder.dir.file("forward.state")) >= c.last_seq);
}

// TLS (RFC 5425) to a collector that requires a client certificate: the
// collector is verified against the CA and the name `localhost`.
BOOST_AUTO_TEST_CASE(tls_with_client_certificate)
{
    const auto& pki = world::get().pki;
    rsyslog_collector collector(pki);
    audit_folder folder;
    auto f = folder.forward(collector.tls_client_cert_port());
    f.tls = true;
    f.ca_file = pki + "/server-ca.pem";
    f.server_name = "localhost";
    f.certificate = world::get().cert("device-alice");
    f.private_key = world::get().key("device-alice");
    audit::forwarder fwd(f, folder.settings.directory, "fallback-host");
    fwd.start();
    folder.write(0, 100);
    wait_delivered(folder, collector, fwd);
    // Lines written just before an orderly stop are sent and confirmed by the
    // collector's close of the connection (close_notify).
    folder.write(100, 30);
    const auto last = folder.lines().rbegin()->first;
    fwd.stop(5s);
    BOOST_TEST(fwd.status().forwarded_seq >= last);
    BOOST_TEST(state_file_seq(folder.dir.file("forward.state")) >= last);
}

// TLS without a client certificate, the collector named by its address
// (the certificate's IP SAN 127.0.0.1).
BOOST_AUTO_TEST_CASE(tls_verified_by_address)
{
    const auto& pki = world::get().pki;
    rsyslog_collector collector(pki);
    audit_folder folder;
    auto f = folder.forward(collector.tls_port());
    f.tls = true;
    f.ca_file = pki + "/server-ca.pem";
    audit::forwarder fwd(f, folder.settings.directory, "fallback-host");
    fwd.start();
    folder.write(0, 60);
    wait_delivered(folder, collector, fwd);
    fwd.stop(5s);
}

// A collector whose certificate does not chain to `ca` gets nothing, and the
// reason is in the status.
BOOST_AUTO_TEST_CASE(tls_untrusted_collector_gets_nothing)
{
    const auto& pki = world::get().pki;
    rsyslog_collector collector(pki);
    audit_folder folder;
    auto f = folder.forward(collector.tls_port());
    f.tls = true;
    f.ca_file = pki + "/rogue-ca.pem";
    f.server_name = "localhost";
    audit::forwarder fwd(f, folder.settings.directory, "fallback-host");
    fwd.start();
    folder.write(0, 10);
    BOOST_TEST(eventually([&] { return !fwd.status().last_error.empty(); }, 10s));
    const auto s = fwd.status();
    BOOST_TEST(!s.connected);
    BOOST_TEST(s.forwarded_seq == 0u);
    BOOST_TEST(s.last_error.find("not trusted") != std::string::npos, s.last_error);
    BOOST_TEST(collector.lines().empty());
    fwd.stop(1s);
}

// The collector is down when forwarding starts: the lines wait in the audit
// files and all arrive once it is up (catch-up from the spool).
BOOST_AUTO_TEST_CASE(collector_down_at_first_then_catch_up)
{
    rsyslog_collector collector(world::get().pki, false);
    audit_folder folder;
    audit::forwarder fwd(folder.forward(collector.tcp_port()), folder.settings.directory, "fallback-host");
    fwd.start();
    folder.write(0, 200);
    BOOST_REQUIRE(eventually([&] { return !fwd.status().last_error.empty(); }, 10s));
    BOOST_TEST(!fwd.status().connected);
    BOOST_TEST(fwd.status().last_error.find("refused") != std::string::npos, fwd.status().last_error);
    folder.write(200, 100);
    collector.start();
    wait_delivered(folder, collector, fwd);
    fwd.stop(5s);
}

// The collector is stopped and started again while lines are being written
// and sent: no seq is missing afterwards.
BOOST_AUTO_TEST_CASE(collector_restarted_mid_stream)
{
    rsyslog_collector collector(world::get().pki);
    audit_folder folder;
    audit::forwarder fwd(folder.forward(collector.tcp_port()), folder.settings.directory, "fallback-host");
    fwd.start();
    std::atomic<bool> failed{false};
    std::thread producer([&] {
        for (int i = 0; i < 3000 && !failed; ++i)
        {
            if (!folder.writer->append("test_event", boost::json::object{{"n", i}}))
            {
                failed = true;
            }
            if (i % 10 == 0)
            {
                fwd.notify();
                std::this_thread::sleep_for(10ms);
            }
        }
    });
    std::this_thread::sleep_for(1200ms);
    const auto before = fwd.status().forwarded_seq;
    collector.stop();
    std::this_thread::sleep_for(700ms);
    collector.start();
    producer.join();
    BOOST_REQUIRE(!failed);
    BOOST_REQUIRE(folder.writer->flush(10s));
    const auto c = wait_delivered(folder, collector, fwd);
    BOOST_TEST(before > 0u, "nothing was forwarded before the collector stopped");
    BOOST_TEST(fwd.status().reconnects >= 1u);
    BOOST_TEST_MESSAGE("collector restarted mid-stream: " << c.collected << " lines collected, "
                                                          << c.duplicates << " duplicates of " << c.last_seq);
    fwd.stop(5s);
}

// A small rotate_bytes rotates audit.log many times while lines are sent:
// the forwarder follows the renamed files and misses nothing.
BOOST_AUTO_TEST_CASE(rotation_while_forwarding)
{
    rsyslog_collector collector(world::get().pki);
    audit_folder folder(4096);
    audit::forwarder fwd(folder.forward(collector.tcp_port()), folder.settings.directory, "fallback-host");
    fwd.start();
    for (int burst = 0; burst < 10; ++burst)
    {
        folder.write(burst * 40, 40);
        std::this_thread::sleep_for(burst % 2 == 0 ? 50ms : 0ms);
    }
    wait_delivered(folder, collector, fwd);
    BOOST_TEST(folder.file_count() > 5u,
               "audit.log was rotated only " << folder.file_count() - 1 << " times");
    fwd.stop(5s);
}

// The confirmed seq survives a forwarder restart: a new forwarder resumes
// after it instead of sending the folder again.
BOOST_AUTO_TEST_CASE(state_file_survives_restart)
{
    rsyslog_collector collector(world::get().pki);
    audit_folder folder;
    const auto state = folder.dir.file("forward.state");
    std::uint64_t first_run = 0;
    {
        audit::forwarder fwd(
            folder.forward(collector.tcp_port()), folder.settings.directory, "fallback-host");
        fwd.start();
        folder.write(0, 60);
        wait_delivered(folder, collector, fwd);
        // Written just before the stop: confirmed by the orderly close.
        folder.write(60, 20);
        first_run = folder.lines().rbegin()->first;
        fwd.stop(5s);
        BOOST_TEST(fwd.status().forwarded_seq >= first_run);
    }
    const auto resumed_from = state_file_seq(state);
    BOOST_TEST(resumed_from >= first_run);
    const auto collected_before = collector.lines().size();

    audit::forwarder again(folder.forward(collector.tcp_port()), folder.settings.directory, "fallback-host");
    BOOST_TEST(again.status().forwarded_seq >= first_run);
    again.start();
    folder.write(80, 20);
    const auto c = wait_delivered(folder, collector, again);
    // An orderly stop confirms everything sent, so nothing came twice.
    BOOST_TEST(c.duplicates == 0u);
    BOOST_TEST(c.collected - collected_before == c.last_seq - resumed_from);
    again.stop(5s);
}

// The collector's copy is the anchor of `sekisho-audit verify`: the folder
// verifies against it, and once the log's tail is deleted on the gateway,
// verification says the files end before the collected checkpoint.
BOOST_AUTO_TEST_CASE(collected_copy_anchors_verification)
{
    rsyslog_collector collector(world::get().pki);
    audit_folder folder;
    audit::forwarder fwd(folder.forward(collector.tcp_port()), folder.settings.directory, "fallback-host");
    fwd.start();
    folder.write(0, 120);
    folder.writer->close(); // seals the log with a final checkpoint ...
    fwd.stop(5s);           // ... which goes out with the rest
    const auto written = folder.lines();
    BOOST_REQUIRE(!written.empty());
    BOOST_TEST(written.rbegin()->second.find("\"event\":\"checkpoint\"") != std::string::npos);
    // The forwarder's stop confirmed the last line; rsyslogd writes its file
    // a moment later (CI once read it before a single line was there).
    BOOST_TEST(fwd.status().forwarded_seq >= written.rbegin()->first);
    comparison collected;
    BOOST_TEST(eventually(
                   [&] {
                       collected = compare(folder, collector);
                       return collected.problem.empty();
                   },
                   delivery_timeout),
               collected.problem << "; rsyslogd: " << collector.diagnostics());
    const auto pub = folder.dir.file("audit.pub");
    write_file(pub, folder.key.public_text());
    const auto verify = [&] {
        return run({SEKISHO_AUDIT_PATH,
                    "verify",
                    "--key",
                    pub,
                    "--anchor",
                    collector.collected_file(),
                    folder.settings.directory},
                   folder.dir);
    };
    const auto intact = verify();
    BOOST_TEST(intact.exit_code == 0, "exit " << intact.exit_code << ": " << intact.out << intact.err);

    // Someone deletes the last 40 lines on the gateway.
    std::string kept;
    std::size_t n = 0;
    for (const auto& [seq, line] : written)
    {
        if (n++ + 40 < written.size())
        {
            kept += line + "\n";
        }
    }
    write_file(folder.settings.directory + "/audit.log", kept);
    const auto cut = verify();
    BOOST_TEST(cut.exit_code == 7,
               "expected truncated (7), got " << cut.exit_code << ": " << cut.out << cut.err);
}

// The real sekishod with `audit.forward` in sekisho.yaml: connected while it
// runs (GET /v1/status), and after SIGTERM (the log sealed, then up to 5 s
// for the forwarder to send the rest) the collector holds every line of the
// local audit files byte for byte, the final checkpoint and daemon_stop among
// them, and anchors `sekisho-audit verify` of the local folder.
BOOST_AUTO_TEST_CASE(sekishod_forwards_everything_up_to_sigterm)
{
    rsyslog_collector collector(world::get().pki);
    temp_dir keys;
    const auto k = make_audit_keys(keys);
    gateway_options o;
    o.files.emplace_back("audit.key", k.secret_text);
    o.extra_config +=
        audit_section("audit",
                      "audit.key",
                      {"forward: {address: 127.0.0.1, port: " + std::to_string(collector.tcp_port()) +
                       ", transport: tcp}"}) +
        "admin:\n  socket: run/admin.sock\n";
    gateway g(o);
    const auto dir = g.dir().file("audit");
    BOOST_REQUIRE_MESSAGE(eventually([&] { return forward_connected(g); }, 10s),
                          "not connected to the collector: "
                              << boost::json::serialize(forward_status(g)) << "\n"
                              << g.log() << "\nrsyslogd: " << collector.diagnostics());

    // An allowed tunnel, and one denied toward the My Number zone.
    require_serving(g);
    const auto denied = curl_via(
        g.internet(), "http://juki.mynumber.test:" + std::to_string(world::get().mynumber.port()) + "/");
    BOOST_TEST(denied.connect_code == 403, denied.verbose);
    BOOST_TEST(denied.verbose_has("Sekisho-Deny: reason=mynumber_zone"), denied.verbose);

    // Forwarded while running, not only at the stop.
    const auto written = num(audit_status(g), "written_seq");
    BOOST_TEST(written > 0);
    BOOST_TEST(eventually([&] { return num(forward_status(g), "forwarded_seq") >= written; }, 10s),
               "forwarded_seq did not reach " << written << ": "
                                              << boost::json::serialize(forward_status(g)));
    BOOST_TEST(forward_connected(g));
    BOOST_REQUIRE(g.stop(SIGTERM) == 0);

    const auto local = folder_lines(dir);
    BOOST_REQUIRE(!local.empty());
    BOOST_TEST(local.rbegin()->second.find("\"event\":\"checkpoint\"") != std::string::npos,
               local.rbegin()->second);
    bool stop_recorded = false;
    for (const auto& [seq, line] : local)
    {
        stop_recorded = stop_recorded || line.find("\"event\":\"daemon_stop\"") != std::string::npos;
    }
    BOOST_TEST(stop_recorded, "no daemon_stop in the local audit files");
    for (const auto* e : {"tunnel_allowed", "tunnel_denied"})
    {
        BOOST_TEST(audit_events(dir, e).size() >= 1U, "no " << e << " event");
    }
    // rsyslogd writes its file a moment after it has received the lines.
    comparison c;
    BOOST_TEST(eventually(
                   [&] {
                       c = compare(local, collector);
                       return c.problem.empty();
                   },
                   10s),
               c.problem << "\nsekishod: " << g.log() << "\nrsyslogd: " << collector.diagnostics());
    BOOST_TEST(c.last_seq == local.rbegin()->first);

    const auto v = sekisho_audit(
        {"verify", "--key", k.public_file, "--anchor", collector.collected_file(), dir}, g.dir());
    BOOST_TEST(v.exit_code == 0, "exit " << v.exit_code << ": " << v.out << v.err);
}

BOOST_AUTO_TEST_SUITE_END()
