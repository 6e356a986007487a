#pragma once
// The generator's TLS client configuration: one SSL_CTX shared read-only by every tunnel of
// the run (OpenSSL allows SSL_new from many threads on one context once it is set up).

#include <openssl/ssl.h>

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

// One SSL_CTX: TLS 1.3 only, peer verification on, no session reuse.
class client_context
{
public:
    // nullptr with error set when a file does not load or the key does not match.
    static std::unique_ptr<client_context> create(const tls_files& files, std::string& error);
    ~client_context();
    client_context(const client_context&) = delete;
    client_context& operator=(const client_context&) = delete;

    SSL_CTX* native() const { return ctx_; }
    const std::string& server_name() const { return server_name_; }

private:
    client_context(SSL_CTX* ctx, std::string server_name);

    SSL_CTX* ctx_;
    std::string server_name_;
};

// Drains this thread's OpenSSL error queue into "what: reason; reason".
std::string openssl_errors(std::string_view what);

} // namespace gw::bench
