#pragma once
// Reaching the destination of an allowed tunnel: resolve the name (the static
// `hosts:` map first, then DNS) and dial the addresses the policy vetted, in
// order, within one connect deadline. The policy vets every address before
// any is dialled (session.cpp); this file never decides what is allowed.

#include "daemon/config/settings.hpp"
#include "policy/address.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sekisho::net {

struct resolve_outcome
{
    std::vector<policy::ip_address> addresses;
    std::string error; // empty, "dns_timeout" or "dns_failed"
    std::string detail;
};

class dns_cache;

// `hosts` first; then the layer's own DNS servers through `cache` when `dns`
// is given (dns_resolver.hpp), else the system resolver.
boost::asio::awaitable<resolve_outcome>
resolve(const std::string& host,
        std::uint16_t port,
        const std::map<std::string, std::vector<policy::ip_address>, std::less<>>& hosts,
        std::chrono::milliseconds timeout,
        const config::layer_dns* dns = nullptr,
        dns_cache* cache = nullptr);

struct connect_outcome
{
    std::optional<boost::asio::ip::tcp::socket> socket;
    std::string error; // empty, "upstream_timeout", "upstream_refused", "upstream_unreachable"
    std::string detail;
    std::string dialled;        // address:port finally connected (or last tried)
    policy::ip_address address; // the address connected to
};

boost::asio::awaitable<connect_outcome> connect(const std::vector<policy::ip_address>& addresses,
                                                std::uint16_t port,
                                                std::chrono::milliseconds timeout);

boost::asio::ip::address to_asio(const policy::ip_address& a);
policy::ip_address from_asio(const boost::asio::ip::address& a);
std::string endpoint_text(const boost::asio::ip::address& a, std::uint16_t port);

} // namespace sekisho::net
