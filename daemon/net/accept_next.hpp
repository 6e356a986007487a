#pragma once
// The next connection of an acceptor (TCP or Unix), for the side listeners
// on I/O thread 0 (the admin socket, the metrics endpoint). An accept error
// other than the acceptor being closed (EMFILE, ENFILE, ENOBUFS: the
// connection stays in the kernel's queue) waits `backoff` before trying
// again, instead of spinning on the I/O thread that also serves tunnels.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <optional>

namespace sekisho::net {

// nullopt once the acceptor is closed.
template <class Acceptor>
boost::asio::awaitable<std::optional<typename Acceptor::protocol_type::socket>>
accept_next(Acceptor& acceptor, std::chrono::milliseconds backoff)
{
    namespace asio = boost::asio;
    while (acceptor.is_open())
    {
        auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
        if (!ec)
        {
            co_return std::optional<typename Acceptor::protocol_type::socket>(std::move(socket));
        }
        if (ec == asio::error::operation_aborted || !acceptor.is_open())
        {
            break;
        }
        asio::steady_timer pause(co_await asio::this_coro::executor);
        pause.expires_after(backoff);
        co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    co_return std::nullopt;
}

} // namespace sekisho::net
