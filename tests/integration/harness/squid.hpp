#pragma once
// A real Squid (Debian squid-openssl) on a loopback port, standing in for the
// prefecture's security cloud (自治体情報セキュリティクラウド) that an internet
// layer's tunnels leave through. It allows CONNECT to any port for a user
// with a password (basic_ncsa_auth), resolves names from its own hosts file
// (never DNS), caches nothing, and logs every request to access.log.

#include "harness/process.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sekisho::test {

class squid_proxy
{
public:
    // `hosts`: "127.0.0.1 files.cloud.test" lines for Squid's hosts_file.
    // With `tls`, Squid listens with TLS (https_port) under a self-signed
    // certificate for security-cloud.test and 127.0.0.1 (ca_file()).
    squid_proxy(const std::vector<std::string>& hosts,
                const std::string& user,
                const std::string& password,
                bool tls = false);
    ~squid_proxy();
    squid_proxy(const squid_proxy&) = delete;
    squid_proxy& operator=(const squid_proxy&) = delete;

    std::uint16_t port() const { return port_; }
    // The certificate a client must trust (tls only).
    std::string ca_file() const { return dir_.file("cert.pem"); }
    // What Squid logged so far (one line per request: ... CONNECT host:port user ...).
    std::string access_log() const;

private:
    temp_dir dir_;
    std::uint16_t port_ = 0;
    std::unique_ptr<process> process_;
};

} // namespace sekisho::test
