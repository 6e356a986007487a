// The tamper-evident audit log, end to end: the real sekishod writes it
// (every event kind a deployment produces), the real sekisho-audit verifies
// it, and each way of tampering with it is caught with its own exit code.
// Failure cases: the disk fills up (a small tmpfs in the daemon's own mount
// namespace) → new tunnels refused with 503 audit_unavailable, and served
// again once there is room; kill -9 in a burst → every acknowledged record
// is there after a restart, and the chain verifies.

#include "daemon/audit/keys.hpp"
#include "daemon/audit/line.hpp"
#include "daemon/audit/writer.hpp"
#include "harness/audit_log.hpp"
#include "harness/checks.hpp"
#include "harness/signin.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

using namespace sekisho::test;
namespace fs = std::filesystem;

namespace {

std::string cloud_url()
{
    return "http://files.cloud.test:" + std::to_string(world::get().cloud.port()) + "/";
}

std::string join_lines(const std::vector<std::string>& lines)
{
    std::string out;
    for (const auto& l : lines)
    {
        out += l + "\n";
    }
    return out;
}

// A log written by the real writer: `count` events, a checkpoint every 5
// lines, sealed at the end.
std::string write_sample_log(const temp_dir& dir, const sekisho::audit::signing_key& key, int count)
{
    sekisho::config::audit_settings s;
    s.directory = dir.file("sample");
    s.signing_key = "-";
    s.checkpoint_events = 5;
    s.fsync_interval = std::chrono::milliseconds(0);
    std::string error;
    auto w = sekisho::audit::writer::open(s, key, "gw-test", error);
    BOOST_REQUIRE_MESSAGE(w, error);
    for (int i = 0; i < count; ++i)
    {
        w->append("test_event", {{"n", i}, {"text", "hello"}});
    }
    w->close();
    return read_file(s.directory + "/audit.log");
}

struct verified
{
    int code = -1;
    std::string out;
};

verified verify_text(const temp_dir& dir,
                     const std::string& name,
                     const std::string& text,
                     const std::string& pub,
                     const std::vector<std::string>& extra = {})
{
    const auto file = dir.file(name + ".log");
    write_file(file, text);
    std::vector<std::string> args{"verify", "--key", pub};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(file);
    const auto r = sekisho_audit(args, dir);
    return {r.exit_code, r.out + r.err};
}

// What an attacker with root but without the daemon's key can do at best:
// change a record, then rebuild the chain from there and sign new
// checkpoints with a key of their own.
std::string rechain_with(const std::vector<std::string>& lines,
                         std::size_t changed,
                         const sekisho::audit::signing_key& forged)
{
    using namespace sekisho::audit;
    std::vector<std::string> out(lines.begin(), lines.begin() + static_cast<std::ptrdiff_t>(changed));
    std::string prev = to_hex(line_hash(out.back()));
    for (std::size_t i = changed; i < lines.size(); ++i)
    {
        std::string line = lines[i];
        if (i == changed)
        {
            line.replace(line.find("hello"), 5, "HELLO");
        }
        const auto at = line.find("\"prev\":\"") + 8;
        line.replace(at, 64, prev);
        if (const auto at_key = line.find("\"key\":\""); at_key != std::string::npos)
        {
            line.replace(at_key + 7, 16, forged.public_half().id());
        }
        if (const auto part = signed_part(line))
        {
            const auto body = std::string(*part);
            line = body + std::string(signature_marker) + forged.sign_hex(body) + "\"}";
        }
        prev = to_hex(line_hash(line));
        out.push_back(line);
    }
    return join_lines(out);
}

} // namespace

BOOST_AUTO_TEST_SUITE(audit)

