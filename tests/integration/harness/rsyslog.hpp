#pragma once
// A real rsyslog (Debian rsyslog, rsyslog-openssl) on loopback ports, as the
// syslog collector the audit log is forwarded to (docs/audit-forwarding.md).
// Three listeners, all octet-counting aware (imtcp): plain TCP; TLS with the
// test PKI's server certificate (server.pem: localhost, 127.0.0.1); and TLS
// that also requires a client certificate issued by the device CA. Every
// message's MSG goes, alone on its line, to one file: the collector's copy
// of the audit lines. A minimal configuration of its own: no imuxsock or
// imklog, so the system's /dev/log and kernel log are never touched.

#include "harness/process.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sekisho::test {

class rsyslog_collector
{
public:
    // `pki`: a folder made by scripts/mkpki. The ports are chosen now; the
    // daemon runs only once start() is called (or at once with `start_now`).
    explicit rsyslog_collector(const std::string& pki, bool start_now = true);
    ~rsyslog_collector();
    rsyslog_collector(const rsyslog_collector&) = delete;
    rsyslog_collector& operator=(const rsyslog_collector&) = delete;

    std::uint16_t tcp_port() const { return tcp_port_; }
    std::uint16_t tls_port() const { return tls_port_; }
    std::uint16_t tls_client_cert_port() const { return tls_client_cert_port_; }

    // Starts rsyslogd on the same ports (again, after stop()) and waits until
    // it listens on all of them (a failed test when it does not in 20 s).
    void start();
    // SIGTERM, as a service manager stops it: rsyslog writes out what it has
    // received before it exits.
    void stop();
    bool running();

    // The collector's file: one message's MSG per line.
    std::string collected_file() const { return dir_.file("collected.log"); }
    // The complete lines written so far (each one message's MSG).
    std::vector<std::string> lines() const;
    // The same messages' headers: "PRI HOSTNAME APP-NAME PROCID MSGID".
    std::vector<std::string> headers() const;
    // What rsyslogd printed (its errors), for failure messages.
    std::string diagnostics() const;

private:
    static std::vector<std::string> complete_lines(const std::string& text);

    temp_dir dir_;
    std::string pki_;
    std::uint16_t tcp_port_ = 0;
    std::uint16_t tls_port_ = 0;
    std::uint16_t tls_client_cert_port_ = 0;
    std::unique_ptr<process> process_;
    int starts_ = 0;
};

} // namespace sekisho::test
