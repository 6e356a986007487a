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

peer_identity identify_peer(SSL* ssl);

// Reason code for a failed handshake: client_cert_missing, client_cert_expired,
// client_cert_revoked, client_cert_untrusted, crl_stale, tls_protocol_error.
// `openssl_error` is the OpenSSL error code of the failure (0 if none).
std::string handshake_failure_reason(SSL* ssl, unsigned long openssl_error);

} // namespace sekisho::tls
