#pragma once
// Forwarding the audit log to a syslog collector (audit.forward,
// docs/audit-forwarding.md): RFC 5424 messages over TCP or TLS with RFC 5425
// octet counting, one message per audit line, the line byte for byte as MSG.
//
// The audit files are the spool. One thread of its own (blocking work with
// poll() timeouts, never on the daemon's I/O threads) reads complete lines
// from audit.log and the rotated files in seq order, starting after the last
// confirmed seq kept in `state_file`, and sends them. A line is confirmed
// only once the collector's kernel has ACKed every byte sent (SIOCOUTQ is 0)
// and the connection is still up a moment later; after a reconnect sending
// restarts after the confirmed line. Delivery is therefore at least once:
// the collector may see a line twice, and `seq` tells the copies apart.
//
// A collector that is down costs nothing but back-off reconnects: the lines
// wait in the audit files, and are sent when it is back.

#include "daemon/config/settings.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace sekisho::audit {

struct forwarder_status
{
    bool connected = false;
    std::uint64_t forwarded_seq = 0; // confirmed: the collector has every line up to this one
    std::uint64_t sent_seq = 0;      // handed to the kernel, maybe not yet confirmed
    std::string last_error;          // the latest connection or spool problem; empty if none yet
    std::uint64_t reconnects = 0;    // connections made after the first one
};

class forwarder
{
public:
    // `directory`: the audit folder (audit.log, audit-*.log). `host`: the
    // syslog HOSTNAME for a record whose own "host" is not a valid one.
    forwarder(const config::audit_forward_settings& settings, std::string directory, std::string host);
    // stop(0) if still running.
    ~forwarder();
    forwarder(const forwarder&) = delete;
    forwarder& operator=(const forwarder&) = delete;

    // Starts the forwarding thread. Called once.
    void start();
    // New lines were written: look now rather than at the next poll
    // (optional; the folder is polled anyway). Any thread, never blocks.
    void notify();
    // Sends what is already written for at most `catch_up`, records the
    // confirmed seq in the state file, closes the connection and joins the
    // thread. Called once at shutdown, after the audit writer is closed (so
    // that its final checkpoint goes out too).
    void stop(std::chrono::milliseconds catch_up);
    forwarder_status status() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace sekisho::audit
