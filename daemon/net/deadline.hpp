#pragma once
// A deadline for one phase of a connection: races the operation against a
// timer with Asio's awaitable operators (Boost 1.81 has no cancel_after).
// The loser is cancelled through its cancellation slot, so the operation's
// frame and sockets stay owned by the caller; nothing outlives the session.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <optional>

namespace sekisho::net {

namespace asio = boost::asio;

inline asio::awaitable<void> sleep_for(std::chrono::steady_clock::duration d)
{
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(d);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

// The operation's result, or nullopt when the deadline came first.
template <typename T>
asio::awaitable<std::optional<T>> with_deadline(asio::awaitable<T> op, std::chrono::steady_clock::duration d)
{
    using namespace asio::experimental::awaitable_operators;
    auto result = co_await (std::move(op) || sleep_for(d));
    if (result.index() == 0)
    {
        co_return std::optional<T>(std::move(std::get<0>(result)));
    }
    co_return std::nullopt;
}

} // namespace sekisho::net
