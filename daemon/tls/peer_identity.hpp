#pragma once
// The device identity a verified client certificate carries, and the reason
// code for a handshake that failed (for the tunnel record).

#include <openssl/ssl.h>

#include <string>

namespace sekisho::tls {

struct peer_identity
{
    std::string subject_cn;
    std::string fingerprint_sha256; // lower-case hex of the DER certificate
    std::string serial_hex;
};

// The verified peer certificate's identity; after a refused handshake, the
// identity of the certificate that was refused (kept by the verify callback
// below), so that a record can say which revoked or expired device tried.
peer_identity identify_peer(SSL* ssl);

// A certificate's SHA-256 fingerprint (lower-case hex of the DER) and its
// serial as OpenSSL prints it (upper-case hex); "" when OpenSSL cannot say.
// Shared by the handshake and by sekishoctl device add, so that the
// inventory and the daemon always spell them alike.
std::string certificate_fingerprint(X509* cert);
std::string certificate_serial_hex(X509* cert);

// Verify callback for SSL_CTX_set_verify: keeps OpenSSL's verdict and
// remembers the presented leaf certificate on the SSL object.
int remember_leaf_certificate(int preverify_ok, X509_STORE_CTX* ctx);

// Reason code for a failed handshake: client_cert_missing, client_cert_expired,
// client_cert_revoked, client_cert_untrusted, crl_stale, tls_protocol_error.
// `openssl_error` is the OpenSSL error code of the failure (0 if none).
std::string handshake_failure_reason(SSL* ssl, unsigned long openssl_error);

} // namespace sekisho::tls