BOOST_AUTO_TEST_CASE(the_daemon_records_every_event_and_the_log_verifies)
{
    temp_dir keys;
    const auto k = make_audit_keys(keys);
    auto o = auth_options();
    o.files.emplace_back("audit.key", k.secret_text);
    o.extra_config += audit_section("audit", "audit.key") + "admin:\n  socket: run/admin.sock\n";
    gateway g(o);
    const auto dir = g.dir().file("audit");

    // A wrong password, then a session with a tunnel, then a denial toward
    // the My Number zone in the same session.
    {
        tls_client c(g.internet(), "device-alice");
        const auto head = connect_as(c, basic("alice", "wrong horse" + code_now()), echo_target());
        BOOST_TEST(head.rfind("HTTP/1.1 407", 0) == 0, head);
    }
    tls_client c(g.internet(), "device-alice");
    const auto head = connect_as(c, basic("alice", "correct horse" + code_now()), echo_target());
    BOOST_REQUIRE_MESSAGE(head.rfind("HTTP/1.1 200", 0) == 0, head);
    BOOST_REQUIRE(c.send("ping"));
    BOOST_REQUIRE(c.recv_exactly(4) == "ping");
    {
        tls_client d(g.internet(), "device-alice");
        const auto denied = connect_as(d,
                                       basic("alice", "correct horse" + code_now()),
                                       "juki.mynumber.test:" + std::to_string(world::get().mynumber.port()));
        BOOST_TEST(denied.rfind("HTTP/1.1 403", 0) == 0, denied);
    }
    // Plain HTTP to the TLS port: a connection that never reached a decision.
    // (sekishod answers it in plain HTTP: 400.)
    const auto plain = run({"curl",
                            "-s",
                            "-o",
                            "/dev/null",
                            "-w",
                            "%{http_code}",
                            "http://127.0.0.1:" + std::to_string(g.internet()) + "/"},
                           g.dir());
    BOOST_TEST(plain.out == "400", plain.out << plain.err);
    // An operator ends the session; the tunnel closes.
    const auto sessions = audit_status(g); // the admin API answers
    BOOST_TEST(sessions.at("healthy").as_bool());
    BOOST_REQUIRE(run({"curl",
                       "-sS",
                       "--unix-socket",
                       g.dir().file("run/admin.sock"),
                       "-X",
                       "POST",
                       "-d",
                       R"({"user":"alice"})",
                       "http://sekishod/v1/sessions/kill"},
                      g.dir())
                      .exit_code == 0);
    BOOST_TEST(c.closed_by_peer());
    // A policy change.
    BOOST_TEST(g.reload_with(test_policy_with("name: Alice", "name: Alice Ito")).find("policy_reloaded") !=
               std::string::npos);
    BOOST_REQUIRE(g.stop(SIGTERM) == 0);

    const auto records = audit_records(dir);
    std::map<std::string, std::vector<boost::json::object>> by_event;
    std::uint64_t expected_seq = 1;
    for (const auto& r : records)
    {
        BOOST_TEST(num(r, "seq") == static_cast<std::int64_t>(expected_seq));
        ++expected_seq;
        BOOST_TEST(str(r, "ts").size() == 24U); // 2026-11-22T10:00:00.123Z
        BOOST_TEST(!str(r, "host").empty());
        by_event[str(r, "event")].push_back(r);
    }
    for (const auto* e : {"daemon_start",
                          "policy_loaded",
                          "auth_failed",
                          "session_opened",
                          "tunnel_allowed",
                          "tunnel_closed",
                          "tunnel_denied",
                          "connection_failed",
                          "admin_action",
                          "session_closed",
                          "daemon_stop",
                          "checkpoint"})
    {
        BOOST_TEST(by_event.count(e) == 1U, "no " << e << " event");
    }
    BOOST_REQUIRE(by_event.count("tunnel_allowed") && by_event.count("tunnel_denied"));
    const auto& allowed = by_event["tunnel_allowed"].front();
    BOOST_TEST(str(allowed, "user") == "alice");
    BOOST_TEST(str(allowed, "device") == "alice-pc");
    BOOST_TEST(str(allowed, "layer") == "internet");
    BOOST_TEST(str(allowed, "zone") == "internet");
    BOOST_TEST(str(allowed, "service") == "files");
    BOOST_TEST(str(allowed, "rule") == "service:files");
    BOOST_TEST(str(allowed, "data_class") == "1");
    BOOST_TEST(str(allowed, "policy").size() == 64U);
    BOOST_TEST(str(allowed, "peer").rfind("127.0.0.1:", 0) == 0U);
    BOOST_TEST(allowed.at("resolved").as_array().size() == 1U);
    BOOST_TEST(!str(allowed, "session").empty());
    bool denied_mynumber = false;
    for (const auto& d : by_event["tunnel_denied"])
    {
        denied_mynumber =
            denied_mynumber || (str(d, "zone") == "mynumber" && str(d, "reason") == "mynumber_zone" &&
                                num(d, "status") == 403 && str(d, "user") == "alice");
    }
    BOOST_TEST(denied_mynumber);
    const auto& closed = by_event["tunnel_closed"].front();
    BOOST_TEST(num(closed, "tunnel") == num(allowed, "tunnel"));
    BOOST_TEST(num(closed, "seq") > num(allowed, "seq"));
    BOOST_TEST(num(closed, "bytes_up") == 4);
    BOOST_TEST(num(closed, "bytes_down") == 4);
    BOOST_TEST(str(closed, "cause") == "session_killed");
    BOOST_TEST(str(by_event["session_closed"].front(), "cause") == "session_killed");
    BOOST_TEST(str(by_event["auth_failed"].front(), "result") == "auth_failed");
    BOOST_TEST(str(by_event["connection_failed"].front(), "reason") == "not_tls");
    bool reload_recorded = false;
    for (const auto& p : by_event["policy_loaded"])
    {
        reload_recorded = reload_recorded || str(p, "trigger") == "reload";
    }
    BOOST_TEST(reload_recorded);
    BOOST_TEST(str(records.back(), "event") == "checkpoint"); // sealed at stop

    const auto v = sekisho_audit({"verify", "--key", k.public_file, dir}, g.dir());
    BOOST_TEST(v.exit_code == 0, v.out << v.err);
    BOOST_TEST(v.out.find("OK: " + std::to_string(records.size()) + " records") != std::string::npos, v.out);
}

