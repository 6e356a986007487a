#pragma once
// The clients a teleworker's device would be: curl (a real proxy client) and,
// for what curl cannot send (garbage, oversized heads, silence, held-open
// tunnels), a small blocking OpenSSL client with a deadline on every call.

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sekisho::test {

struct curl_result
{
    int exit_code = -1;
    int connect_code = 0; // the proxy's answer to CONNECT (%{http_connect})
    int http_code = 0;    // the upstream's answer through the tunnel
    std::string body;
    std::string verbose;          // curl -v (shows the proxy's response headers)
    std::uint16_t local_port = 0; // curl's source port: finds this request's record
    bool verbose_has(const std::string& s) const { return verbose.find(s) != std::string::npos; }
};

// curl --proxy https://127.0.0.1:PORT ... -p URL, with the device's
// certificate (device "" sends none; ca overrides the proxy CA file).
curl_result curl_via(std::uint16_t proxy_port,
                     const std::string& url,
                     const std::string& device = "device-demo",
                     const std::vector<std::string>& extra = {});

using namespace std::chrono_literals;

struct tls_client_options
{
    std::string device = "device-demo";
    std::chrono::milliseconds timeout = 5s;
    std::string preamble;          // bytes sent before the TLS handshake (e.g. a PROXY header)
    std::string source;            // local IPv4 address to connect from (e.g. 127.0.0.77); empty: any
    SSL_SESSION* resume = nullptr; // offer this session (TLS 1.3 ticket) for resumption
};

struct ssl_session_free
{
    void operator()(SSL_SESSION* s) const { SSL_SESSION_free(s); }
};
using ssl_session_ptr = std::unique_ptr<SSL_SESSION, ssl_session_free>;

class tls_client
{
public:
    tls_client(std::uint16_t port, const tls_client_options& options);
    // Connects and completes the TLS 1.3 handshake; ok() tells if it did.
    explicit tls_client(std::uint16_t port,
                        const std::string& device = "device-demo",
                        std::chrono::milliseconds timeout = 5s);
    ~tls_client();
    tls_client(const tls_client&) = delete;
    tls_client& operator=(const tls_client&) = delete;

    bool ok() const { return ok_; }
    const std::string& error() const { return error_; }
    // The handshake resumed the offered session.
    bool resumed() const;
    // The session to resume later: a TLS 1.3 ticket arrives after the
    // handshake, so call this after reading something (e.g. connect()).
    // Null when the server sent no ticket.
    ssl_session_ptr session() const;
    std::uint16_t local_port() const;

    bool send(const std::string& data, std::chrono::milliseconds timeout = 5s);
    // Reads until `marker` is seen, EOF, or the timeout; returns what came.
    std::string recv_until(const std::string& marker, std::chrono::milliseconds timeout = 5s);
    // Reads until exactly n bytes, EOF or timeout.
    std::string recv_exactly(std::size_t n, std::chrono::milliseconds timeout = 5s);
    // True once the peer has closed (TLS close_notify or TCP end).
    bool closed_by_peer(std::chrono::milliseconds timeout = 5s);
    // Sends close_notify (TLS half-close).
    void shutdown_write();

    // CONNECT target, returns the full response head (status line ... CRLF CRLF).
    std::string connect(const std::string& target, std::chrono::milliseconds timeout = 5s);

private:
    bool wait(short events, std::chrono::steady_clock::time_point deadline);

    int fd_ = -1;
    SSL_CTX* ctx_ = nullptr;
    SSL* ssl_ = nullptr;
    bool ok_ = false;
    bool eof_ = false;
    std::string error_;
    std::string pending_;
};

// A plain TCP connection (no TLS).
class tcp_client
{
public:
    explicit tcp_client(std::uint16_t port);
    ~tcp_client();
    tcp_client(const tcp_client&) = delete;
    tcp_client& operator=(const tcp_client&) = delete;
    bool ok() const { return fd_ >= 0; }
    std::uint16_t local_port() const;
    void send(const std::string& data);
    // Everything until the peer closes or the timeout.
    std::string recv_all(std::chrono::milliseconds timeout);
    bool closed_by_peer(std::chrono::milliseconds timeout);

private:
    int fd_ = -1;
};

// True if a TCP connection to the port is accepted.
bool can_connect(std::uint16_t port);

} // namespace sekisho::test
