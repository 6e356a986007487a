#include "daemon/net/proxy_accept.hpp"

#include "daemon/log/logger.hpp"
#include "daemon/net/deadline.hpp"
#include "daemon/net/upstream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include <sys/socket.h>

namespace sekisho::net {

namespace {

using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// While part of a header has arrived, how often to look for the rest (a
// readiness wait would complete at once on the bytes already peeked). Only
// a trusted sender gets here, within the handshake deadline.
constexpr auto partial_header_poll = std::chrono::milliseconds(1);

asio::awaitable<error_code> readable(tcp::socket& s)
{
    auto [ec] = co_await s.async_wait(tcp::socket::wait_read, asio::as_tuple(asio::use_awaitable));
    co_return ec;
}

} // namespace

asio::awaitable<proxy_outcome> accept_proxy_header(tcp::socket& socket,
                                                   const tcp::endpoint& sender,
                                                   const config::proxy_protocol_settings& pp,
                                                   std::chrono::steady_clock::time_point deadline)
{
    proxy_outcome out;
    const auto from = from_asio(sender.address());
    bool trusted = false;
    for (const auto& prefix : pp.trusted)
    {
        trusted = trusted || prefix.contains(from);
    }
    if (!trusted)
    {
        out.what = proxy_outcome::result::untrusted;
        co_return out;
    }
    // Peek until a whole header is there, then consume exactly that many
    // bytes: what follows is the client's TLS handshake.
    std::array<std::uint8_t, proto::proxy_header_max_bytes> buf{};
    for (;;)
    {
        // Checked here too: once data is waiting, the wait below completes
        // at once and would win the race against an expired deadline.
        if (std::chrono::steady_clock::now() >= deadline)
        {
            out.what = proxy_outcome::result::timeout;
            co_return out;
        }
        auto ready = co_await with_deadline(readable(socket), deadline - std::chrono::steady_clock::now());
        if (!ready)
        {
            out.what = proxy_outcome::result::timeout;
            co_return out;
        }
        if (*ready)
        {
            out.what = proxy_outcome::result::closed;
            out.error = ready->message();
            co_return out;
        }
        const auto n = ::recv(socket.native_handle(), buf.data(), buf.size(), MSG_PEEK | MSG_DONTWAIT);
        if (n == 0)
        {
            out.what = proxy_outcome::result::closed;
            out.error = "closed before a whole PROXY header";
            co_return out;
        }
        if (n < 0)
        {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            {
                continue;
            }
            out.what = proxy_outcome::result::closed;
            out.error = std::strerror(errno);
            co_return out;
        }
        const auto parsed = proto::parse_proxy_header({buf.data(), static_cast<std::size_t>(n)});
        if (parsed.state == proto::proxy_parse::invalid)
        {
            out.what = proxy_outcome::result::invalid;
            out.error = parsed.error;
            co_return out;
        }
        if (parsed.state == proto::proxy_parse::need_more)
        {
            if (static_cast<std::size_t>(n) == buf.size())
            {
                out.what = proxy_outcome::result::invalid;
                out.error = "PROXY header longer than " + std::to_string(buf.size()) + " bytes";
                co_return out;
            }
            // More bytes are on their way: a peek that returns the same
            // bytes again must not spin, so wait a little for the rest.
            co_await sleep_for(partial_header_poll);
            continue;
        }
        // Consume the header; it is in the socket buffer already.
        std::size_t taken = 0;
        while (taken < parsed.header.length)
        {
            const auto r =
                ::recv(socket.native_handle(), buf.data(), parsed.header.length - taken, MSG_DONTWAIT);
            if (r <= 0 && !(r < 0 && errno == EINTR))
            {
                out.what = proxy_outcome::result::closed;
                out.error = r == 0 ? "closed while the header was read" : std::strerror(errno);
                co_return out;
            }
            taken += r > 0 ? static_cast<std::size_t>(r) : 0U;
        }
        out.what = proxy_outcome::result::ok;
        out.header = parsed.header;
        co_return out;
    }
}

void log_proxy_refusal(std::string_view event,
                       const std::string& listener,
                       const std::string& peer,
                       const std::string& detail)
{
    thread_local std::chrono::steady_clock::time_point last_logged{};
    thread_local std::uint64_t unlogged = 0;
    ++unlogged;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_logged < std::chrono::seconds(1))
    {
        return;
    }
    last_logged = now;
    log::warning(event,
                 {{"listener", listener},
                  {"peer", peer},
                  {"detail", detail},
                  {"count", std::to_string(std::exchange(unlogged, 0))}});
}

} // namespace sekisho::net
