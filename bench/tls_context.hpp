#pragma once
// The generator's TLS client configuration: one SSL_CTX shared read-only by every tunnel of
// the run (OpenSSL allows SSL_new from many threads on one context once it is set up).

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace gw::bench {

struct tls_files
{
    std::string ca;          // verifies the proxy's server certificate
    std::string certificate; // device certificate (chain) presented to the proxy
    std::string private_key;
    std::string server_name; // SNI and host name check; empty: chain check only
};

// Where a resuming context puts the session tickets of one connection: the SSL's ex_data
// slot 0 must point at the slot of the client that owns the connection (or be null, and the
// tickets are dropped). The slot keeps the newest ticket's session, to offer on the client's
// next connection, and counts the tickets received.
struct session_slot
{
    session_slot() = default;
    ~session_slot();
    session_slot(const session_slot&) = delete;
    session_slot& operator=(const session_slot&) = delete;

    // Takes the reference the new-session callback hands over; frees the one held before.
    void keep(SSL_SESSION* s);

    SSL_SESSION* session = nullptr;
    std::uint64_t tickets = 0;
};

// One SSL_CTX: TLS 1.3 only, peer verification on. Without resume, no session reuse: every
// handshake is a full one. With resume, each connection's session tickets (TLS 1.3
// NewSessionTicket) reach its session_slot, which the tunnel offers on its next handshake.
class client_context
{
public:
    // nullptr with error set when a file does not load or the key does not match.
    static std::unique_ptr<client_context>
    create(const tls_files& files, std::string& error, bool resume = false);
    ~client_context();
    client_context(const client_context&) = delete;
    client_context& operator=(const client_context&) = delete;

    SSL_CTX* native() const { return ctx_; }
    const std::string& server_name() const { return server_name_; }
    bool resume() const { return resume_; }

private:
    client_context(SSL_CTX* ctx, std::string server_name, bool resume);

    SSL_CTX* ctx_;
    std::string server_name_;
    bool resume_;
};

// Drains this thread's OpenSSL error queue into "what: reason; reason".
std::string openssl_errors(std::string_view what);

} // namespace gw::bench
