#include "daemon/tls/peer_identity.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>

namespace sekisho::tls {

namespace {

std::string hex(const unsigned char* p, std::size_t n)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * n);
    for (std::size_t i = 0; i < n; ++i)
    {
        out += digits[p[i] >> 4];
        out += digits[p[i] & 0xf];
    }
    return out;
}

void free_leaf(
    void* /*parent*/, void* ptr, CRYPTO_EX_DATA* /*ad*/, int /*idx*/, long /*argl*/, void* /*argp*/)
{
    X509_free(static_cast<X509*>(ptr));
}

int leaf_index()
{
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, free_leaf);
    return index;
}

} // namespace

int remember_leaf_certificate(int preverify_ok, X509_STORE_CTX* ctx)
{
    if (X509_STORE_CTX_get_error_depth(ctx) == 0)
    {
        auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(ctx, SSL_get_ex_data_X509_STORE_CTX_idx()));
        X509* leaf = X509_STORE_CTX_get_current_cert(ctx);
        if (ssl != nullptr && leaf != nullptr && SSL_get_ex_data(ssl, leaf_index()) == nullptr &&
            X509_up_ref(leaf) == 1)
        {
            SSL_set_ex_data(ssl, leaf_index(), leaf);
        }
    }
    return preverify_ok;
}

peer_identity identify_peer(SSL* ssl)
{
    peer_identity id;
    X509* cert = SSL_get0_peer_certificate(ssl);
    if (cert == nullptr)
    {
        cert = static_cast<X509*>(SSL_get_ex_data(ssl, leaf_index()));
    }
    if (cert == nullptr)
    {
        return id;
    }
    // The CN decoded to UTF-8 whatever its ASN.1 string type (BMPString,
    // UTF8String, T61String, ...); the first CN if there are several.
    X509_NAME* name = X509_get_subject_name(cert);
    const int pos = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (pos >= 0)
    {
        unsigned char* utf8 = nullptr;
        const int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, pos)));
        if (len > 0)
        {
            id.subject_cn.assign(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
        }
        OPENSSL_free(utf8);
    }
    id.fingerprint_sha256 = certificate_fingerprint(cert);
    id.serial_hex = certificate_serial_hex(cert);
    return id;
}

std::string certificate_fingerprint(X509* cert)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (X509_digest(cert, EVP_sha256(), md, &md_len) != 1)
    {
        return {};
    }
    return hex(md, md_len);
}

std::string certificate_serial_hex(X509* cert)
{
    std::string out;
    if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr))
    {
        if (char* text = BN_bn2hex(bn))
        {
            out = text;
            OPENSSL_free(text);
        }
        BN_free(bn);
    }
    return out;
}

std::string handshake_failure_reason(SSL* ssl, unsigned long openssl_error)
{
    if (ERR_GET_REASON(openssl_error) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE)
    {
        return "client_cert_missing";
    }
    switch (SSL_get_verify_result(ssl))
    {
        case X509_V_OK:
            // Verification did not fail; either no certificate came or the
            // handshake broke before it.
            return "tls_protocol_error";
        case X509_V_ERR_CERT_HAS_EXPIRED:
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return "client_cert_expired";
        case X509_V_ERR_CERT_REVOKED:
            return "client_cert_revoked";
        case X509_V_ERR_CRL_HAS_EXPIRED:
        case X509_V_ERR_CRL_NOT_YET_VALID:
        case X509_V_ERR_UNABLE_TO_GET_CRL:
            return "crl_stale";
        default:
            return "client_cert_untrusted";
    }
}

} // namespace sekisho::tls