BOOST_AUTO_TEST_CASE(each_kind_of_tampering_is_caught_with_its_exit_code)
{
    temp_dir dir;
    const auto key = sekisho::audit::signing_key::generate();
    write_file(dir.file("audit.pub"), key.public_text());
    const auto pub = dir.file("audit.pub");
    const auto original = write_sample_log(dir, key, 30);
    const auto lines = lines_of(original);
    BOOST_REQUIRE(lines.size() > 20U);

    auto intact = verify_text(dir, "intact", original, pub);
    BOOST_TEST(intact.code == 0, intact.out);

    // One byte of record 10 changed: the next record's prev no longer matches.
    auto edited = lines;
    edited[9].replace(edited[9].find("hello"), 5, "hellp");
    auto r = verify_text(dir, "edited", join_lines(edited), pub);
    BOOST_TEST(r.code == 3, r.out);
    BOOST_TEST(r.out.find("edited.log:11:") != std::string::npos, r.out);
    BOOST_TEST(r.out.find("edited.log:10") != std::string::npos, r.out);

    auto deleted = lines;
    deleted.erase(deleted.begin() + 9);
    r = verify_text(dir, "deleted", join_lines(deleted), pub);
    BOOST_TEST(r.code == 4, r.out);
    BOOST_TEST(r.out.find("deleted.log:10:") != std::string::npos, r.out);

    auto swapped = lines;
    std::swap(swapped[9], swapped[10]);
    r = verify_text(dir, "swapped", join_lines(swapped), pub);
    BOOST_TEST(r.code == 5, r.out);

    // The tail cut off, last checkpoint included: unsealed on its own; with
    // the collector's copy of the checkpoints, truncation.
    std::vector<std::string> cut(lines.begin(), lines.end() - 3);
    r = verify_text(dir, "cut", join_lines(cut), pub);
    BOOST_TEST(r.code == 8, r.out);
    write_file(dir.file("collector.log"), original);
    r = verify_text(dir, "cut2", join_lines(cut), pub, {"--anchor", dir.file("collector.log")});
    BOOST_TEST(r.code == 7, r.out);
    BOOST_TEST(r.out.find("collector holds checkpoint seq " + std::to_string(lines.size())) !=
                   std::string::npos,
               r.out);
    // The tail cut exactly after an earlier checkpoint looks sealed: only the
    // collector's copy shows it.
    std::size_t last_cp = 0;
    for (std::size_t i = 0; i + 3 < lines.size(); ++i)
    {
        if (lines[i].find("\"event\":\"checkpoint\"") != std::string::npos)
        {
            last_cp = i;
        }
    }
    std::vector<std::string> at_checkpoint(lines.begin(),
                                           lines.begin() + static_cast<std::ptrdiff_t>(last_cp + 1));
    BOOST_TEST(verify_text(dir, "cp", join_lines(at_checkpoint), pub).code == 0);
    BOOST_TEST(
        verify_text(dir, "cp2", join_lines(at_checkpoint), pub, {"--anchor", dir.file("collector.log")})
            .code == 7);

    // Changed, re-chained and re-signed with the attacker's own key.
    const auto forged = sekisho::audit::signing_key::generate();
    r = verify_text(dir, "forged", rechain_with(lines, 9, forged), pub);
    BOOST_TEST(r.code == 6, r.out);
    BOOST_TEST(r.out.find(forged.public_half().id()) != std::string::npos, r.out);

    // Cut in the middle of the last record.
    r = verify_text(dir, "midline", original.substr(0, original.size() - 20), pub);
    BOOST_TEST(r.code == 7, r.out);

    // Something that is not a record.
    auto garbage = lines;
    garbage.insert(garbage.begin() + 5, "this is not JSON");
    r = verify_text(dir, "garbage", join_lines(garbage), pub);
    BOOST_TEST(r.code == 2, r.out);
    BOOST_TEST(r.out.find("garbage.log:6:") != std::string::npos, r.out);

    // The right log with the wrong public key.
    write_file(dir.file("other.pub"), forged.public_text());
    r = verify_text(dir, "wrongkey", original, dir.file("other.pub"));
    BOOST_TEST(r.code == 6, r.out);
}

