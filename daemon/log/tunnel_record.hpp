#pragma once
// One record per connection, written when it ends, whatever the outcome
// (handshake failure, deny, relay). tunnel_sink is the seam the tamper-evident
// audit log (a later issue) implements; today json_lines_sink writes JSON Lines.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace sekisho::log {

struct tunnel_record
{
    std::uint64_t id = 0;
    std::chrono::system_clock::time_point started;
    std::chrono::milliseconds duration{0};
    std::string listener;
    std::string layer;
    std::string peer;               // client address:port (from the PROXY header behind a load balancer)
    std::string via;                // the load balancer's address:port (proxy_protocol); empty: direct
    std::string device_subject;     // certificate subject CN
    std::string device_fingerprint; // SHA-256 of the DER certificate, hex
    std::string device_serial;      // hex
    bool tls_resumed = false; // TLS 1.3 resumption: the certificate was verified at an earlier handshake
    std::string device;       // device id in the policy's inventory; empty: not registered
    std::string user;         // user id (today: the device's owner)
    std::string department;   // the user's department (policy users:), for the audit report
    std::string role;         // the role that granted, or whose condition denied
    std::string session;      // telework session id (with auth:)
    std::string target;       // host:port as requested (canonical)
    std::string decision;     // "allow", "deny", "error"
    unsigned status = 0;      // HTTP status sent, 0 if none
    std::string reason;       // reason code (policy or gateway)
    std::string rule;         // deciding rule id
    std::string would_deny;   // report mode: the reason an `enforce: report` role recorded
    std::string exception;    // the catalog exception (exceptions:) that waived a rule
    std::string zone;
    std::string service;
    std::string data_class;       // the catalogued service's class (c1..c3), if any
    std::string resolved;         // the vetted addresses the name resolved to, comma-separated
    bool audited_allow = false;   // a tunnel_allowed audit event was queued: tunnel_closed follows
    std::string upstream;         // the vetted address dialled, address:port
    std::string detail;           // free text for operators (OpenSSL reason, ...)
    std::uint64_t bytes_up = 0;   // client → upstream
    std::uint64_t bytes_down = 0; // upstream → client
    std::string end_cause;        // "closed", "idle_timeout", "lifetime", "drain", ...
    std::string policy_hash;
};

class tunnel_sink
{
public:
    virtual ~tunnel_sink() = default;
    // Called once per connection, from any I/O thread.
    virtual void record(const tunnel_record& r) = 0;
};

// "stderr" or a file path (created 0640, appended). Throws std::runtime_error
// when the file cannot be opened (start-up only).
std::unique_ptr<tunnel_sink> make_json_lines_sink(const std::string& where);

// The JSON object for one record (no trailing newline). Exposed for tests.
std::string to_json(const tunnel_record& r);

} // namespace sekisho::log
