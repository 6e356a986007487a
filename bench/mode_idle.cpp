// idle: what an open but quiet tunnel costs the gateway. Opens N tunnels, proves each with
// one small round trip, announces "idle-ready N" on stdout so that the caller can sample
// the gateway's memory, and holds them until stdin closes (or --hold passes). Afterwards
// every tunnel is checked once more, so a gateway that silently dropped tunnels shows up,
// and then closed. Opening and checking run as --clients jobs on event loops.

#include "client_loop.hpp"
#include "modes.hpp"
#include "report.hpp"
#include "upstream.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include <poll.h>
#include <unistd.h>

namespace gw::bench {

namespace {

constexpr std::size_t probe_size = 16;

struct idle_state
{
    const options& o;
    const client_context& ctx;
    std::vector<std::unique_ptr<tunnel>> tunnels; // slot i: tunnel i, empty if it failed
    std::vector<std::string> errors;              // slot i: why tunnel i failed to open
    std::atomic<std::size_t> next{0};
    std::atomic<std::uint64_t> alive{0};
    std::atomic<std::uint64_t> unclean{0};
};

// Takes tunnel indexes from the shared counter. Opening: open, round trip, park in the
// table. Finishing: round trip on the parked tunnel, then close it.
class idle_job final : public client_job
{
public:
    idle_job(idle_state& st, bool opening) : st_(st), opening_(opening) {}

    int fd() const override { return current_ ? current_->fd() : -1; }
    deadline due() const override { return due_; }

    want resume() override
    {
        for (;;)
        {
            want w = want::done;
            switch (step_)
            {
                case step::next:
                    index_ = st_.next.fetch_add(1);
                    if (index_ >= st_.tunnels.size())
                    {
                        return want::done;
                    }
                    due_ = deadline_after(st_.o.timeout_s);
                    for (std::size_t k = 0; k < probe_.size(); ++k)
                    {
                        probe_[k] = static_cast<unsigned char>((index_ + k) & 0xffU);
                    }
                    done_ = 0;
                    if (opening_)
                    {
                        current_ = std::make_unique<tunnel>(st_.ctx);
                        w = current_->start(st_.o.proxy, st_.o.target, st_.o.proxy_authorization);
                        step_ = step::opening;
                    }
                    else
                    {
                        current_ = std::move(st_.tunnels[index_]);
                        step_ = current_ ? step::writing : step::next;
                    }
                    break;
                case step::opening:
                    w = current_->advance_open();
                    if (w == want::done)
                    {
                        step_ = step::writing;
                    }
                    break;
                case step::writing:
                    w = current_->advance_write(probe_.data(), probe_.size(), done_);
                    if (w == want::done)
                    {
                        step_ = step::reading;
                        done_ = 0;
                    }
                    break;
                case step::reading:
                    w = current_->advance_read(echo_.data(), echo_.size(), done_);
                    if (w == want::done)
                    {
                        if (echo_ != probe_)
                        {
                            drop("round trip: echo differs");
                            continue;
                        }
                        if (opening_)
                        {
                            st_.tunnels[index_] = std::move(current_);
                            step_ = step::next;
                        }
                        else
                        {
                            st_.alive.fetch_add(1);
                            step_ = step::closing;
                            due_ = deadline_after(st_.o.close_timeout_s);
                        }
                    }
                    break;
                case step::closing:
                    w = current_->advance_close();
                    if (w == want::done)
                    {
                        current_.reset();
                        step_ = step::next;
                    }
                    break;
            }
            if (w == want::failed)
            {
                drop(current_->error());
                continue;
            }
            if (w != want::done)
            {
                return w;
            }
        }
    }

    want expire() override
    {
        if (step_ == step::closing)
        {
            st_.unclean.fetch_add(1);
            current_.reset();
            step_ = step::next;
            return resume();
        }
        current_->fail_timeout();
        drop(current_->error());
        return resume();
    }

private:
    enum class step
    {
        next,
        opening,
        writing,
        reading,
        closing,
    };

    // Gives up on the current tunnel; a tunnel that fails its check is closed at once.
    void drop(const std::string& error)
    {
        if (opening_)
        {
            st_.errors[index_] = error;
        }
        current_.reset();
        step_ = step::next;
    }

