#include "tls_context.hpp"

#include <openssl/err.h>

#include <array>
#include <utility>

namespace gw::bench {

namespace {

constexpr std::size_t read_buffer_bytes = 128 * 1024;

// OpenSSL calls this for each session ticket a resuming connection receives (TLS 1.3 sends
// them after the handshake; they are read with the first application data). Returning 1
// keeps the reference for the slot.
int on_new_session(SSL* ssl, SSL_SESSION* session)
{
    auto* slot = static_cast<session_slot*>(SSL_get_ex_data(ssl, 0));
    if (slot == nullptr)
    {
        return 0;
    }
    slot->keep(session);
    return 1;
}

} // namespace

session_slot::~session_slot()
{
    SSL_SESSION_free(session);
}

void session_slot::keep(SSL_SESSION* s)
{
    SSL_SESSION_free(session);
    session = s;
    ++tickets;
}

std::string openssl_errors(std::string_view what)
{
    std::string s(what);
    bool first = true;
    while (const unsigned long e = ERR_get_error())
    {
        std::array<char, 256> buf{};
        ERR_error_string_n(e, buf.data(), buf.size());
        s += first ? ": " : "; ";
        s += buf.data();
        first = false;
    }
    return s;
}

client_context::client_context(SSL_CTX* ctx, std::string server_name, bool resume)
    : ctx_(ctx), server_name_(std::move(server_name)), resume_(resume)
{}

client_context::~client_context()
{
    SSL_CTX_free(ctx_);
}

std::unique_ptr<client_context>
client_context::create(const tls_files& files, std::string& error, bool resume)
{
    ERR_clear_error();
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == nullptr)
    {
        error = openssl_errors("SSL_CTX_new");
        return nullptr;
    }
    std::unique_ptr<client_context> result(new client_context(ctx, files.server_name, resume));
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1)
    {
        error = openssl_errors("TLS 1.3 only");
        return nullptr;
    }
    if (resume)
    {
        // No cache inside OpenSSL: each client keeps its own newest ticket (session_slot),
        // so that what is offered, and whether the server took it, is per client. Each
        // ticket is offered once: with SSL_SESS_CACHE_CLIENT, OpenSSL marks a TLS 1.3
        // session spent once its handshake is done (RFC 8446 C.4: tickets are single-use,
        // as browsers use them). A server that sends no new ticket on a resumed handshake
        // therefore gets a full handshake next time from that client.
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
        SSL_CTX_sess_set_new_cb(ctx, on_new_session);
    }
    else
    {
        // Each tunnel is a fresh full handshake: no session cache, nothing to resume from.
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    }
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    // Read several records per recv(2): fewer system calls on the generator's core, which
    // decrypts everything the gateway encrypts in the bulk test.
    SSL_CTX_set_read_ahead(ctx, 1);
    SSL_CTX_set_default_read_buffer_len(ctx, read_buffer_bytes);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (SSL_CTX_load_verify_locations(ctx, files.ca.c_str(), nullptr) != 1)
    {
        error = openssl_errors("CA file " + files.ca);
        return nullptr;
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, files.certificate.c_str()) != 1)
    {
        error = openssl_errors("certificate " + files.certificate);
        return nullptr;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, files.private_key.c_str(), SSL_FILETYPE_PEM) != 1)
    {
        error = openssl_errors("private key " + files.private_key);
        return nullptr;
    }
    if (SSL_CTX_check_private_key(ctx) != 1)
    {
        error = openssl_errors("certificate and key do not match");
        return nullptr;
    }
    return result;
}

} // namespace gw::bench
