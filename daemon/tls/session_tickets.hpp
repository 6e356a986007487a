#pragma once
// TLS 1.3 session resumption with stateless tickets (issue #8).
//
// A device that completed a full handshake (certificate verified against the
// device CA and the CRL in force) gets one ticket. Presented again within
// `session_tickets.lifetime`, it resumes without the certificate exchange:
// the ticket carries the verified certificate, so the tunnel record, the
// device inventory check and the policy see the same device as before.
//
// What keeps resumption as strict as a full handshake:
// - Before a ticket is used, its certificate is checked against what is in
//   force now: the CRL set (revoked → full handshake, which then refuses; a
//   stale CRL → full handshake, which then fails closed with crl_stale) and
//   the certificate's validity period. A ticket never outlives its
//   certificate or a revocation.
// - Ticket keys are derived, per listener, from a master secret, the
//   listener's layer, a digest of its device CA file and the time period
//   (HKDF-SHA256). A ticket from the LGWAN listener cannot be read by the
//   internet listener (no resumption across layers), a changed device CA
//   makes every older ticket unreadable, and keys rotate every `lifetime`
//   without coordination: instances with the same key file and a synchronised
//   clock read each other's tickets (behind a load balancer). A ticket
//   encrypted in the previous period is still read, and renewed.
// - The session id context names the layer too, so OpenSSL itself refuses a
//   session from another layer.
// - The server requires (EC)DHE with the ticket's key (psk_dhe_ke; OpenSSL's
//   default without SSL_OP_ALLOW_NO_DHE_KEX): a stolen ticket key lets nobody
//   decrypt recorded traffic. Early data (0-RTT) is never accepted.
//
// Without `key_file` each start draws a random master secret: tickets work
// within one instance and die with it.

#include "daemon/config/settings.hpp"
#include "policy/diagnostics.hpp"

#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace sekisho::tls {

// The master secret behind every listener's ticket keys, shared by them.
class ticket_secret
{
public:
    static constexpr std::size_t min_key_file_bytes = 32;
    static constexpr std::size_t max_key_file_bytes = 4096;

    struct material
    {
        std::array<unsigned char, 32> bytes{};
        std::uint64_t generation = 0; // changes whenever the secret changes
    };

    // Reads settings.key_file (reported to diags when unusable), or draws a
    // random secret when there is none. Null on error.
    static std::shared_ptr<ticket_secret> make(const config::session_ticket_settings& settings,
                                               policy::diagnostics& diags);

    std::shared_ptr<const material> current() const { return current_.load(); }

    // Reload thread: reads key_file again when it changed (or always when
    // forced). A file that cannot be used is logged and the secret in force
    // stays. True when a new secret was installed.
    bool check(bool forced);

private:
    explicit ticket_secret(std::string key_file);

    std::string key_file_; // empty: a random secret per start
    std::string stamp_;    // device/inode/size/mtime of the last read
    std::atomic<std::shared_ptr<const material>> current_;
};

// Turns tickets on for a listener's context (one ticket per full handshake;
// session id context and keys bound to `layer` and the device CA file's
// digest). Reports to diags and returns false on error.
bool enable_session_tickets(SSL_CTX* ctx,
                            std::shared_ptr<ticket_secret> secret,
                            std::string_view layer,
                            const std::string& client_ca_file,
                            std::chrono::seconds lifetime,
                            const policy::source_location& where,
                            policy::diagnostics& diags);

} // namespace sekisho::tls
