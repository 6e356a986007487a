#pragma once
// The admin API's transport: HTTP/1.1 with JSON bodies on a Unix socket
// (admin.socket), one request per connection. Access is the socket file's
// permissions (socket_file.hpp); every request is logged with the caller's
// uid and pid (SO_PEERCRED). Each request must arrive and be answered within
// admin.request_timeout and be at most admin.request_bytes; at most
// admin.connections are served at once, the others are answered 503.

#include "daemon/admin/api.hpp"
#include "daemon/config/settings.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace sekisho::admin {

class admin_server
{
public:
    // `accept_backoff`: the pause after a failed accept (limits.accept_backoff).
    admin_server(boost::asio::io_context& io,
                 config::admin_settings settings,
                 handler& h,
                 std::chrono::milliseconds accept_backoff);
    ~admin_server();
    admin_server(const admin_server&) = delete;
    admin_server& operator=(const admin_server&) = delete;

    // Creates the socket file; false with the reason in *why.
    bool bind(std::string* why);
    // Starts accepting (on `io`).
    void start();
    // Stops accepting and removes the socket file; requests being answered
    // finish.
    void stop();

private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> serve(boost::asio::local::stream_protocol::socket socket);

    boost::asio::io_context& io_;
    config::admin_settings settings_;
    handler& handler_;
    std::chrono::milliseconds accept_backoff_;
    std::optional<boost::asio::local::stream_protocol::acceptor> acceptor_;
    unsigned active_ = 0; // on io_ only
};

} // namespace sekisho::admin
