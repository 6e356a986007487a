#include "daemon/net/upstream.hpp"

#include "daemon/net/deadline.hpp"
#include "daemon/net/dns_resolver.hpp"
#include "policy/target.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace sekisho::net {

namespace {

using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<std::tuple<error_code, tcp::resolver::results_type>>
lookup(tcp::resolver& resolver, std::string host, std::string port)
{
    co_return co_await resolver.async_resolve(host, port, tcp::resolver::numeric_service, use_tuple);
}

asio::awaitable<error_code> dial(tcp::socket& socket, tcp::endpoint ep)
{
    auto [ec] = co_await socket.async_connect(ep, use_tuple);
    co_return ec;
}

} // namespace

asio::ip::address to_asio(const policy::ip_address& a)
{
    const auto& b = a.bytes();
    if (a.is_v4())
    {
        return asio::ip::address_v4({b[0], b[1], b[2], b[3]});
    }
    asio::ip::address_v6::bytes_type bytes;
    std::copy(b.begin(), b.end(), bytes.begin());
    return asio::ip::address_v6(bytes);
}

policy::ip_address from_asio(const asio::ip::address& a)
{
    if (a.is_v4())
    {
        const auto b = a.to_v4().to_bytes();
        return policy::ip_address::v4({b[0], b[1], b[2], b[3]});
    }
    const auto b6 = a.to_v6().to_bytes();
    std::array<std::uint8_t, 16> bytes{};
    std::copy(b6.begin(), b6.end(), bytes.begin());
    return policy::ip_address::v6(bytes); // maps ::ffff:a.b.c.d to IPv4
}

std::string endpoint_text(const asio::ip::address& a, std::uint16_t port)
{
    return policy::authority_text(a.to_string(), a.is_v6(), port);
}

asio::awaitable<resolve_outcome>
resolve(const std::string& host,
        std::uint16_t port,
        const std::map<std::string, std::vector<policy::ip_address>, std::less<>>& hosts,
        std::chrono::milliseconds timeout,
        const config::layer_dns* dns,
        dns_cache* cache)
{
    resolve_outcome out;
    if (auto it = hosts.find(host); it != hosts.end())
    {
        out.addresses = it->second;
        co_return out;
    }
    if (dns != nullptr && cache != nullptr)
    {
        out = co_await resolve_on(*dns, *cache, host, timeout);
        co_return out;
    }
    tcp::resolver resolver(co_await asio::this_coro::executor);
    auto r = co_await with_deadline(lookup(resolver, host, std::to_string(port)), timeout);
    if (!r)
    {
        resolver.cancel();
        out.error = "dns_timeout";
        co_return out;
    }
    auto& [ec, results] = *r;
    if (ec)
    {
        out.error = "dns_failed";
        out.detail = ec.message();
        co_return out;
    }
    for (const auto& entry : results)
    {
        auto a = from_asio(entry.endpoint().address());
        if (std::find(out.addresses.begin(), out.addresses.end(), a) == out.addresses.end())
        {
            out.addresses.push_back(a);
        }
    }
    co_return out;
}

asio::awaitable<connect_outcome> connect(const std::vector<policy::ip_address>& addresses,
                                         std::uint16_t port,
                                         std::chrono::milliseconds timeout)
{
    connect_outcome out;
    const auto executor = co_await asio::this_coro::executor;
    const auto end = std::chrono::steady_clock::now() + timeout;
    bool refused = false;
    for (const auto& a : addresses)
    {
        const auto left = end - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero())
        {
            out.error = "upstream_timeout";
            co_return out;
        }
        const tcp::endpoint ep(to_asio(a), port);
        out.dialled = endpoint_text(ep.address(), port);
        tcp::socket socket(executor);
        auto ec = co_await with_deadline(dial(socket, ep), left);
        if (!ec)
        {
            out.error = "upstream_timeout";
            out.detail = "no answer from " + out.dialled;
            co_return out;
        }
        if (!*ec)
        {
            out.socket.emplace(std::move(socket));
            out.address = a;
            out.error.clear();
            out.detail.clear();
            co_return out;
        }
        refused = refused || *ec == asio::error::connection_refused;
        out.detail = out.dialled + ": " + ec->message();
    }
    out.error = refused ? "upstream_refused" : "upstream_unreachable";
    co_return out;
}

} // namespace sekisho::net
