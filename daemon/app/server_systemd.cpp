// The server's side of systemd's notification protocol (notify.hpp):
// WATCHDOG=1 only while every I/O thread answers, and a STATUS= line that
// `systemctl status sekishod` shows.

#include "daemon/app/server.hpp"
#include "daemon/log/logger.hpp"
#include "daemon/log/text.hpp"
#include "daemon/metrics/shard.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sekisho::app {

namespace asio = boost::asio;

asio::awaitable<void> server::watchdog_loop()
{
    // Thread 0 runs this loop, so a stuck thread 0 sends nothing; each
    // other I/O thread must have run a posted no-op since the last beat.
    const auto every = *notify_.watchdog_interval();
    auto answered = std::make_shared<std::atomic<std::size_t>>(contexts_.size() - 1);
    asio::steady_timer t(co_await asio::this_coro::executor);
    bool withheld_logged = false;
    for (;;)
    {
        if (answered->load() == contexts_.size() - 1)
        {
            notify_.send("WATCHDOG=1");
            withheld_logged = false;
            answered->store(0);
            for (std::size_t i = 1; i < contexts_.size(); ++i)
            {
                asio::post(*contexts_[i], [answered] { answered->fetch_add(1); });
            }
        }
        else if (!withheld_logged)
        {
            withheld_logged = true;
            log::error("watchdog_withheld",
                       {{"answered", std::to_string(answered->load())},
                        {"threads", std::to_string(contexts_.size() - 1)}});
        }
        t.expires_after(every);
        auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec)
        {
            co_return;
        }
    }
}

asio::awaitable<void> server::status_loop()
{
    asio::steady_timer t(co_await asio::this_coro::executor);
    for (;;)
    {
        t.expires_after(config::notify_defaults::status_interval);
        auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec)
        {
            co_return;
        }
        if (!draining_)
        {
            notify_.send("STATUS=" + status_line());
        }
    }
}

std::string server::status_line() const
{
    metrics::counters c;
    for (const auto& shard : shards_)
    {
        c.add(shard->read());
    }
    std::uint64_t opened = 0;
    for (const auto& [layer, n] : c.tunnels_opened)
    {
        opened += n;
    }
    std::string s = std::to_string(state_.active.load()) + " connection(s), " +
                    std::to_string(opened - c.tunnels_closed) + " open tunnel(s)";
    if (state_.auth)
    {
        s += ", " +
             std::to_string(state_.auth->store().session_count(state_.auth->options().session,
                                                               std::chrono::system_clock::now())) +
             " session(s)";
    }
    s += "; policy " + state_.policy.load()->hash().substr(0, 12);
    if (last_reload_)
    {
        s += "; last reload " + log::rfc3339_ms(last_reload_->finished) +
             (last_reload_->policy_ok && last_reload_->secrets_ok ? " ok"
                                                                  : " REJECTED (the previous policy stays)");
    }
    return s;
}

} // namespace sekisho::app