BOOST_AUTO_TEST_CASE(rotation_continues_the_chain_across_files)
{
    temp_dir dir;
    const auto key = sekisho::audit::signing_key::generate();
    write_file(dir.file("audit.pub"), key.public_text());
    sekisho::config::audit_settings s;
    s.directory = dir.file("rotating");
    s.signing_key = "-";
    s.rotate_bytes = 4096;
    s.checkpoint_events = 7;
    std::string error;
    auto w = sekisho::audit::writer::open(s, key, "gw-test", error);
    BOOST_REQUIRE_MESSAGE(w, error);
    for (int i = 0; i < 200; ++i)
    {
        w->append("test_event", {{"n", i}, {"padding", std::string(40, 'x')}});
        if (i % 20 == 0)
        {
            BOOST_REQUIRE(w->flush(std::chrono::seconds(5)));
        }
    }
    w->close();
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(s.directory))
    {
        if (e.path().filename().string().starts_with("audit"))
        {
            ++files;
        }
    }
    BOOST_TEST(files > 3U);
    const auto r = sekisho_audit({"verify", "--key", dir.file("audit.pub"), s.directory}, dir);
    BOOST_TEST(r.exit_code == 0, r.out << r.err);
    BOOST_TEST(r.out.find("in " + std::to_string(files) + " file(s)") != std::string::npos, r.out);
    BOOST_TEST(audit_events(s.directory, "test_event").size() == 200U);
    BOOST_TEST(audit_events(s.directory, "log_continued").size() == files - 1);
}

