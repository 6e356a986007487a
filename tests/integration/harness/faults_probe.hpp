#pragma once
// What the fault and abuse tests measure on the running sekishod: its
// resident memory and open descriptors (from /proc), its Prometheus figures,
// and a steady legitimate client that keeps opening allowed tunnels while a
// fault runs, noting failures and the slowest one.

#include "harness/clients.hpp"
#include "harness/gateway.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <sys/types.h>

namespace sekisho::test {

// VmRSS of the process in KiB (/proc/PID/status); 0 once it is gone.
std::size_t rss_kib(pid_t pid);
// Its open file descriptors (entries of /proc/PID/fd).
std::size_t fd_count(pid_t pid);
// Waits until fd_count(pid) <= limit or the timeout passes; returns the last count.
std::size_t fds_settle_to(pid_t pid, std::size_t limit, std::chrono::milliseconds timeout);

// Sanitizer builds carry shadow memory, redzones and a quarantine of freed
// blocks: memory bounds are multiplied by this there (the leak itself is
// LeakSanitizer's to find at exit).
#if defined(SEKISHO_SANITIZED)
inline constexpr std::size_t memory_bound_factor = 4;
#else
inline constexpr std::size_t memory_bound_factor = 1;
#endif
// Environment for a gateway under the fault tests: under ASan a small
// quarantine, so that freed memory is reused and RSS means something.
std::map<std::string, std::string> fault_env();

// Lifts the soft RLIMIT_NOFILE of this test process (and so of the daemons
// it starts) to at least `wanted` if the hard limit allows; returns the soft
// limit in force.
std::size_t raise_fd_limit(std::size_t wanted);

// `metrics:` on a free loopback port, for gateway_options.extra_config.
inline constexpr const char* metrics_section = "metrics:\n  address: 127.0.0.1\n  port: 0\n";
// The port of the gateway's metrics endpoint (from its metrics_listening line).
std::uint16_t metrics_port(const gateway& g);
// One unlabelled sample of /metrics (e.g. "sekisho_connections_open"), or a
// labelled one written as in the exposition ("sekisho_reloads_total{result=\"ok\"}").
std::optional<double> scrape(std::uint16_t port, const std::string& sample);

inline constexpr std::size_t kib = 1024;
// Descriptors a quiet daemon may hold beyond its baseline (a log file
// reopened, a DNS socket being closed): a leak of one per connection over
// hundreds of connections is far beyond it.
inline constexpr std::size_t fd_slack = 4;

// A gateway for the fault tests: short, named deadlines (every timeout of a
// test is one of these settings) and limits, metrics on, fault_env(), and a
// raised descriptor limit.
gateway_options fault_options(std::vector<std::string> timeouts, std::vector<std::string> limits = {});

// The daemon after start-up and one tunnel: the baseline every bound is
// measured from (the first tunnel allocates the pools and the session
// machinery once).
struct baseline
{
    std::size_t rss = 0;
    std::size_t fds = 0;
};
baseline warm(gateway& g);

// The URL of the world's HTTP upstream under an allowed name.
std::string allowed_url();

// The test policy with files.cloud.test (127.0.30.1) also allowed on these ports.
std::string policy_allowing_ports(const std::vector<std::uint16_t>& ports);

// Opens an allowed tunnel with curl again and again (one at a time) until
// stopped, at most `max_requests`.
class steady_client
{
public:
    explicit steady_client(std::uint16_t proxy_port, int max_requests = 2000);
    ~steady_client(); // stops
    steady_client(const steady_client&) = delete;
    steady_client& operator=(const steady_client&) = delete;
    void stop();
    int ok() const { return ok_.load(); }
    int failed() const { return failed_.load(); }
    std::chrono::milliseconds slowest() const;
    std::string first_failure() const;

private:
    std::atomic<bool> stop_{false};
    std::atomic<int> ok_{0};
    std::atomic<int> failed_{0};
    mutable std::mutex mutex_;
    std::chrono::milliseconds slowest_{0};
    std::string first_failure_;
    std::thread thread_;
};

// One allowed tunnel through curl, timed; the result must be a full 200.
struct timed_result
{
    bool ok = false;
    std::chrono::milliseconds took{0};
    std::string verbose;
};
timed_result timed_request(std::uint16_t proxy_port);

} // namespace sekisho::test
