#pragma once
// What `sekishoctl device add` needs from a device certificate, read with
// OpenSSL: the same SHA-256 fingerprint of the DER encoding and the same
// serial that sekishod computes for the peer certificate at the TLS
// handshake (daemon/tls/peer_identity.cpp) and that the inventory lists.

#include <optional>
#include <string>

namespace sekisho::ctl {

struct certificate_info
{
    std::string fingerprint; // 64 lower-case hex digits, no colons
    std::string serial;      // lower-case hex, no leading zeros ("0" for zero)
    std::string subject_cn;  // the subject's commonName (control characters as '?'); may be empty
    std::string not_after;   // "2027-11-23" (UTC)
    bool expired = false;
    bool is_ca = false; // basicConstraints CA:TRUE: a CA, not a device
};

// The first certificate of a PEM file; nullopt with the reason in *why.
std::optional<certificate_info> read_certificate(const std::string& pem_path, std::string* why);

} // namespace sekisho::ctl
