// rate: new tunnels per second. Every tunnel is a full cycle: TCP connect, TLS 1.3
// handshake with the device certificate, CONNECT, one small echo, close. Nothing is reused
// unless --resume: then each client offers the session ticket of its previous tunnel, and
// the report counts the handshakes the server did resume. Latency runs from the connect call to the last
// echoed byte; the close is not in it, but each client waits for the gateway to finish its close before it
// starts the next tunnel, so the gateway's cost of tearing tunnels down falls inside the measured time.
//
// The C clients are jobs on --threads event loops (one by default; see client_loop.hpp).

#include "client_loop.hpp"
#include "modes.hpp"
#include "report.hpp"
#include "upstream.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

namespace gw::bench {

namespace {

// After a failed tunnel a client pauses, so a gateway that refuses everything is not
// hammered in a tight loop for the whole run.
constexpr auto error_pause = std::chrono::milliseconds(10);

struct rate_counts
{
    std::vector<std::uint32_t> latencies_us;
    std::uint64_t ok = 0;
    std::uint64_t unclean_closes = 0;
    std::array<std::uint64_t, stage_count> errors{};
    std::string first_error;
};

class rate_client final : public client_job
{
public:
    rate_client(const options& o,
                const client_context& ctx,
                unsigned id,
                deadline stop_at,
                std::atomic<std::uint64_t>& tickets)
        : o_(o), tunnel_(ctx), id_(id), stop_at_(stop_at), tickets_(tickets), payload_(o.payload),
          echo_(o.payload)
    {}

    rate_counts& counts() { return counts_; }
    const tunnel& tls() const { return tunnel_; }
    int fd() const override { return tunnel_.fd(); }
    deadline due() const override { return due_; }

    want resume() override
    {
        for (;;)
        {
            want w = want::done;
            switch (step_)
            {
                case step::next:
                    if (steady::now() >= stop_at_ || tickets_.fetch_add(1) >= o_.max_tunnels)
                    {
                        return want::done;
                    }
                    begin();
                    w = tunnel_.start(o_.proxy, o_.target, o_.proxy_authorization); // want::write: connect
                    step_ = step::opening;
                    break;
                case step::opening:
                    w = tunnel_.advance_open();
                    if (w == want::done)
                    {
                        step_ = step::writing;
                        done_ = 0;
                    }
                    break;
                case step::writing:
                    w = tunnel_.advance_write(payload_.data(), payload_.size(), done_);
                    if (w == want::done)
                    {
                        step_ = step::reading;
                        done_ = 0;
                    }
                    break;
                case step::reading:
                    w = tunnel_.advance_read(echo_.data(), echo_.size(), done_);
                    if (w == want::done)
                    {
                        if (payload_ != echo_)
                        {
                            return failed(stage::payload, "payload: echo differs");
                        }
                        record_latency();
                        step_ = step::closing;
                        due_ = deadline_after(o_.close_timeout_s);
                    }
                    break;
                case step::closing:
                    w = tunnel_.advance_close();
                    if (w == want::done)
                    {
                        ++counts_.ok;
                        step_ = step::next;
                    }
                    break;
                case step::paused:
                    return want::read; // only expire() ends a pause
            }
            if (w == want::failed)
            {
                return failed(tunnel_.failed_stage(), tunnel_.error());
            }
            if (w != want::done)
            {
                return w;
            }
        }
    }

    want expire() override
    {
        if (step_ == step::paused)
        {
            step_ = step::next;
            return resume();
        }
        if (step_ == step::closing)
        {
            // The tunnel worked; only the gateway's close was late.
            ++counts_.ok;
            ++counts_.unclean_closes;
            tunnel_.abort();
            step_ = step::next;
            return resume();
        }
        tunnel_.fail_timeout();
        return failed(tunnel_.failed_stage(), tunnel_.error());
    }

private:
    enum class step
    {
        next,
        opening,
        writing,
        reading,
        closing,
        paused,
    };

    void begin()
    {
        for (std::size_t i = 0; i < payload_.size(); ++i)
        {
            payload_[i] = static_cast<unsigned char>((id_ * 31U + seq_ + i) & 0xffU);
        }
        ++seq_;
        started_ = steady::now();
        due_ = started_ +
               std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(o_.timeout_s));
        done_ = 0;
    }

    void record_latency()
    {
        const auto us =
            std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - started_).count();
        counts_.latencies_us.push_back(static_cast<std::uint32_t>(std::min<long long>(us, UINT32_MAX)));
    }

    want failed(stage s, const std::string& error)
    {
        ++counts_.errors[static_cast<std::size_t>(s)];
        if (counts_.first_error.empty())
        {
            counts_.first_error = error;
        }
        tunnel_.abort();
        step_ = step::paused;
        due_ = steady::now() + error_pause;
        return want::read;
    }

