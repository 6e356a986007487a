// bulk: throughput through N tunnels. All tunnels are opened first and the clock starts
// only when every one is ready, so the figure is the relay alone, not the handshakes.

#include "modes.hpp"
#include "report.hpp"
#include "upstream.hpp"

#include <algorithm>
#include <cstdio>
#include <latch>
#include <memory>
#include <thread>
#include <vector>

namespace gw::bench {

namespace {

struct pump_result
{
    bool ok = false;
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    steady::time_point finished{};
    std::string error;
};

const char* direction_name(direction d)
{
    switch (d)
    {
        case direction::down:
            return "down";
        case direction::up:
            return "up";
        case direction::both:
            return "both";
    }
    return "?";
}

} // namespace

int run_bulk(const options& o, const client_context& ctx)
{
    const bool down = o.dir != direction::up;
    const bool up = o.dir != direction::down;
    upstream_server upstream;
    std::string error;
    if (!upstream.start({o.upstream_listen, false, down ? o.bytes : 0}, error))
    {
        std::fprintf(stderr, "loadgen: upstream: %s\n", error.c_str());
        return 1;
    }

    std::vector<std::unique_ptr<tunnel>> tunnels;
    for (unsigned i = 0; i < o.tunnels; ++i)
    {
        auto t = std::make_unique<tunnel>(ctx);
        if (!t->open(o.proxy, o.target, deadline_after(o.timeout_s), o.proxy_authorization))
        {
            std::fprintf(stderr, "loadgen: tunnel %u: %s\n", i, t->error().c_str());
            return 1;
        }
        tunnels.push_back(std::move(t));
    }

    const deadline end_by = deadline_after(o.max_seconds);
    std::vector<pump_result> results(o.tunnels);
    std::latch start(static_cast<std::ptrdiff_t>(o.tunnels) + 1);
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < o.tunnels; ++i)
    {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            auto& r = results[i];
            r.ok = tunnels[i]->pump(up ? o.bytes : 0, down ? o.bytes : 0, end_by, r.sent, r.received);
            r.finished = steady::now();
            if (!r.ok)
            {
                r.error = tunnels[i]->error();
            }
        });
    }
    start.arrive_and_wait();
    const auto t0 = steady::now();
    upstream.go();
    for (auto& th : threads)
    {
        th.join();
    }
    auto t1 = t0;
    for (const auto& r : results)
    {
        t1 = std::max(t1, r.finished);
    }
    bool complete = std::all_of(results.begin(), results.end(), [](const pump_result& r) { return r.ok; });
    const std::uint64_t up_target = up ? o.bytes * o.tunnels : 0;
    if (up && complete)
    {
        // The clients' last write only reached a socket buffer; the transfer ends when the
        // upstream has read the last byte.
        const auto reached = upstream.wait_received(up_target, end_by);
        complete = reached.has_value();
        t1 = std::max(t1, reached.value_or(steady::now()));
    }

    std::uint64_t bytes_down = 0;
    std::string first_error;
    for (const auto& r : results)
    {
        bytes_down += r.received;
        if (first_error.empty() && !r.error.empty())
        {
            first_error = r.error;
        }
    }
    const std::uint64_t bytes_up = up ? upstream.bytes_received() : 0;
    const double seconds = std::chrono::duration<double>(t1 - t0).count();
    const std::uint64_t total = bytes_down + bytes_up;

    std::uint64_t unclean_closes = 0;
    for (auto& t : tunnels)
    {
        if (!t->close(deadline_after(o.close_timeout_s)))
        {
            ++unclean_closes;
        }
    }
    upstream.stop();

    report rep;
    rep.add("mode", "bulk");
    rep.add("direction", direction_name(o.dir));
    rep.add("tunnels", std::uint64_t{o.tunnels});
    rep.add("bytes_per_tunnel", o.bytes);
    rep.add("bytes_down", bytes_down);
    rep.add("bytes_up", bytes_up);
    rep.add("bytes_total", total);
    rep.add("seconds", seconds);
    rep.add("gbytes_per_s", seconds > 0 ? static_cast<double>(total) / 1e9 / seconds : 0.0);
    rep.add("complete", complete ? "yes" : "no");
    rep.add("tls_cipher", tunnels.empty() ? "" : tunnels.front()->cipher());
    rep.add("unclean_closes", unclean_closes);
    rep.add("generator_cpu_s", self_cpu_seconds());
    if (!first_error.empty())
    {
        rep.add("first_error", first_error);
    }
    std::fputs(rep.render(o.json).c_str(), stdout);
    std::fflush(stdout);
    if (!complete && !first_error.empty())
    {
        std::fprintf(stderr, "loadgen: %s\n", first_error.c_str());
    }
    return complete ? 0 : 1;
}

} // namespace gw::bench
