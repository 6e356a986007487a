#pragma once
// The admin API's routes (docs/admin-api.md), answered from the server's
// state on I/O thread 0:
//
//   GET  /v1/status                 version, uptime, policy, tunnels, sessions, last reload
//   POST /v1/reload                 the same reload as SIGHUP; answers its report
//   GET  /v1/sessions               telework sessions (?user=U, ?device=D)
//   POST /v1/sessions/kill          {"id"|"user"|"device": ...}: ends them, closes their tunnels
//   POST /v1/users/<id>/unlock      lifts the failure lockout of the user and of their devices
//   GET  /v1/policy                 the policy in force: hash, file, when loaded, its size
//   GET  /v1/metrics                the Prometheus exposition, as {"format","text"}

#include "daemon/admin/api.hpp"

namespace sekisho::app {

class server;

class admin_routes final : public admin::handler
{
public:
    explicit admin_routes(server& s) : server_(s) {}
    boost::asio::awaitable<admin::response> handle(const admin::request& r) override;

private:
    admin::response route(const admin::request& r);
    admin::response status() const;
    boost::asio::awaitable<admin::response> reload();
    admin::response sessions(const admin::request& r) const;
    admin::response kill_sessions(const admin::request& r);
    admin::response unlock_user(const std::string& user);
    admin::response policy() const;
    admin::response metrics() const;

    server& server_;
};

} // namespace sekisho::app