    const options& o_;
    tunnel tunnel_;
    unsigned id_;
    deadline stop_at_;
    std::atomic<std::uint64_t>& tickets_;
    std::vector<unsigned char> payload_;
    std::vector<unsigned char> echo_;
    std::uint64_t seq_ = 0;
    step step_ = step::next;
    std::size_t done_ = 0;
    steady::time_point started_{};
    deadline due_{};
    rate_counts counts_;
};

} // namespace

int run_rate(const options& o, const client_context& ctx)
{
    upstream_server upstream;
    std::string error;
    if (!upstream.start({o.upstream_listen, true, 0}, error))
    {
        std::fprintf(stderr, "loadgen: upstream: %s\n", error.c_str());
        return 1;
    }
    std::atomic<std::uint64_t> tickets{0};
    const auto t0 = steady::now();
    const deadline stop_at = deadline_after(o.duration_s);
    std::vector<std::unique_ptr<rate_client>> clients;
    for (unsigned i = 0; i < o.clients; ++i)
    {
        clients.push_back(std::make_unique<rate_client>(o, ctx, i, stop_at, tickets));
    }
    const unsigned loops = std::min(o.threads, o.clients);
    std::vector<std::vector<client_job*>> shares(loops);
    for (unsigned i = 0; i < o.clients; ++i)
    {
        shares[i % loops].push_back(clients[i].get());
    }
    std::vector<std::thread> threads;
    for (auto& share : shares)
    {
        threads.emplace_back([&share] { run_client_loop(share); });
    }
    for (auto& th : threads)
    {
        th.join();
    }
    const double seconds = std::chrono::duration<double>(steady::now() - t0).count();
    upstream.stop();

    std::vector<std::uint32_t> all;
    rate_counts total;
    std::uint64_t handshakes = 0;
    std::uint64_t resumed = 0;
    std::uint64_t offered = 0;
    std::uint64_t session_tickets = 0;
    for (auto& c : clients)
    {
        handshakes += c->tls().handshakes();
        resumed += c->tls().resumed_handshakes();
        offered += c->tls().offered_sessions();
        session_tickets += c->tls().tickets_received();
        auto& r = c->counts();
        all.insert(all.end(), r.latencies_us.begin(), r.latencies_us.end());
        total.ok += r.ok;
        total.unclean_closes += r.unclean_closes;
        for (std::size_t s = 0; s < stage_count; ++s)
        {
            total.errors[s] += r.errors[s];
        }
        if (total.first_error.empty())
        {
            total.first_error = r.first_error;
        }
    }
    const auto lat = summarize(all);
    std::uint64_t errors = 0;
    for (const auto e : total.errors)
    {
        errors += e;
    }

    report rep;
    rep.add("mode", "rate");
    rep.add("clients", std::uint64_t{o.clients});
    rep.add("threads", std::uint64_t{loops});
    rep.add("payload_bytes", std::uint64_t{o.payload});
    rep.add("tunnels", total.ok);
    rep.add("errors", errors);
    for (std::size_t s = 0; s < stage_count; ++s)
    {
        rep.add(std::string("errors_") + stage_name(static_cast<stage>(s)), total.errors[s]);
    }
    rep.add("unclean_closes", total.unclean_closes);
    rep.add("seconds", seconds);
    rep.add("tunnels_per_s", seconds > 0 ? static_cast<double>(total.ok) / seconds : 0.0);
    rep.add("latency_mean_us", lat.mean_us);
    rep.add("latency_p50_us", lat.p50_us);
    rep.add("latency_p90_us", lat.p90_us);
    rep.add("latency_p99_us", lat.p99_us);
    rep.add("latency_max_us", lat.max_us);
    rep.add("resume", o.resume ? "yes" : "no");
    rep.add("tls_handshakes", handshakes);
    rep.add("tls_resumed", resumed);
    rep.add("tls_full", handshakes - resumed);
    rep.add("tls_sessions_offered", offered);
    rep.add("tls_tickets", session_tickets);
    rep.add("tls_cipher", clients.empty() ? "" : clients.front()->tls().cipher());
    rep.add("generator_cpu_s", self_cpu_seconds());
    if (!total.first_error.empty())
    {
        rep.add("first_error", total.first_error);
    }
    std::fputs(rep.render(o.json).c_str(), stdout);
    std::fflush(stdout);
    if (errors != 0)
    {
        std::fprintf(stderr,
                     "loadgen: %llu tunnels failed; first: %s\n",
                     static_cast<unsigned long long>(errors),
                     total.first_error.c_str());
    }
    return errors == 0 && total.ok > 0 ? 0 : 1;
}

} // namespace gw::bench
