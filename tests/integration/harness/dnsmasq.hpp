#pragma once
// A real DNS server (dnsmasq, Debian dnsmasq-base) on a loopback UDP/TCP port,
// standing in for one layer's DNS (LGWAN's, or the security cloud's). It
// answers only the records it is given, with a fixed TTL, forwards nothing,
// and logs every query, so that tests can count what reached it.

#include "harness/process.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sekisho::test {

class dns_server
{
public:
    // {name, address}; `ttl` seconds on every answer.
    dns_server(const std::vector<std::pair<std::string, std::string>>& records, unsigned ttl);
    ~dns_server();
    dns_server(const dns_server&) = delete;
    dns_server& operator=(const dns_server&) = delete;

    std::uint16_t port() const { return port_; }
    // How many A queries for `name` it has received.
    std::size_t queries_for(const std::string& name) const;

private:
    temp_dir dir_;
    std::uint16_t port_ = 0;
    std::unique_ptr<process> process_;
};

} // namespace sekisho::test
