// The per-connection costs the operations issue added to the data path, in
// nanoseconds (docs/performance.md, "Metrics and PROXY protocol"):
//  - the metrics a tunnel records (tunnel_opened + decided + connection_ended
//    on its I/O thread's shard), alone and with a scraper adding the shards
//    up every millisecond from another thread;
//  - parsing a PROXY v1 line and a v2 header (HAProxy's send-proxy /
//    send-proxy-v2 shapes).
// Usage: sekisho-ops-bench [SECONDS per figure, default 2]

#include "daemon/metrics/shard.hpp"
#include "daemon/proto/proxy_header.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Runs `op` in batches until `budget` has passed; nanoseconds per call.
template <class Op>
double ns_per_call(std::chrono::duration<double> budget, Op op)
{
    std::uint64_t calls = 0;
    const auto start = steady::now();
    const auto end = start + std::chrono::duration_cast<steady::duration>(budget);
    while (steady::now() < end)
    {
        for (int i = 0; i < 1000; ++i)
        {
            op();
        }
        calls += 1000;
    }
    return std::chrono::duration<double, std::nano>(steady::now() - start).count() /
           static_cast<double>(calls);
}

sekisho::log::tunnel_record allowed_record()
{
    sekisho::log::tunnel_record r;
    r.decision = "allow";
    r.status = 200;
    r.bytes_up = 1000;
    r.bytes_down = 50000;
    r.layer = "internet";
    return r;
}

void one_tunnel(sekisho::metrics::shard& s, const sekisho::log::tunnel_record& r)
{
    s.decided(700ns);
    s.tunnel_opened(r.layer, 1200us);
    s.connection_ended(r);
}

} // namespace

int main(int argc, char** argv)
{
    const std::chrono::duration<double> budget(argc > 1 ? std::atof(argv[1]) : 2.0);
    const auto record = allowed_record();

    sekisho::metrics::shard alone;
    const double metrics_alone = ns_per_call(budget, [&] { one_tunnel(alone, record); });

    // Two I/O threads on their own shards, a scrape every millisecond.
    sekisho::metrics::shard a;
    sekisho::metrics::shard b;
    std::atomic<bool> stop{false};
    std::uint64_t scrapes = 0;
    std::thread scraper([&] {
        while (!stop.load())
        {
            sekisho::metrics::counters sum;
            sum.add(a.read());
            sum.add(b.read());
            ++scrapes;
            std::this_thread::sleep_for(1ms);
        }
    });
    double other = 0;
    std::thread second([&] { other = ns_per_call(budget, [&] { one_tunnel(b, record); }); });
    const double metrics_scraped = ns_per_call(budget, [&] { one_tunnel(a, record); });
    second.join();
    stop = true;
    scraper.join();

    const std::string v1 = "PROXY TCP4 203.0.113.7 192.0.2.10 40001 8443\r\n";
    std::string v2("\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0c", 16);
    v2 += std::string("\xcb\x00\x71\x07\xc0\x00\x02\x0a\x9c\x41\x20\xfb", 12);
    std::size_t sink = 0;
    const double parse_v1 = ns_per_call(budget, [&] {
        sink +=
            sekisho::proto::parse_proxy_header({reinterpret_cast<const std::uint8_t*>(v1.data()), v1.size()})
                .header.length;
    });
    const double parse_v2 = ns_per_call(budget, [&] {
        sink +=
            sekisho::proto::parse_proxy_header({reinterpret_cast<const std::uint8_t*>(v2.data()), v2.size()})
                .header.length;
    });

    std::printf("metrics per tunnel, one thread:                       %.0f ns\n", metrics_alone);
    std::printf("metrics per tunnel, two threads + scrape every 1 ms:  %.0f ns / %.0f ns (%llu scrapes)\n",
                metrics_scraped,
                other,
                static_cast<unsigned long long>(scrapes));
    std::printf("PROXY v1 line parse:                                  %.0f ns\n", parse_v1);
    std::printf("PROXY v2 header parse:                                %.0f ns\n", parse_v2);
    return sink == 0 ? 1 : 0;
}
