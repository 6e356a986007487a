#pragma once
// The test world shared by the integration suite: a throwaway PKI made by
// scripts/mkpki (the same script the demo uses) and loopback upstreams in
// each zone. 127.0.30.0/24 stands in for the internet, 127.0.10.0/24 for the
// LGWAN layer, 127.0.20.0/24 for the My Number layer.

#include "harness/process.hpp"
#include "harness/upstreams.hpp"

#include <memory>
#include <string>

namespace sekisho::test {

inline constexpr const char* cloud_body = "cloud stand-in: 7f3a-payload";
inline constexpr const char* lgwan_body = "lgwan screen-transfer stand-in";
inline constexpr const char* mynumber_body = "MY NUMBER SYSTEM - MUST NEVER BE REACHED";

struct world
{
    temp_dir dir;
    std::string pki;
    tcp_server cloud{tcp_server::kind::http, "127.0.30.1", cloud_body};
    tcp_server echo{tcp_server::kind::echo, "127.0.30.1"};
    tcp_server lgwan{tcp_server::kind::http, "127.0.10.1", lgwan_body};
    tcp_server mynumber{tcp_server::kind::http, "127.0.20.1", mynumber_body};
    std::uint16_t refused_port = refusing_port("127.0.30.2");
    blackhole hole{"127.0.30.3"};

    world();
    std::string cert(const std::string& device) const { return pki + "/" + device + ".pem"; }
    std::string key(const std::string& device) const { return pki + "/" + device + ".key"; }
    // SHA-256 fingerprint of a device certificate, as `openssl x509 -fingerprint` prints it.
    std::string fingerprint(const std::string& device) const;

    // The one world of this test process (built on first use).
    static world& get();
};

} // namespace sekisho::test
