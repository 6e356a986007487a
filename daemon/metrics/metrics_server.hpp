#pragma once
// The Prometheus endpoint (metrics:): plain HTTP/1.1 on a TCP address,
// loopback by default. GET /metrics answers the exposition text; anything
// else 404 or 405. One request per connection, each within
// metrics.request_timeout; at most metrics.connections at once (more are
// closed at once). Runs on I/O thread 0, like the admin API.

#include "daemon/config/settings.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace sekisho::metrics {

class metrics_server
{
public:
    // `render` makes the exposition text; called on `io`'s thread.
    // `accept_backoff`: the pause after a failed accept (limits.accept_backoff).
    metrics_server(boost::asio::io_context& io,
                   config::metrics_settings settings,
                   std::function<std::string()> render,
                   std::chrono::milliseconds accept_backoff);
    metrics_server(const metrics_server&) = delete;
    metrics_server& operator=(const metrics_server&) = delete;

    // Binds the address; false with the reason in *why.
    bool bind(std::string* why);
    std::uint16_t port() const { return port_; }
    void start();
    void stop();

private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

    boost::asio::io_context& io_;
    config::metrics_settings settings_;
    std::function<std::string()> render_;
    std::chrono::milliseconds accept_backoff_;
    std::optional<boost::asio::ip::tcp::acceptor> acceptor_;
    std::uint16_t port_ = 0;
    unsigned active_ = 0; // on io_ only
};

} // namespace sekisho::metrics
