#pragma once
// sekishoctl's side of the admin API (daemon/app/admin_routes.hpp): one HTTP
// request with a JSON body over sekishod's Unix socket.
//
// The socket: --admin-socket PATH, else $SEKISHO_ADMIN_SOCKET, else
// /run/sekisho/admin.sock (admin.socket in sekisho.yaml, the systemd unit's
// RuntimeDirectory).

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <string>

namespace sekisho::ctl {

struct admin_args;

inline constexpr const char* default_admin_socket = "/run/sekisho/admin.sock";
inline constexpr std::chrono::seconds admin_timeout{30}; // a reload of a large policy takes ~1 s

struct admin_reply
{
    bool reached = false; // false: no answer at all (`error` says why)
    unsigned status = 0;
    boost::json::value body;
    std::string error;

    bool ok() const { return reached && status < 300; }
    // The body's "message" (or "error"), for printing a refusal.
    std::string message() const;
};

std::string admin_socket_of(const admin_args& a);

admin_reply call_admin(const std::string& socket,
                       const std::string& method,
                       const std::string& path,
                       const boost::json::object* body = nullptr);

} // namespace sekisho::ctl