    idle_state& st_;
    bool opening_;
    std::unique_ptr<tunnel> current_;
    std::size_t index_ = 0;
    step step_ = step::next;
    std::size_t done_ = 0;
    deadline due_{};
    std::array<unsigned char, probe_size> probe_{};
    std::array<unsigned char, probe_size> echo_{};
};

// Runs one pass of idle_jobs over every tunnel index.
void run_pass(idle_state& st, bool opening)
{
    st.next.store(0);
    const unsigned n_jobs = std::min<unsigned>(st.o.clients, st.o.tunnels);
    std::vector<std::unique_ptr<idle_job>> jobs;
    for (unsigned i = 0; i < n_jobs; ++i)
    {
        jobs.push_back(std::make_unique<idle_job>(st, opening));
    }
    const unsigned loops = std::min(st.o.threads, n_jobs);
    std::vector<std::vector<client_job*>> shares(loops);
    for (unsigned i = 0; i < n_jobs; ++i)
    {
        shares[i % loops].push_back(jobs[i].get());
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
}

// Until stdin reaches end of file or any input, or until d.
void hold(const options& o, deadline d)
{
    while (steady::now() < d)
    {
        if (o.ignore_stdin)
        {
            std::this_thread::sleep_for(std::chrono::milliseconds(std::min(200, millis_until(d))));
            continue;
        }
        pollfd p{STDIN_FILENO, POLLIN, 0};
        const int r = ::poll(&p, 1, std::min(200, millis_until(d)));
        if (r > 0)
        {
            char buf[256];
            [[maybe_unused]] const auto n = ::read(STDIN_FILENO, buf, sizeof buf);
            return; // EOF, input or an error: the caller is done measuring
        }
        if (r < 0 && errno != EINTR)
        {
            return;
        }
    }
}

} // namespace

int run_idle(const options& o, const client_context& ctx)
{
    upstream_server upstream;
    std::string error;
    if (!upstream.start({o.upstream_listen, true, 0}, error))
    {
        std::fprintf(stderr, "loadgen: upstream: %s\n", error.c_str());
        return 1;
    }
    const std::size_t n = o.tunnels;
    idle_state st{o, ctx, std::vector<std::unique_ptr<tunnel>>(n), std::vector<std::string>(n), {}, {}, {}};

    const auto t0 = steady::now();
    run_pass(st, true);
    const double open_seconds = std::chrono::duration<double>(steady::now() - t0).count();
    std::uint64_t opened = 0;
    std::string first_error;
    for (std::size_t i = 0; i < n; ++i)
    {
        opened += st.tunnels[i] ? 1U : 0U;
        if (first_error.empty() && !st.errors[i].empty())
        {
            first_error = st.errors[i];
        }
    }

    std::printf("idle-ready %llu\n", static_cast<unsigned long long>(opened));
    std::fflush(stdout);
    const auto h0 = steady::now();
    hold(o, deadline_after(o.hold_s));
    const double held_seconds = std::chrono::duration<double>(steady::now() - h0).count();

    run_pass(st, false);
    upstream.stop();

    report rep;
    rep.add("mode", "idle");
    rep.add("tunnels_requested", std::uint64_t{o.tunnels});
    rep.add("tunnels", opened);
    rep.add("errors", n - opened);
    rep.add("open_seconds", open_seconds);
    rep.add("held_seconds", held_seconds);
    rep.add("alive_after_hold", st.alive.load());
    rep.add("unclean_closes", st.unclean.load());
    rep.add("generator_cpu_s", self_cpu_seconds());
    if (!first_error.empty())
    {
        rep.add("first_error", first_error);
    }
    std::fputs(rep.render(o.json).c_str(), stdout);
    std::fflush(stdout);
    if (opened != n)
    {
        std::fprintf(stderr,
                     "loadgen: %llu of %zu tunnels failed; first: %s\n",
                     static_cast<unsigned long long>(n - opened),
                     n,
                     first_error.c_str());
    }
    return opened == n && st.alive.load() == opened ? 0 : 1;
}

} // namespace gw::bench
