#include "daemon/net/relay.hpp"

#include "daemon/net/buffer_pool.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <tuple>

namespace sekisho::net {

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using steady = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct relay_state
{
    tls::tls_stream& client;
    tcp::socket& upstream;
    tls::tls_stream* upstream_tls = nullptr; // TLS to an upstream proxy; null: plain TCP
    const runtime::connection_entry& entry;
    relay_result result;
    steady::time_point last_activity = steady::now();

    // The first cause wins; the other direction is stopped at once.
    void stop(std::string cause, const error_code& ec = {})
    {
        if (result.end_cause.empty())
        {
            result.end_cause = entry.end_cause_or(cause);
            if (ec)
            {
                result.detail = ec.message();
            }
        }
        error_code ignored;
        client.socket().cancel(ignored);
        upstream.cancel(ignored);
    }
};

bool is_cancel(const error_code& ec)
{
    return ec == asio::error::operation_aborted;
}

// Client → upstream.
asio::awaitable<void> pump_up(relay_state& s)
{
    co_await asio::this_coro::throw_if_cancelled(false);
    for (;;)
    {
        tls::io_result r;
        {
            pooled_buffer buf;
            r = s.client.try_read(buf.data(), buf.size());
            if (r.bytes > 0)
            {
                s.last_activity = steady::now();
                error_code ec;
                if (s.upstream_tls != nullptr)
                {
                    ec = co_await s.upstream_tls->write_all(buf.data(), r.bytes);
                }
                else
                {
                    std::tie(ec, std::ignore) =
                        co_await asio::async_write(s.upstream, asio::buffer(buf.data(), r.bytes), use_tuple);
                }
                if (ec)
                {
                    s.stop(is_cancel(ec) ? "cancelled" : "upstream_error", ec);
                    co_return;
                }
                s.result.bytes_up += r.bytes;
                continue;
            }
        }
        if (r.would_block)
        {
            // No buffer is held while waiting.
            if (auto ec = co_await s.client.wait_readable())
            {
                s.stop(is_cancel(ec) ? "cancelled" : "client_error", ec);
                co_return;
            }
            continue;
        }
        if (r.ec == asio::error::eof)
        {
            if (s.upstream_tls != nullptr)
            {
                co_await s.upstream_tls->shutdown(); // close_notify: the proxy may still send
            }
            else
            {
                error_code ignored;
                s.upstream.shutdown(tcp::socket::shutdown_send, ignored);
            }
            co_return;
        }
        s.stop("client_error", r.ec);
        co_return;
    }
}

// Upstream → client.
asio::awaitable<void> pump_down(relay_state& s)
{
    co_await asio::this_coro::throw_if_cancelled(false);
    for (;;)
    {
        error_code ec;
        {
            pooled_buffer buf;
            std::size_t n = 0;
            if (s.upstream_tls != nullptr)
            {
                const auto r = s.upstream_tls->try_read(buf.data(), buf.size());
                n = r.bytes;
                ec = r.would_block ? error_code(asio::error::would_block) : r.ec;
            }
            else
            {
                n = s.upstream.read_some(asio::buffer(buf.data(), buf.size()), ec);
            }
            if (!ec)
            {
                s.last_activity = steady::now();
                if (auto wec = co_await s.client.write_all(buf.data(), n))
                {
                    s.stop(is_cancel(wec) ? "cancelled" : "client_error", wec);
                    co_return;
                }
                s.result.bytes_down += n;
                continue;
            }
        }
        if (ec == asio::error::would_block || ec == asio::error::try_again)
        {
            error_code wec;
            if (s.upstream_tls != nullptr)
            {
                wec = co_await s.upstream_tls->wait_readable();
            }
            else
            {
                std::tie(wec) = co_await s.upstream.async_wait(tcp::socket::wait_read, use_tuple);
            }
            if (wec)
            {
                s.stop(is_cancel(wec) ? "cancelled" : "upstream_error", wec);
                co_return;
            }
            continue;
        }
        if (ec == asio::error::eof)
        {
            // TLS 1.3 half-close: the client may still send.
            co_await s.client.shutdown();
            co_return;
        }
        s.stop("upstream_error", ec);
        co_return;
    }
}

asio::awaitable<void> watchdog(relay_state& s, relay_limits limits)
{
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;)
    {
        const auto now = steady::now();
        const auto idle_end = s.last_activity + limits.idle;
        if (now >= limits.lifetime_end)
        {
            s.stop("lifetime");
            co_return;
        }
        if (now >= idle_end)
        {
            s.stop("idle_timeout");
            co_return;
        }
        timer.expires_at(std::min(idle_end, limits.lifetime_end));
        auto [ec] = co_await timer.async_wait(use_tuple);
        if (ec)
        {
            co_return; // both pumps finished
        }
    }
}

} // namespace

namespace {

asio::awaitable<relay_result> run_relay(relay_state& s, relay_limits limits)
{
    using namespace asio::experimental::awaitable_operators;
    error_code ignored;
    s.upstream.non_blocking(true, ignored);
    co_await ((pump_up(s) && pump_down(s)) || watchdog(s, limits));
    if (s.result.end_cause.empty() || s.result.end_cause == "cancelled")
    {
        s.result.end_cause = s.entry.end_cause_or("closed");
    }
    co_return s.result;
}

} // namespace

asio::awaitable<relay_result> relay(tls::tls_stream& client,
                                    tcp::socket& upstream,
                                    relay_limits limits,
                                    const runtime::connection_entry& entry)
{
    relay_state s{client, upstream, nullptr, entry, {}, steady::now()};
    co_return co_await run_relay(s, limits);
}

asio::awaitable<relay_result> relay(tls::tls_stream& client,
                                    tls::tls_stream& upstream,
                                    relay_limits limits,
                                    const runtime::connection_entry& entry)
{
    relay_state s{client, upstream.socket(), &upstream, entry, {}, steady::now()};
    co_return co_await run_relay(s, limits);
}

} // namespace sekisho::net
