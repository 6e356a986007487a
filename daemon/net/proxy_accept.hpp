#pragma once
// The first step on a listener with proxy_protocol: check that the sender is
// a trusted load balancer, then read its PROXY header (v1 or v2) and nothing
// more, so that the TLS handshake that follows starts at the right byte.

#include "daemon/config/settings.hpp"
#include "daemon/proto/proxy_header.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace sekisho::net {

struct proxy_outcome
{
    enum class result
    {
        ok,        // header read; `header` says who the client is
        untrusted, // the sender is not in proxy_protocol.trusted
        invalid,   // not a PROXY header, or a malformed one
        timeout,   // the header did not arrive before the deadline
        closed,    // the sender closed (or failed) before a whole header
    };
    result what = result::invalid;
    proto::proxy_header header;
    std::string error; // invalid / closed: what was wrong
};

// `sender`: the address accept() reported for the socket.
boost::asio::awaitable<proxy_outcome> accept_proxy_header(boost::asio::ip::tcp::socket& socket,
                                                          const boost::asio::ip::tcp::endpoint& sender,
                                                          const config::proxy_protocol_settings& pp,
                                                          std::chrono::steady_clock::time_point deadline);

// A `proxy_untrusted` / `proxy_invalid` / `proxy_header_timeout` warning,
// at most one a second per thread with the count since the last: a port scan
// must not flood the journal.
void log_proxy_refusal(std::string_view event,
                       const std::string& listener,
                       const std::string& peer,
                       const std::string& detail);

} // namespace sekisho::net
