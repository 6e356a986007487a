#pragma once
// Chaining a tunnel through the layer's upstream proxy (egress.<layer>.proxy,
// e.g. the prefecture's security cloud): on a TCP connection to the proxy,
// `CONNECT host:port` (with Proxy-Authorization: Basic when configured), and
// the proxy's answer read up to the end of its head. Only sekisho's own
// decision lets a tunnel get this far; the proxy may refuse it too.

#include "daemon/config/settings.hpp"
#include "daemon/tls/tls_stream.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <string>

namespace sekisho::net {

struct chain_outcome
{
    std::string error; // empty, "proxy_refused" (non-2xx), "proxy_error" (not HTTP, closed), "proxy_timeout"
    unsigned status = 0;  // the proxy's status code, when it answered
    std::string detail;   // the proxy's status line, or what went wrong
    std::string leftover; // bytes the proxy sent after its head (the destination's first bytes)
};

// The largest answer head accepted from the proxy.
inline constexpr std::size_t proxy_head_limit = 16384;

boost::asio::awaitable<chain_outcome> chain_through(boost::asio::ip::tcp::socket& proxy,
                                                    std::string authority,
                                                    const config::upstream_proxy& settings,
                                                    std::chrono::milliseconds timeout);
// The same over TLS to the proxy (egress.<layer>.proxy.tls), after the
// caller's handshake.
boost::asio::awaitable<chain_outcome> chain_through(tls::tls_stream& proxy,
                                                    std::string authority,
                                                    const config::upstream_proxy& settings,
                                                    std::chrono::milliseconds timeout);

} // namespace sekisho::net
