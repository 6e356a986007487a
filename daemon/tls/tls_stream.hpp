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
// Single-threaded use: every call for one stream runs on the same executor
// (sekishod runs one io_context per thread). Reads and writes may be in
// flight at the same time, from two coroutines, as the relay needs.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <openssl/ssl.h>

#include <cstddef>
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

private:
    error_code ssl_failure(int ret, int ssl_error);

    asio::ip::tcp::socket socket_;
    SSL* ssl_ = nullptr;
    bool want_write_for_read_ = false; // OpenSSL needs to write before it can read
    bool broken_ = false;              // a fatal error: no close_notify
    bool shutdown_sent_ = false;
};

} // namespace sekisho::tls
