#include "daemon/tls/context.hpp"

#include "daemon/tls/crl.hpp"
#include "daemon/tls/peer_identity.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace sekisho::tls {

namespace {

// CRYPTREC-listed AEAD suites only.
constexpr const char* tls13_suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* groups = "X25519:P-256:P-384";
constexpr int max_chain_depth = 4;
constexpr unsigned char session_id_context[] = "sekishod";

struct file_closer
{
    void operator()(std::FILE* f) const { std::fclose(f); }
};

// A plain message for the common case, before OpenSSL's error chain.
bool readable(const std::string& path,
              const char* what,
              const policy::source_location& where,
              policy::diagnostics& diags)
{
    std::unique_ptr<std::FILE, file_closer> f(std::fopen(path.c_str(), "r"));
    if (!f)
    {
        diags.error(where,
                    std::string("cannot read the ") + what + " " + path + ": " + std::strerror(errno),
                    "check the path (${SEKISHO_PKI}?) and that the daemon's user may read it");
        return false;
    }
    return true;
}

} // namespace

std::string drain_openssl_errors()
{
    std::string out;
    while (unsigned long e = ERR_get_error())
    {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty())
        {
            out += "; ";
        }
        out += buf;
    }
    return out;
}

std::shared_ptr<boost::asio::ssl::context> make_server_context(const config::tls_files& files,
                                                               const policy::source_location& where,
                                                               policy::diagnostics& diags)
{
    namespace ssl = boost::asio::ssl;
    ERR_clear_error();
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* c = ctx->native_handle();
    const auto before = diags.error_count();
    auto fail = [&](const std::string& what, const std::string& hint = {}) {
        const auto why = drain_openssl_errors();
        diags.error(where, what + (why.empty() ? "" : ": " + why), hint);
    };

    SSL_CTX_set_min_proto_version(c, TLS1_3_VERSION);
    SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION);
    SSL_CTX_set_options(c,
                        SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                            SSL_OP_IGNORE_UNEXPECTED_EOF);
    // Small idle state: OpenSSL frees its record buffers whenever they are
    // empty, so an idle tunnel holds no 16 KiB read/write buffers.
    SSL_CTX_set_mode(
        c, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_read_ahead(c, 1);
    // No resumption by default; enable_session_tickets (session_tickets.hpp)
    // turns on stateless tickets whose resumption re-checks the device
    // certificate's validity and the CRL.
    SSL_CTX_set_num_tickets(c, 0);
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_session_id_context(c, session_id_context, sizeof session_id_context - 1);
    if (SSL_CTX_set_ciphersuites(c, tls13_suites) != 1 || SSL_CTX_set1_groups_list(c, groups) != 1)
    {
        fail("cannot configure TLS 1.3 suites");
    }

    // Every missing file is reported, not only the first.
    bool files_ok = readable(files.certificate, "server certificate", where, diags);
    files_ok = readable(files.private_key, "private key", where, diags) && files_ok;
    files_ok = readable(files.client_ca, "client (device) CA", where, diags) && files_ok;
    files_ok = (!files.crl || readable(*files.crl, "CRL", where, diags)) && files_ok;
    if (!files_ok)
    {
        return nullptr;
    }
    if (SSL_CTX_use_certificate_chain_file(c, files.certificate.c_str()) != 1)
    {
        fail("cannot load the server certificate " + files.certificate);
    }
    else if (SSL_CTX_use_PrivateKey_file(c, files.private_key.c_str(), SSL_FILETYPE_PEM) != 1)
    {
        if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH)
        {
            ERR_clear_error();
            diags.error(where,
                        "the private key " + files.private_key + " does not match the certificate " +
                            files.certificate,
                        "install the key the certificate was issued for");
        }
        else
        {
            fail("cannot load the private key " + files.private_key,
                 "expected an unencrypted PEM private key");
        }
    }
    else if (SSL_CTX_check_private_key(c) != 1)
    {
        fail("the private key does not match the certificate " + files.certificate);
    }
    else if (X509* cert = SSL_CTX_get0_certificate(c);
             cert != nullptr && X509_cmp_current_time(X509_get0_notAfter(cert)) <= 0)
    {
        diags.warning(where, "the server certificate " + files.certificate + " has expired", "renew it");
    }

    if (SSL_CTX_load_verify_locations(c, files.client_ca.c_str(), nullptr) != 1)
    {
        fail("cannot load the client (device) CA " + files.client_ca);
    }
    else
    {
        if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.client_ca.c_str()))
        {
            SSL_CTX_set_client_CA_list(c, names);
        }
        if (files.crl)
        {
            attach_crl_source(c, *files.crl, where, diags);
        }
    }
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, remember_leaf_certificate);
    SSL_CTX_set_verify_depth(c, max_chain_depth);
    ERR_clear_error();
    if (diags.error_count() > before)
    {
        return nullptr;
    }
    return ctx;
}

} // namespace sekisho::tls
