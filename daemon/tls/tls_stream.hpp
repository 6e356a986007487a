#pragma once
// A server-side TLS stream driven directly on the socket's file descriptor
// (SSL_set_fd) with Asio readiness waits, instead of asio::ssl::stream.
//
// Why: asio::ssl::stream keeps two 17 KiB buffers in its core plus a 2×17 KiB
// BIO pair per connection, all allocated for the connection's lifetime and
// copied through. With the socket BIO and SSL_MODE_RELEASE_BUFFERS an idle
// tunnel holds only OpenSSL's SSL object, and each record goes straight
// between the kernel and OpenSSL (docs/architecture.md, docs/performance.md).
//
// Writes of application data are gathered: the records one write_all()
// makes (up to limits.relay_buffer_bytes of payload, several full 16 KiB
// records) go to the kernel in one send(), from a pooled buffer held only
// until they are sent. Other writes (handshake, alerts) go straight to the
// socket unless gathered bytes are waiting, so records never reorder.
//
// Single-threaded use: every call for one stream runs on the same executor
// (sekishod runs one io_context per thread). Reads and writes may be in
// flight at the same time, from two coroutines, as the relay needs.

#include "daemon/net/buffer_pool.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <openssl/ssl.h>

#include <cstddef>
#include <optional>
#include <string>
#include <system_error>

namespace sekisho::tls {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

struct io_result
{
    std::size_t bytes = 0;
    error_code ec;            // asio::error::eof at a clean end of stream
    bool would_block = false; // nothing to read now; call wait_readable()
};

class tls_stream
{
public:
    tls_stream(asio::ip::tcp::socket socket, SSL_CTX* ctx);
    // The client side (to an upstream proxy): handshake() connects, sends
    // `peer_name` as SNI when it is a name, and the peer's certificate must
    // be issued to it (a DNS name or an IP address), under ctx's trust.
    tls_stream(asio::ip::tcp::socket socket, SSL_CTX* ctx, const std::string& peer_name);
    ~tls_stream();
    tls_stream(const tls_stream&) = delete;
    tls_stream& operator=(const tls_stream&) = delete;

    bool valid() const { return ssl_ != nullptr; }
    asio::ip::tcp::socket& socket() { return socket_; }
    SSL* native_handle() { return ssl_; }

    asio::awaitable<error_code> handshake();

    // Non-blocking read of up to size bytes of application data.
    io_result try_read(void* data, std::size_t size);
    // Completes when try_read() may make progress (at once if OpenSSL holds
    // buffered data).
    asio::awaitable<error_code> wait_readable();
    asio::awaitable<error_code> write_all(const void* data, std::size_t size);
    // Sends close_notify once (TLS 1.3 half-close); does not wait for the
    // peer's. Bound it with a deadline.
    asio::awaitable<error_code> shutdown();

    // For the output BIO (tls_stream.cpp): takes `size` bytes of records.
    // Returns what was taken (0: retry later), or -1 with errno set.
    long take_output(const char* data, std::size_t size);

private:
    error_code ssl_failure(int ret, int ssl_error);
    bool attach(SSL_CTX* ctx);
    // Sends the gathered records; gives the buffer back when all are sent.
    asio::awaitable<error_code> flush_output();

    asio::ip::tcp::socket socket_;
    SSL* ssl_ = nullptr;
    bool want_write_for_read_ = false; // OpenSSL needs to write before it can read
    bool broken_ = false;              // a fatal error: no close_notify
    bool shutdown_sent_ = false;
    bool gathering_ = false; // inside write_all's SSL_write_ex
    std::optional<net::pooled_buffer> out_;
    std::size_t out_begin_ = 0; // sent up to here
    std::size_t out_end_ = 0;   // gathered up to here
};

} // namespace sekisho::tls
