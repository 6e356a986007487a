// sekisho-audit-bench: the audit log's own speed, on this machine's disk.
//
//   sekisho-audit-bench [--seconds S] [--producers N] [--dir DIR]
//
// 1. write: N threads append tunnel_allowed-sized events (built and
//    serialised per event, as the I/O threads do) for S seconds, with the
//    daemon's defaults: group commit every 10 ms, a checkpoint every second.
//    When the bounded queue is full an append is refused (fail_closed) and
//    the producer sleeps 50 µs and tries again, so the figure is what the writer
//    sustains, fsync'ed, not what the queue absorbs.
// 2. verify: the files just written, through the same code as
//    `sekisho-audit verify` (read, then checked), in lines per second.
//
// Prints a Markdown table (docs/performance.md#audit-log-issue-6).

#include "daemon/audit/keys.hpp"
#include "daemon/audit/reader.hpp"
#include "daemon/audit/verify.hpp"
#include "daemon/audit/writer.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace {

using steady = std::chrono::steady_clock;

boost::json::object sample_event(std::uint64_t id)
{
    return {{"tunnel", id},
            {"decision", "allow"},
            {"peer", "192.0.2.15:51234"},
            {"listener", "internet"},
            {"layer", "internet"},
            {"device", "pc-0421"},
            {"device_fingerprint", std::string(64, 'a')},
            {"device_serial", "4f1a2b3c4d5e6f70"},
            {"device_subject", "pc-0421.kakuu.lg.jp"},
            {"user", "sato.hanako"},
            {"department", "住民課"},
            {"role", "staff"},
            {"session", "5f0c1e2d3a4b5c6d"},
            {"target", "files.cloud.example:443"},
            {"zone", "internet"},
            {"service", "files"},
            {"data_class", "c2"},
            {"rule", "service:files"},
            {"reason", "allowed"},
            {"status", 0},
            {"resolved", boost::json::array{"203.0.113.10"}},
            {"policy", std::string(64, 'b')}};
}

double arg(int argc, char** argv, const char* name, double fallback)
{
    for (int i = 1; i + 1 < argc; ++i)
    {
        if (std::strcmp(argv[i], name) == 0)
        {
            return std::stod(argv[i + 1]);
        }
    }
    return fallback;
}

std::string arg_text(int argc, char** argv, const char* name, std::string fallback)
{
    for (int i = 1; i + 1 < argc; ++i)
    {
        if (std::strcmp(argv[i], name) == 0)
        {
            return argv[i + 1];
        }
    }
    return fallback;
}

} // namespace

int main(int argc, char** argv)
{
    namespace audit = sekisho::audit;
    const double seconds = arg(argc, argv, "--seconds", 5);
    const auto producers = static_cast<unsigned>(arg(argc, argv, "--producers", 2));
    const auto dir = arg_text(argc, argv, "--dir", "/tmp/sekisho-audit-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);

    sekisho::config::audit_settings s;
    s.directory = dir;
    s.signing_key = "-";
    s.fsync_interval = std::chrono::milliseconds(10);
    s.checkpoint_interval = std::chrono::seconds(1);
    s.checkpoint_events = 10000000; // by time only, as the goal says
    s.rotate_bytes = 4294967295u;
    const auto key = audit::signing_key::generate();
    std::string error;
    auto w = audit::writer::open(s, key, "bench-host", error);
    if (!w)
    {
        std::fprintf(stderr, "sekisho-audit-bench: %s\n", error.c_str());
        return 1;
    }

    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> accepted{0};
    std::atomic<std::uint64_t> refused{0};
    std::vector<std::thread> threads;
    const auto t0 = steady::now();
    for (unsigned p = 0; p < producers; ++p)
    {
        threads.emplace_back([&, p] {
            std::uint64_t id = p;
            while (!stop.load(std::memory_order_relaxed))
            {
                const auto fields = sample_event(id);
                while (!w->append("tunnel_allowed", fields, true))
                {
                    // The queue is full: wait a little (a spinning producer
                    // would take the CPU the writer needs; the daemon's I/O
                    // threads answer 503 instead).
                    refused.fetch_add(1, std::memory_order_relaxed);
                    std::this_thread::sleep_for(std::chrono::microseconds(50));
                    if (stop.load(std::memory_order_relaxed))
                    {
                        return;
                    }
                }
                accepted.fetch_add(1, std::memory_order_relaxed);
                id += producers;
            }
        });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& t : threads)
    {
        t.join();
    }
    w->flush(std::chrono::seconds(60));
    const auto write_secs = std::chrono::duration<double>(steady::now() - t0).count();
    const auto st = w->status();
    w->close();

    std::vector<audit::log_file> files;
    const auto r0 = steady::now();
    if (!audit::read_log_files({dir}, files, error))
    {
        std::fprintf(stderr, "sekisho-audit-bench: %s\n", error.c_str());
        return 1;
    }
    const auto v0 = steady::now();
    const auto report = audit::verify_files(files, {key.public_half(), std::nullopt});
    const auto v1 = steady::now();
    std::uint64_t bytes = 0;
    for (const auto& f : files)
    {
        bytes += f.text.size();
    }
    const double read_secs = std::chrono::duration<double>(v0 - r0).count();
    const double verify_secs = std::chrono::duration<double>(v1 - v0).count();

    std::printf("| figure | value |\n|---|---|\n");
    std::printf("| events appended and fsync'ed | %llu in %.2f s |\n",
                static_cast<unsigned long long>(accepted.load()),
                write_secs);
    std::printf("| **sustained write rate** (goal ≥ 200,000/s) | **%.0f events/s** |\n",
                static_cast<double>(accepted.load()) / write_secs);
    std::printf("| bytes per line (mean) | %.0f |\n",
                static_cast<double>(bytes) / static_cast<double>(report.lines));
    std::printf("| fsyncs, last / longest fsync | %llu, %lld µs / %lld µs |\n",
                static_cast<unsigned long long>(st.fsyncs),
                static_cast<long long>(st.last_fsync.count()),
                static_cast<long long>(st.max_fsync.count()));
    std::printf("| checkpoints | %llu |\n", static_cast<unsigned long long>(st.checkpoints));
    std::printf("| appends refused while the queue was full (retried) | %llu |\n",
                static_cast<unsigned long long>(refused.load()));
    std::printf("| **verify rate** (goal ≥ 500,000/s) | **%.0f lines/s** (%llu lines, %.1f MiB in %.2f s; "
                "reading the files: %.2f s) |\n",
                static_cast<double>(report.lines) / verify_secs,
                static_cast<unsigned long long>(report.lines),
                static_cast<double>(bytes) / (1024.0 * 1024.0),
                verify_secs,
                read_secs);
    std::printf("| verify result | %s |\n", std::string(audit::to_string(report.result)).c_str());
    std::filesystem::remove_all(dir);
    return report.result == audit::verdict::ok ? 0 : 1;
}
