#include "daemon/admin/admin_server.hpp"

#include "daemon/admin/socket_file.hpp"
#include "daemon/log/logger.hpp"
#include "daemon/net/accept_next.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <tuple>

#include <sys/socket.h>
#include <unistd.h>

namespace sekisho::admin {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using local = asio::local::stream_protocol;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

peer peer_of(local::socket& s)
{
    peer p;
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(s.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
    {
        p = {static_cast<long>(cred.uid), static_cast<long>(cred.gid), static_cast<long>(cred.pid)};
    }
    return p;
}

} // namespace

response error(unsigned status, std::string code, std::string message)
{
    response r;
    r.status = status;
    r.body = {{"error", std::move(code)}, {"message", std::move(message)}};
    return r;
}

admin_server::admin_server(asio::io_context& io,
                           config::admin_settings settings,
                           handler& h,
                           std::chrono::milliseconds accept_backoff)
    : io_(io), settings_(std::move(settings)), handler_(h), accept_backoff_(accept_backoff)
{}

admin_server::~admin_server()
{
    stop();
}

bool admin_server::bind(std::string* why)
{
    const int fd = open_socket_file(settings_.socket, settings_.group, 64, why);
    if (fd < 0)
    {
        return false;
    }
    acceptor_.emplace(io_);
    boost::system::error_code ec;
    acceptor_->assign(local(), fd, ec);
    if (ec)
    {
        ::close(fd);
        *why = "cannot use the admin socket: " + ec.message();
        acceptor_.reset();
        return false;
    }
    return true;
}

void admin_server::start()
{
    asio::co_spawn(io_, accept_loop(), asio::detached);
    log::info("admin_listening", {{"socket", settings_.socket}, {"group", settings_.group}});
}

void admin_server::stop()
{
    if (acceptor_ && acceptor_->is_open())
    {
        boost::system::error_code ignored;
        acceptor_->close(ignored);
        ::unlink(settings_.socket.c_str());
    }
}

asio::awaitable<void> admin_server::accept_loop()
{
    while (acceptor_)
    {
        auto socket = co_await net::accept_next(*acceptor_, accept_backoff_);
        if (!socket)
        {
            break;
        }
        asio::co_spawn(io_, serve(std::move(*socket)), asio::detached);
    }
}

asio::awaitable<void> admin_server::serve(local::socket socket)
{
    const peer who = peer_of(socket);
    beast::basic_stream<local> stream(std::move(socket));
    stream.expires_after(settings_.request_timeout);
    ++active_;
    struct leave
    {
        unsigned& n;
        ~leave() { --n; }
    } counted{active_};

    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    parser.header_limit(settings_.request_bytes);
    parser.body_limit(settings_.request_bytes);
    response answer;
    request req;
    req.who = who;
    boost::system::error_code ec;
    if (active_ <= settings_.connections)
    {
        // (No structured binding in an if: GCC 12 miscompiles some in coroutines.)
        std::tie(ec, std::ignore) = co_await http::async_read(stream, buffer, parser, use_tuple);
    }
    if (active_ > settings_.connections)
    {
        answer = error(503, "busy", "too many admin requests at once; try again");
    }
    else if (ec == http::error::end_of_stream || ec == beast::error::timeout)
    {
        co_return;
    }
    else if (ec)
    {
        answer = error(400, "bad_request", "not an HTTP request: " + ec.message());
    }
    else
    {
        auto& in = parser.get();
        req.method = std::string(in.method_string());
        req.path = std::string(in.target());
        boost::system::error_code jec;
        if (!in.body().empty())
        {
            req.body = boost::json::parse(in.body(), jec);
        }
        // (No co_await inside ?: — GCC 12 miscompiles it.)
        if (jec)
        {
            answer = error(400, "bad_json", "the body is not JSON: " + jec.message());
        }
        else
        {
            answer = co_await handler_.handle(req);
        }
    }
    log::write(answer.status < 400 ? log::level::info : log::level::warning,
               "admin_request",
               {{"method", req.method},
                {"path", req.path},
                {"status", std::to_string(answer.status)},
                {"uid", std::to_string(who.uid)},
                {"pid", std::to_string(who.pid)}});

    http::response<http::string_body> out{static_cast<http::status>(answer.status), 11};
    out.set(http::field::content_type, "application/json");
    out.set(http::field::server, "sekishod");
    out.keep_alive(false);
    out.body() = boost::json::serialize(answer.body) + "\n";
    out.prepare_payload();
    co_await http::async_write(stream, out, use_tuple);
    boost::system::error_code ignored;
    stream.socket().shutdown(local::socket::shutdown_send, ignored);
}

} // namespace sekisho::admin
