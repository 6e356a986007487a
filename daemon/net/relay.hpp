#pragma once
// The relay of an established tunnel: two pumps (client → upstream and
// upstream → client) joined with a watchdog for the idle timeout and the
// maximum lifetime. Half-close is passed on: end of stream from the client
// shuts down the upstream's sending side; end of stream from the upstream
// sends close_notify to the client. Any hard error ends both directions.

#include "daemon/runtime/registry.hpp"
#include "daemon/tls/tls_stream.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace sekisho::net {

struct relay_limits
{
    std::chrono::milliseconds idle;
    std::chrono::steady_clock::time_point lifetime_end;
};

struct relay_result
{
    std::uint64_t bytes_up = 0;
    std::uint64_t bytes_down = 0;
    std::string end_cause; // closed, idle_timeout, lifetime, client_error, upstream_error, drain
    std::string detail;
};

boost::asio::awaitable<relay_result> relay(tls::tls_stream& client,
                                           boost::asio::ip::tcp::socket& upstream,
                                           relay_limits limits,
                                           const runtime::connection_entry& entry);
// The same with TLS to the upstream (an upstream proxy with tls:); half-close
// towards it is close_notify.
boost::asio::awaitable<relay_result> relay(tls::tls_stream& client,
                                           tls::tls_stream& upstream,
                                           relay_limits limits,
                                           const runtime::connection_entry& entry);

} // namespace sekisho::net
