#pragma once
// Counters for the Prometheus endpoint (docs/metrics.md), one shard per I/O
// thread: a session adds to its own thread's shard, so the data path never
// waits for another thread; a scrape adds the shards up. Each shard has a
// mutex that only a scrape ever contends.

#include "daemon/log/tunnel_record.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace sekisho::metrics {

// Cumulative buckets in seconds, as Prometheus histograms are.
struct histogram
{
    static constexpr std::array<double, 14> bounds = {0.00001,
                                                      0.000025,
                                                      0.00005,
                                                      0.0001,
                                                      0.00025,
                                                      0.0005,
                                                      0.001,
                                                      0.0025,
                                                      0.005,
                                                      0.01,
                                                      0.025,
                                                      0.05,
                                                      0.1,
                                                      1.0};
    std::array<std::uint64_t, bounds.size()> buckets{}; // observations <= bounds[i] (not cumulative here)
    std::uint64_t count = 0;
    double sum = 0;

    void observe(std::chrono::nanoseconds d);
    void add(const histogram& other);
};

using label_counts = std::map<std::string, std::uint64_t, std::less<>>;

struct counters
{
    std::uint64_t connections = 0;    // accepted and ended (any outcome)
    label_counts tunnels_opened;      // by layer
    std::uint64_t tunnels_closed = 0; // opened tunnels that have ended
    label_counts denied;              // tunnels refused by policy, by reason
    label_counts failed;              // connections that ended in an error, by reason
    label_counts auth_failures;       // refused sign-ins, by result
    std::uint64_t bytes_up = 0;       // client → upstream, of tunnels that ended
    std::uint64_t bytes_down = 0;
    std::uint64_t proxy_refused = 0; // PROXY protocol: untrusted sender or bad header
    histogram decision;              // policy decide() on the request (not the address vetting after DNS)
    histogram setup;                 // accept → 200 Connection Established

    void add(const counters& other);
};

class shard
{
public:
    // The shard of the calling thread; null on threads that have none.
    static shard*& current();

    void connection_ended(const log::tunnel_record& r);
    void tunnel_opened(std::string_view layer, std::chrono::nanoseconds setup);
    void decided(std::chrono::nanoseconds d);
    void auth_failed(std::string_view result);
    void proxy_refused();

    counters read() const;

private:
    mutable std::mutex mutex_;
    counters c_;
};

// On the calling thread's shard, if it has one.
template <class F>
void note(F&& f)
{
    if (auto* s = shard::current())
    {
        f(*s);
    }
}

} // namespace sekisho::metrics
