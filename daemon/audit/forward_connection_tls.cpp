// The TLS half of the forwarder's connection (RFC 5425): a client context of
// its own per connection (TLS 1.2 or later, the collector verified against
// audit.forward.ca, the optional client certificate), the collector's name
// (SNI and a verified host name, or a verified IP address) and the
// handshake on the connected socket within the connect deadline.

#include "daemon/audit/forward_connection.hpp"
#include "daemon/tls/context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <poll.h>

namespace sekisho::audit::detail {

bool forward_connection::handshake(const config::audit_forward_settings& s,
                                   clock::time_point deadline,
                                   const cancel_fn& cancelled,
                                   std::string& error)
{
    ERR_clear_error();
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (ctx_ == nullptr)
    {
        error = "TLS: " + tls::drain_openssl_errors();
        return false;
    }
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx_, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    if (SSL_CTX_load_verify_locations(ctx_, s.ca_file.c_str(), nullptr) != 1)
    {
        error = "cannot load the collector's CA " + s.ca_file + ": " + tls::drain_openssl_errors();
        return false;
    }
    if (!s.certificate.empty())
    {
        if (SSL_CTX_use_certificate_chain_file(ctx_, s.certificate.c_str()) != 1 ||
            SSL_CTX_use_PrivateKey_file(ctx_, s.private_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_check_private_key(ctx_) != 1)
        {
            error = "cannot load the client certificate " + s.certificate + " and key " + s.private_key +
                    ": " + tls::drain_openssl_errors();
            return false;
        }
    }
    ssl_ = SSL_new(ctx_);
    if (ssl_ == nullptr)
    {
        error = "TLS: " + tls::drain_openssl_errors();
        return false;
    }
    std::string name = s.server_name.empty() ? s.address.to_string() : s.server_name;
    // (SSL_set_tlsext_host_name is a macro with a C cast: SSL_ctrl directly.)
    const bool named =
        policy::ip_address::parse(name)
            ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), name.c_str()) == 1
            : SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, name.data()) == 1 &&
                  SSL_set1_host(ssl_, name.c_str()) == 1;
    if (!named || SSL_set_fd(ssl_, fd_) != 1)
    {
        error = "TLS: cannot set the collector's name " + name + ": " + tls::drain_openssl_errors();
        return false;
    }
    for (;;)
    {
        ERR_clear_error();
        const int rc = SSL_connect(ssl_);
        if (rc == 1)
        {
            return true;
        }
        const int e = SSL_get_error(ssl_, rc);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
        {
            const auto verify = SSL_get_verify_result(ssl_);
            error = verify != X509_V_OK ? "TLS handshake: the collector's certificate is not trusted for " +
                                              name + ": " + X509_verify_cert_error_string(verify)
                                        : tls_error("TLS handshake", e);
            return false;
        }
        if (!wait(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, cancelled, error))
        {
            error = "TLS handshake: " + error;
            return false;
        }
    }
}

} // namespace sekisho::audit::detail
