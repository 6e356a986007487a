#include "daemon/ctl/admin_client.hpp"

#include "daemon/ctl/admin.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdlib>

#include <sys/socket.h>
#include <sys/time.h>

namespace sekisho::ctl {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using local = asio::local::stream_protocol;

std::string admin_reply::message() const
{
    if (!reached)
    {
        return error;
    }
    if (const auto* o = body.if_object())
    {
        for (const char* key : {"message", "error"})
        {
            if (const auto* v = o->if_contains(key); v != nullptr && v->is_string())
            {
                return std::string(v->as_string());
            }
        }
    }
    return "HTTP " + std::to_string(status);
}

std::string admin_socket_of(const admin_args& a)
{
    if (const auto* s = a.get("--admin-socket"))
    {
        return *s;
    }
    if (const char* env = std::getenv("SEKISHO_ADMIN_SOCKET"); env != nullptr && *env != '\0')
    {
        return env;
    }
    return default_admin_socket;
}

admin_reply call_admin(const std::string& socket,
                       const std::string& method,
                       const std::string& path,
                       const boost::json::object* body)
{
    admin_reply out;
    asio::io_context io;
    local::socket stream(io);
    boost::system::error_code ec;
    stream.connect(local::endpoint(socket), ec);
    if (ec)
    {
        out.error = "cannot reach sekishod's admin socket " + socket + ": " + ec.message() +
                    (ec == boost::system::errc::permission_denied
                         ? " (run as root or as a member of admin.group)"
                         : " (is sekishod running with an `admin:` section? --admin-socket names another)");
        return out;
    }
    // Blocking calls: the kernel's timeouts bound them (a stuck daemon does
    // not hang the operator's terminal).
    const timeval limit{static_cast<time_t>(admin_timeout.count()), 0};
    ::setsockopt(stream.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ::setsockopt(stream.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    http::request<http::string_body> req{http::string_to_verb(method), path, 11};
    req.set(http::field::host, "sekishod");
    req.set(http::field::user_agent, "sekishoctl");
    if (body != nullptr)
    {
        req.set(http::field::content_type, "application/json");
        req.body() = boost::json::serialize(*body);
    }
    req.prepare_payload();
    http::write(stream, req, ec);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    if (!ec)
    {
        http::read(stream, buffer, res, ec);
    }
    if (ec)
    {
        out.error = "the admin API did not answer: " + ec.message();
        return out;
    }
    out.reached = true;
    out.status = res.result_int();
    out.body = boost::json::parse(res.body(), ec);
    if (ec)
    {
        out.body = boost::json::object{{"error", "bad_answer"}, {"message", res.body()}};
    }
    return out;
}

} // namespace sekisho::ctl
