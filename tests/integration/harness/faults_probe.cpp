#include "harness/faults_probe.hpp"

#include "harness/checks.hpp"
#include "harness/process.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <sys/resource.h>

namespace sekisho::test {

namespace {

using steady = std::chrono::steady_clock;

} // namespace

std::size_t rss_kib(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
    {
        if (line.rfind("VmRSS:", 0) == 0)
        {
            return std::stoul(line.substr(6));
        }
    }
    return 0;
}

std::size_t fd_count(pid_t pid)
{
    std::error_code ec;
    std::size_t n = 0;
    for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end;
         !ec && it != end;
         it.increment(ec))
    {
        ++n;
    }
    return n;
}

std::size_t fds_settle_to(pid_t pid, std::size_t limit, std::chrono::milliseconds timeout)
{
    std::size_t n = fd_count(pid);
    eventually(
        [&] {
            n = fd_count(pid);
            return n <= limit;
        },
        timeout);
    return n;
}

std::map<std::string, std::string> fault_env()
{
#if defined(SEKISHO_SANITIZED)
    const char* given = std::getenv("ASAN_OPTIONS");
    std::string options = given != nullptr ? std::string(given) + ":" : std::string();
    return {{"ASAN_OPTIONS", options + "quarantine_size_mb=16"}};
#else
    return {};
#endif
}

std::size_t raise_fd_limit(std::size_t wanted)
{
    rlimit l{};
    ::getrlimit(RLIMIT_NOFILE, &l);
    if (l.rlim_cur < wanted)
    {
        l.rlim_cur = std::min<rlim_t>(wanted, l.rlim_max);
        ::setrlimit(RLIMIT_NOFILE, &l);
        ::getrlimit(RLIMIT_NOFILE, &l);
    }
    return static_cast<std::size_t>(l.rlim_cur);
}

std::uint16_t metrics_port(const gateway& g)
{
    std::smatch m;
    const auto log = g.log();
    static const std::regex line(R"(event=metrics_listening address=127\.0\.0\.1:(\d+))");
    if (!std::regex_search(log, m, line))
    {
        throw std::runtime_error("no metrics_listening line:\n" + log);
    }
    return static_cast<std::uint16_t>(std::stoi(m[1]));
}

std::optional<double> scrape(std::uint16_t port, const std::string& sample)
{
    tcp_client c(port);
    if (!c.ok())
    {
        return std::nullopt;
    }
    c.send("GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    std::istringstream text(c.recv_all(std::chrono::seconds(5)));
    for (std::string line; std::getline(text, line);)
    {
        if (line.size() > sample.size() && line.compare(0, sample.size(), sample) == 0 &&
            line[sample.size()] == ' ')
        {
            return std::stod(line.substr(sample.size() + 1));
        }
    }
    return std::nullopt;
}

std::string allowed_url()
{
    return "http://files.cloud.test:" + std::to_string(world::get().cloud.port()) + "/";
}

std::string policy_allowing_ports(const std::vector<std::uint16_t>& ports)
{
    const auto& w = world::get();
    const auto from =
        "ports: [" + std::to_string(w.cloud.port()) + ", " + std::to_string(w.echo.port()) + "]";
    auto to = from.substr(0, from.size() - 1);
    for (const auto p : ports)
    {
        to += ", " + std::to_string(p);
    }
    return test_policy_with(from, to + "]");
}

timed_result timed_request(std::uint16_t proxy_port)
{
    const auto start = steady::now();
    auto r = curl_via(proxy_port, allowed_url());
    timed_result out;
    out.took = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start);
    out.ok = r.connect_code == 200 && r.http_code == 200 && r.body == cloud_body;
    out.verbose = std::move(r.verbose);
    return out;
}

steady_client::steady_client(std::uint16_t proxy_port, int max_requests)
{
    thread_ = std::thread([this, proxy_port, max_requests] {
        for (int i = 0; i < max_requests && !stop_; ++i)
        {
            auto r = timed_request(proxy_port);
            std::lock_guard lock(mutex_);
            slowest_ = std::max(slowest_, r.took);
            if (r.ok)
            {
                ++ok_;
            }
            else if (failed_++ == 0)
            {
                first_failure_ = r.verbose;
            }
        }
    });
}

steady_client::~steady_client()
{
    stop();
}

void steady_client::stop()
{
    stop_ = true;
    if (thread_.joinable())
    {
        thread_.join();
    }
}

std::chrono::milliseconds steady_client::slowest() const
{
    std::lock_guard lock(mutex_);
    return slowest_;
}

std::string steady_client::first_failure() const
{
    std::lock_guard lock(mutex_);
    return first_failure_;
}

gateway_options fault_options(std::vector<std::string> timeouts, std::vector<std::string> limits)
{
    raise_fd_limit(8192);
    gateway_options o;
    o.timeouts = std::move(timeouts);
    o.limits = std::move(limits);
    o.extra_config = metrics_section;
    o.env = fault_env();
    return o;
}

baseline warm(gateway& g)
{
    require_serving(g);
    require_serving(g);
    return {rss_kib(g.proc().pid()), fd_count(g.proc().pid())};
}

} // namespace sekisho::test
