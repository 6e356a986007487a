#pragma once
// One connection to a Redis server or sentinel: TCP or TLS (OpenSSL), AUTH
// with an ACL user, SELECT, then commands and their replies. Blocking on
// the caller's thread with every wait bounded by a deadline, so that a
// black-holed server costs at most connect_timeout or command_timeout; the
// caller (redis_store) keeps it off the I/O threads. Not thread-safe: one
// user at a time.

#include "daemon/redis/resp.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace sekisho::redis {

struct endpoint
{
    std::string host; // an IP address or a name (looked up with getaddrinfo)
    std::uint16_t port = 6379;

    std::string text() const;
};

struct tls_settings
{
    std::string ca_file;          // verifies the server's certificate
    std::string server_name;      // the name to verify; empty: the host as connected
    std::string certificate_file; // a client certificate, if the server asks
    std::string key_file;
};

// A sentinel's answer to SENTINEL get-master-addr-by-name: the primary's
// host and port; nullopt unless it is [host, port] with a port 1-65535
// (a broken or hostile sentinel is not followed to port 0 or a wrapped one).
std::optional<endpoint> primary_from_sentinel(const value& reply);

// A client TLS context (TLS 1.2+, peer verification on); nullptr and `error`
// when a file cannot be used.
std::shared_ptr<SSL_CTX> make_tls_context(const tls_settings& s, std::string& error);

struct connect_options
{
    std::shared_ptr<SSL_CTX> tls; // nullptr: plain TCP
    std::string server_name;
    std::string username; // empty with a password: AUTH password (user `default`)
    std::string password; // empty: no AUTH
    unsigned database = 0;
    std::chrono::milliseconds connect_timeout{1000}; // TCP, TLS, AUTH and SELECT together
    std::chrono::milliseconds command_timeout{250};  // one command and its reply
    parse_limits limits;
};

enum class io_status
{
    ok,
    timeout, // nothing (or not all of a reply) arrived in time
    failed   // the connection is broken: open another one
};

class connection
{
public:
    // Connects, authenticates and selects the database; nullptr and `error`
    // (naming the server and the step) when any of it fails or times out.
    static std::unique_ptr<connection> open(const endpoint& at, const connect_options& o, std::string& error);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    // One command and its reply (which may be a Redis error: that is a
    // reply, not a failure). false and `error` on a broken connection or a
    // timeout; the connection must not be used again then.
    bool call(std::initializer_list<std::string_view> args, value& reply, std::string& error);
    bool call(std::span<const std::string_view> args, value& reply, std::string& error);
    // Sends bytes already encoded (several commands: a pipeline).
    bool send(std::string_view bytes, std::string& error);
    // The next reply within `wait` (a pipeline's replies, a subscriber's messages).
    io_status read(value& reply, std::chrono::milliseconds wait, std::string& error);

    const endpoint& peer() const { return peer_; }

private:
    connection(int fd, endpoint peer, connect_options o);
    bool handshake(std::chrono::steady_clock::time_point deadline, std::string& error);
    // Waits for the socket (POLLIN or POLLOUT) until `deadline`.
    io_status wait_for(short events, std::chrono::steady_clock::time_point deadline);
    io_status write_all(std::string_view bytes, std::chrono::steady_clock::time_point deadline);
    io_status read_some(std::chrono::steady_clock::time_point deadline);
    io_status read_reply(value& reply, std::chrono::steady_clock::time_point deadline, std::string& error);

    int fd_ = -1;
    SSL* ssl_ = nullptr;
    endpoint peer_;
    connect_options options_;
    std::string buffer_; // received, not yet parsed
};

} // namespace sekisho::redis
