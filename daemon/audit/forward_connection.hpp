#pragma once
// The forwarder's connection to the syslog collector (forwarder.cpp): a
// non-blocking TCP socket driven with poll(), with TLS through OpenSSL when
// configured, and how many of the bytes written the collector's kernel has
// acknowledged (the byte position a line is confirmed by). Every call blocks
// with a deadline, sliced so that a stop is noticed: for the forwarding
// thread only, which blocks SIGPIPE (a pending one is consumed by close()).
//
// forward_connection.cpp: the socket, writing, acknowledgement, the orderly
// close; forward_connection_tls.cpp: the TLS context and handshake.

#include "daemon/config/settings.hpp"

#include <openssl/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sekisho::audit::detail {

// True when the caller gives up waiting (the forwarder is stopped and its
// catch-up time is over).
using cancel_fn = std::function<bool()>;

class forward_connection
{
public:
    using clock = std::chrono::steady_clock;

    forward_connection() = default;
    ~forward_connection() { close(); }
    forward_connection(const forward_connection&) = delete;
    forward_connection& operator=(const forward_connection&) = delete;

    bool open() const { return fd_ >= 0; }

    // Connects (and makes the TLS handshake) within s.connect_timeout; false
    // with the reason. The caller close()s after a failure.
    bool connect(const config::audit_forward_settings& s, const cancel_fn& cancelled, std::string& error);

    // Writes all of `data`; false with the reason when the connection fails,
    // stalls for 60 s (stall_timeout), or the caller gives up.
    bool write_all(std::string_view data, const cancel_fn& cancelled, std::string& error);

    // Bytes written to the socket since the connection was made (TLS:
    // records, handshake included).
    std::uint64_t bytes_out() const;

    // How many of bytes_out() the collector's kernel has ACKed (SIOCOUTQ:
    // the bytes not yet ACKed); nullopt when the connection is no longer
    // established (a reset also empties the queue, so 0 would then mean nothing).
    std::optional<std::uint64_t> acked() const;

    bool established() const;

    // Reads (and drops) what the collector sent, if anything: false with the
    // reason when it closed the connection or the connection failed.
    bool peer_alive(std::string& error);

    // The orderly end: our side is closed (close_notify, FIN) and the
    // collector's close is awaited until `deadline`. It closes only after
    // reading everything before, so true means it has every byte.
    bool finish(clock::time_point deadline);

    void close();

private:
    // Waits for `events` until `deadline` in slices; false with the reason
    // on timeout or when the caller gives up. Errors and hang-ups count as
    // ready: the next operation reports them.
    bool wait(short events, clock::time_point deadline, const cancel_fn& cancelled, std::string& error) const;

    // "what: " and the OpenSSL errors (or errno, or "connection closed").
    std::string tls_error(const std::string& what, int ssl_error) const;
    // Reads and drops what the collector sent (a collector says nothing
    // but its close): whether data came, nothing is there yet, the
    // collector closed, or the connection failed (`error` says how).
    enum class inbound
    {
        data,
        nothing,
        closed,
        failed
    };
    inbound drop_inbound(std::string& error);

    // The TLS client context and handshake on the connected socket
    // (forward_connection_tls.cpp).
    bool handshake(const config::audit_forward_settings& s,
                   clock::time_point deadline,
                   const cancel_fn& cancelled,
                   std::string& error);

    int fd_ = -1;
    SSL_CTX* ctx_ = nullptr;
    SSL* ssl_ = nullptr;
    std::uint64_t plain_out_ = 0;
};

} // namespace sekisho::audit::detail
