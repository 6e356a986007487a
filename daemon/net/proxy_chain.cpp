#include "daemon/net/proxy_chain.hpp"

#include "daemon/auth/credentials.hpp"
#include "daemon/net/deadline.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

#include <sodium.h>

#include <array>
#include <cstdio>

namespace sekisho::net {

namespace {

using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string connect_request(const std::string& authority, const config::upstream_proxy& settings)
{
    std::string request = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
    if (!settings.username.empty())
    {
        std::string decoded = settings.username + ":" + settings.password;
        auto credentials = auth::basic_authorization(decoded);
        request += "Proxy-Authorization: " + credentials + "\r\n";
        sodium_memzero(decoded.data(), decoded.size());
        sodium_memzero(credentials.data(), credentials.size());
    }
    return request + "\r\n";
}

// The proxy's answer once its head is complete (`end` at its blank line).
chain_outcome read_answer(const std::string& head, std::size_t end)
{
    chain_outcome out;
    out.leftover = head.substr(end + 4);
    const auto status_line = head.substr(0, head.find("\r\n"));
    int major = 0, minor = 0;
    unsigned code = 0;
    if (std::sscanf(status_line.c_str(), "HTTP/%d.%d %3u", &major, &minor, &code) != 3 || major != 1)
    {
        out.error = "proxy_error";
        out.detail = "not an HTTP answer from the proxy: " + status_line.substr(0, 80);
        return out;
    }
    out.status = code;
    out.detail = status_line.substr(0, 200);
    if (code < 200 || code > 299)
    {
        out.error = "proxy_refused";
    }
    return out;
}

chain_outcome failure(std::string detail)
{
    chain_outcome out;
    out.error = "proxy_error";
    out.detail = std::move(detail);
    return out;
}

const char* const too_long = "the proxy's answer head is too long";

// The whole exchange, raced against the deadline by the caller.
asio::awaitable<chain_outcome> run_exchange(tcp::socket& s, std::string request)
{
    auto [wec, written] = co_await asio::async_write(s, asio::buffer(request), use_tuple);
    if (wec)
    {
        co_return failure("cannot send CONNECT to the proxy: " + wec.message());
    }
    std::string head;
    std::array<char, 4096> buf{};
    for (;;)
    {
        auto [rec, n] = co_await s.async_read_some(asio::buffer(buf), use_tuple);
        if (rec)
        {
            co_return failure("the proxy closed the connection before answering: " + rec.message());
        }
        head.append(buf.data(), n);
        if (const auto end = head.find("\r\n\r\n"); end != std::string::npos)
        {
            co_return read_answer(head, end);
        }
        if (head.size() > proxy_head_limit)
        {
            co_return failure(too_long);
        }
    }
}

asio::awaitable<chain_outcome> run_exchange_tls(tls::tls_stream& s, std::string request)
{
    if (auto wec = co_await s.write_all(request.data(), request.size()))
    {
        co_return failure("cannot send CONNECT to the proxy: " + wec.message());
    }
    std::string head;
    std::array<char, 4096> buf{};
    for (;;)
    {
        const auto r = s.try_read(buf.data(), buf.size());
        if (r.would_block)
        {
            if (auto ec = co_await s.wait_readable())
            {
                co_return failure("the proxy closed the connection before answering: " + ec.message());
            }
            continue;
        }
        if (r.ec)
        {
            co_return failure("the proxy closed the connection before answering: " + r.ec.message());
        }
        head.append(buf.data(), r.bytes);
        if (const auto end = head.find("\r\n\r\n"); end != std::string::npos)
        {
            co_return read_answer(head, end);
        }
        if (head.size() > proxy_head_limit)
        {
            co_return failure(too_long);
        }
    }
}

chain_outcome late()
{
    chain_outcome out;
    out.error = "proxy_timeout";
    out.detail = "the proxy did not answer the CONNECT in time";
    return out;
}

} // namespace

asio::awaitable<chain_outcome> chain_through(tcp::socket& proxy,
                                             std::string authority,
                                             const config::upstream_proxy& settings,
                                             std::chrono::milliseconds timeout)
{
    auto result = co_await with_deadline(run_exchange(proxy, connect_request(authority, settings)), timeout);
    if (!result)
    {
        co_return late();
    }
    co_return std::move(*result);
}

asio::awaitable<chain_outcome> chain_through(tls::tls_stream& proxy,
                                             std::string authority,
                                             const config::upstream_proxy& settings,
                                             std::chrono::milliseconds timeout)
{
    auto result =
        co_await with_deadline(run_exchange_tls(proxy, connect_request(authority, settings)), timeout);
    if (!result)
    {
        co_return late();
    }
    co_return std::move(*result);
}

} // namespace sekisho::net
