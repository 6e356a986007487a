#include "daemon/net/proxy_chain.hpp"

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

std::string basic_credentials(const std::string& user, const std::string& password)
{
    const std::string raw = user + ":" + password;
    std::string out(sodium_base64_encoded_len(raw.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(),
                      out.size(),
                      reinterpret_cast<const unsigned char*>(raw.data()),
                      raw.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.size() - 1); // the terminating NUL
    return out;
}

// The whole exchange, raced against the deadline by the caller.
asio::awaitable<chain_outcome> run_exchange(tcp::socket& s, std::string request)
{
    chain_outcome out;
    auto [wec, written] = co_await asio::async_write(s, asio::buffer(request), use_tuple);
    if (wec)
    {
        out.error = "proxy_error";
        out.detail = "cannot send CONNECT to the proxy: " + wec.message();
        co_return out;
    }
    std::string head;
    std::array<char, 4096> buf{};
    std::size_t end = std::string::npos;
    while (end == std::string::npos)
    {
        auto [rec, n] = co_await s.async_read_some(asio::buffer(buf), use_tuple);
        if (rec)
        {
            out.error = "proxy_error";
            out.detail = "the proxy closed the connection before answering: " + rec.message();
            co_return out;
        }
        head.append(buf.data(), n);
        end = head.find("\r\n\r\n");
        if (end == std::string::npos && head.size() > proxy_head_limit)
        {
            out.error = "proxy_error";
            out.detail =
                "the proxy's answer head is longer than " + std::to_string(proxy_head_limit) + " bytes";
            co_return out;
        }
    }
    out.leftover = head.substr(end + 4);
    const auto status_line = head.substr(0, head.find("\r\n"));
    int major = 0, minor = 0;
    unsigned code = 0;
    if (std::sscanf(status_line.c_str(), "HTTP/%d.%d %3u", &major, &minor, &code) != 3 || major != 1)
    {
        out.error = "proxy_error";
        out.detail = "not an HTTP answer from the proxy: " + status_line.substr(0, 80);
        co_return out;
    }
    out.status = code;
    out.detail = status_line.substr(0, 200);
    if (code < 200 || code > 299)
    {
        out.error = "proxy_refused";
    }
    co_return out;
}

} // namespace

asio::awaitable<chain_outcome> chain_through(tcp::socket& proxy,
                                             std::string authority,
                                             const config::upstream_proxy& settings,
                                             std::chrono::milliseconds timeout)
{
    std::string request = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
    if (!settings.username.empty())
    {
        auto credentials = basic_credentials(settings.username, settings.password);
        request += "Proxy-Authorization: Basic " + credentials + "\r\n";
        sodium_memzero(credentials.data(), credentials.size());
    }
    request += "\r\n";
    auto result = co_await with_deadline(run_exchange(proxy, std::move(request)), timeout);
    if (!result)
    {
        chain_outcome late;
        late.error = "proxy_timeout";
        late.detail = "the proxy did not answer the CONNECT in time";
        co_return late;
    }
    co_return std::move(*result);
}

} // namespace sekisho::net