BOOST_AUTO_TEST_CASE(a_full_disk_refuses_new_tunnels_and_they_resume_when_there_is_room)
{
    // The audit folder is a 256 KiB tmpfs in the daemon's own mount
    // namespace; the test reaches it through /proc/PID/root.
    temp_dir keys;
    const auto k = make_audit_keys(keys);
    auto o = gateway_options{};
    o.files.emplace_back("audit.key", k.secret_text);
    const std::string mount_point = keys.file("tmpfs");
    fs::create_directories(mount_point);
    o.wrapper = {"unshare",
                 "-m",
                 "--propagation",
                 "private",
                 "sh",
                 "-c",
                 "mount -t tmpfs -o size=256k sekisho-test " + mount_point + " && exec \"$0\" \"$@\""};
    o.extra_config += audit_section(mount_point + "/audit", "audit.key", {"retry_interval: 100ms"}) +
                      "admin:\n  socket: run/admin.sock\n";
    gateway g(o);
    const auto inside = "/proc/" + std::to_string(g.proc().pid()) + "/root" + mount_point;
    require_serving(g);

    // Fill the file system.
    {
        std::ofstream filler(inside + "/filler", std::ios::binary);
        const std::string block(4096, 'z');
        for (int i = 0; i < 128 && filler.good(); ++i)
        {
            filler.write(block.data(), static_cast<std::streamsize>(block.size()));
            filler.flush();
        }
    }
    // The next records cannot be written: within a few tunnels, new ones
    // are refused with 503 and the reason.
    bool refused = false;
    for (int i = 0; i < 40 && !refused; ++i)
    {
        const auto r = curl_via(g.internet(), cloud_url());
        refused = r.connect_code == 503 && r.verbose_has("audit_unavailable");
        if (!refused)
        {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    BOOST_REQUIRE_MESSAGE(refused, "no 503 audit_unavailable with a full disk:\n" << g.log());
    BOOST_TEST(!audit_status(g).at("healthy").as_bool());
    BOOST_TEST(g.log().find("event=audit_log_unwritable") != std::string::npos);
    BOOST_TEST(g.proc().running());

    // Room again: tunnels are served without a restart.
    fs::remove(inside + "/filler");
    BOOST_TEST(eventually([&] { return curl_via(g.internet(), cloud_url()).connect_code == 200; },
                          std::chrono::seconds(10)));
    BOOST_TEST(audit_status(g).at("healthy").as_bool());
    // Nothing queued while the disk was full was lost: copy the log out of
    // the namespace and verify it (its tail may not be sealed yet).
    const auto status = audit_status(g);
    BOOST_TEST(num(status, "lost") == 0);
    temp_dir copy;
    fs::copy(inside + "/audit", copy.file("audit"));
    const auto r = sekisho_audit({"verify", "--key", k.public_file, copy.file("audit")}, copy);
    BOOST_TEST((r.exit_code == 0 || r.exit_code == 8), r.out << r.err);
    std::size_t allowed = audit_events(copy.file("audit"), "tunnel_allowed").size();
    std::size_t closed = audit_events(copy.file("audit"), "tunnel_closed").size();
    BOOST_TEST(allowed >= 2U);
    BOOST_TEST(closed + 1 >= allowed); // the last tunnel's close may still be queued
}

BOOST_AUTO_TEST_CASE(kill_9_in_a_burst_loses_nothing_acknowledged)
{
    temp_dir state;
    const auto k = make_audit_keys(state);
    const auto audit_dir = state.file("audit");
    auto o = gateway_options{};
    o.files.emplace_back("audit.key", k.secret_text);
    o.extra_config += audit_section(audit_dir, "audit.key") + "admin:\n  socket: run/admin.sock\n";
    std::int64_t acknowledged = 0;
    {
        gateway g(o);
        // A burst from four clients at once; then the acknowledged seq, and
        // kill -9 while the clients keep going.
        std::atomic<bool> stop{false};
        std::vector<std::thread> clients;
        for (int t = 0; t < 4; ++t)
        {
            clients.emplace_back([&] {
                for (int i = 0; i < 200 && !stop; ++i)
                {
                    curl_via(g.internet(), cloud_url());
                }
            });
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        acknowledged = num(audit_status(g), "durable_seq");
        g.crash();
        stop = true;
        for (auto& c : clients)
        {
            c.join();
        }
    }
    BOOST_REQUIRE(acknowledged > 10);
    // The log as the crash left it: a chain, perhaps with an unsealed tail.
    const auto crashed = sekisho_audit({"verify", "--key", k.public_file, audit_dir}, state);
    BOOST_TEST((crashed.exit_code == 0 || crashed.exit_code == 8), crashed.out << crashed.err);
    BOOST_TEST(!audit_records(audit_dir).empty());
    BOOST_TEST(num(audit_records(audit_dir).back(), "seq") >= acknowledged);

    // The next start continues the chain and seals what the crash left.
    {
        gateway g(o);
        require_serving(g);
        BOOST_REQUIRE(g.stop(SIGTERM) == 0);
    }
    const auto after = sekisho_audit({"verify", "--key", k.public_file, audit_dir}, state);
    BOOST_TEST(after.exit_code == 0, after.out << after.err);
    BOOST_TEST(audit_events(audit_dir, "audit_recovered").size() == 1U);
    BOOST_TEST(audit_events(audit_dir, "daemon_start").size() == 2U);
}

BOOST_AUTO_TEST_CASE(a_kill_right_after_a_checkpoint_is_still_an_unclean_end)
{
    // The crash the sealed tail hides: the last line on disk is a checkpoint,
    // yet the run never wrote daemon_stop. The next start must say so; a
    // clean stop must not.
    temp_dir state;
    const auto k = make_audit_keys(state);
    const auto audit_dir = state.file("audit");
    auto o = gateway_options{};
    o.files.emplace_back("audit.key", k.secret_text);
    o.extra_config += audit_section(audit_dir, "audit.key", {"checkpoint_interval: 50ms"}) +
                      "admin:\n  socket: run/admin.sock\n";
    {
        gateway g(o);
        BOOST_TEST(curl_via(g.internet(), cloud_url()).connect_code == 200);
        BOOST_REQUIRE(eventually(
            [&] {
                const auto records = audit_records(audit_dir);
                return records.size() > 2 && str(records.back(), "event") == "checkpoint" &&
                       audit_events(audit_dir, "tunnel_closed").size() == 1U;
            },
            std::chrono::seconds(5)));
        g.crash();
    }
    const auto crashed = sekisho_audit({"verify", "--key", k.public_file, audit_dir}, state);
    BOOST_TEST(crashed.exit_code == 0, crashed.out << crashed.err); // sealed: nothing to see yet
    for (int run = 0; run < 2; ++run)
    {
        gateway g(o);
        require_serving(g);
        BOOST_REQUIRE(g.stop(SIGTERM) == 0);
    }
    const auto after = sekisho_audit({"verify", "--key", k.public_file, audit_dir}, state);
    BOOST_TEST(after.exit_code == 0, after.out << after.err);
    const auto recovered = audit_events(audit_dir, "audit_recovered");
    BOOST_REQUIRE(recovered.size() == 1U); // the crash, not the clean stop after it
    BOOST_TEST(num(recovered.front(), "discarded_bytes") == 0);
    BOOST_TEST(audit_events(audit_dir, "daemon_start").size() == 3U);
    BOOST_TEST(audit_events(audit_dir, "daemon_stop").size() == 2U);
}

BOOST_AUTO_TEST_SUITE_END()
