#pragma once
// The admin API's requests and answers, independent of the transport: HTTP
// with JSON bodies on a Unix socket (admin_server.hpp). The routes live in
// daemon/app/admin_routes.cpp; docs/admin-api.md lists them.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>

namespace sekisho::admin {

// Who is asking, from the socket (SO_PEERCRED): logged with every request.
struct peer
{
    long uid = -1;
    long gid = -1;
    long pid = -1;
};

struct request
{
    std::string method;      // "GET", "POST"
    std::string path;        // "/v1/status"
    boost::json::value body; // null when the request had none
    peer who;
};

struct response
{
    unsigned status = 200;
    boost::json::object body;
};

// {"error": code, "message": text} with `status`.
response error(unsigned status, std::string code, std::string message);

class handler
{
public:
    virtual ~handler() = default;
    // Runs on the admin socket's executor (I/O thread 0).
    virtual boost::asio::awaitable<response> handle(const request& r) = 0;
};

} // namespace sekisho::admin
