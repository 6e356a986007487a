#pragma once
// One client connection, start to end, as one coroutine that owns its
// sockets, buffers and policy snapshot (no shared_from_this):
//
//   [PROXY header from a trusted load balancer] → plaintext check → TLS 1.3 handshake (device certificate,
//   CRL) → CONNECT head (limits, deadline) → policy decision (pure) → resolve → vet every address → dial the
//   vetted address → 200 → relay (idle and lifetime deadlines) → close_notify
//
// Every phase has its own deadline. Exactly one tunnel record is written when
// the coroutine ends, whatever the path.

#include "daemon/runtime/runtime.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstddef>

namespace sekisho::net {

// `peer`: the address accept() reported (a connection reset right after
// accept has no remote_endpoint() any more, but still a sender).
boost::asio::awaitable<void> run_session(runtime::shared_state& state,
                                         std::size_t listener_index,
                                         boost::asio::ip::tcp::socket socket,
                                         boost::asio::ip::tcp::endpoint peer);

} // namespace sekisho::net
