#include "daemon/metrics/metrics_server.hpp"

#include "daemon/log/logger.hpp"
#include "daemon/metrics/exposition.hpp"
#include "daemon/net/accept_next.hpp"
#include "daemon/net/upstream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <tuple>

namespace sekisho::metrics {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// A scrape is a GET without a body: its head is small.
constexpr std::uint32_t request_head_limit = 8192;

} // namespace

metrics_server::metrics_server(asio::io_context& io,
                               config::metrics_settings settings,
                               std::function<std::string()> render,
                               std::chrono::milliseconds accept_backoff)
    : io_(io), settings_(std::move(settings)), render_(std::move(render)), accept_backoff_(accept_backoff)
{}

bool metrics_server::bind(std::string* why)
{
    const tcp::endpoint ep(net::to_asio(settings_.address), settings_.port);
    tcp::acceptor acc(io_);
    boost::system::error_code ec;
    acc.open(ep.protocol(), ec);
    if (!ec)
    {
        acc.set_option(tcp::acceptor::reuse_address(true), ec);
    }
    if (!ec && ep.address().is_v6())
    {
        acc.set_option(asio::ip::v6_only(true), ec);
    }
    if (!ec)
    {
        acc.bind(ep, ec);
    }
    if (!ec)
    {
        acc.listen(64, ec);
    }
    if (ec)
    {
        *why = "cannot listen on " + net::endpoint_text(ep.address(), ep.port()) + ": " + ec.message();
        return false;
    }
    port_ = acc.local_endpoint().port();
    acceptor_.emplace(std::move(acc));
    return true;
}

void metrics_server::start()
{
    asio::co_spawn(io_, accept_loop(), asio::detached);
    log::info("metrics_listening", {{"address", net::endpoint_text(net::to_asio(settings_.address), port_)}});
}

void metrics_server::stop()
{
    if (acceptor_ && acceptor_->is_open())
    {
        boost::system::error_code ignored;
        acceptor_->close(ignored);
    }
}

asio::awaitable<void> metrics_server::accept_loop()
{
    while (acceptor_)
    {
        auto socket = co_await net::accept_next(*acceptor_, accept_backoff_);
        if (!socket)
        {
            break;
        }
        if (active_ >= settings_.connections)
        {
            boost::system::error_code ignored;
            socket->close(ignored);
            continue;
        }
        asio::co_spawn(io_, serve(std::move(*socket)), asio::detached);
    }
}

asio::awaitable<void> metrics_server::serve(tcp::socket socket)
{
    ++active_;
    struct leave
    {
        unsigned& n;
        ~leave() { --n; }
    } counted{active_};
    beast::basic_stream<tcp> stream(std::move(socket));
    stream.expires_after(settings_.request_timeout);
    beast::flat_buffer buffer;
    http::request_parser<http::empty_body> parser;
    parser.header_limit(request_head_limit);
    boost::system::error_code ec;
    std::tie(ec, std::ignore) = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (ec)
    {
        co_return;
    }
    const auto& in = parser.get();
    const auto target = std::string_view(in.target().data(), in.target().size());
    const auto path = target.substr(0, target.find('?'));
    http::response<http::string_body> out;
    out.version(11);
    out.keep_alive(false);
    out.set(http::field::server, "sekishod");
    if (path != "/metrics")
    {
        out.result(http::status::not_found);
        out.set(http::field::content_type, "text/plain; charset=utf-8");
        out.body() = "not found: the metrics are at /metrics\n";
    }
    else if (in.method() != http::verb::get)
    {
        out.result(http::status::method_not_allowed);
        out.set(http::field::allow, "GET");
        out.set(http::field::content_type, "text/plain; charset=utf-8");
        out.body() = "use GET /metrics\n";
    }
    else
    {
        out.result(http::status::ok);
        out.set(http::field::content_type, std::string(content_type));
        out.body() = render_();
    }
    out.prepare_payload();
    std::tie(ec, std::ignore) = co_await http::async_write(stream, out, use_tuple);
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

} // namespace sekisho::metrics
