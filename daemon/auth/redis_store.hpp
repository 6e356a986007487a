#pragma once
// The shared state store (docs/deployment.md#store): sign-in attempts,
// lockouts, used TOTP steps and telework sessions in Redis, so that several
// sekishod instances behind a load balancer enforce one device, one layer at
// a time, count failures together, refuse a replayed code everywhere, and
// close a killed session's tunnels everywhere (pub/sub, within a second).
//
// Each decision is one atomic Lua script (claim a device for a layer, count
// a failure and lock) or one command (SET NX PXAT for a TOTP step); keys
// carry TTLs, so Redis forgets what no longer matters. Follow-up CONNECTs of
// a session this instance knows are answered from memory (join_known): the
// store is asked at session start and end and on failures only.
//
// I/O: blocking sockets (TCP or TLS through OpenSSL) on the caller's thread
// with every wait bounded (connect_timeout, command_timeout). The
// authenticator calls it from its worker pool, never from an I/O thread; a
// thread of its own holds the pub/sub subscription, reconnects with back-off
// and discovers the primary through Sentinel.
//
// Unreachable: `fail_closed` (default) refuses new sessions and lets open
// tunnels go on; `local_fallback` answers from a per-instance memory store
// meanwhile, logged and counted as such.

#include "daemon/auth/state_store.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sekisho::auth {

struct redis_endpoint
{
    std::string host; // an address or a name
    std::uint16_t port = 6379;
};

struct redis_store_options
{
    // Either one server, or sentinels (several) and the master's name.
    std::vector<redis_endpoint> servers;
    std::vector<redis_endpoint> sentinels;
    std::string master_name;
    // ACL user (empty: `default`) and password (empty: no AUTH).
    std::string username;
    std::string password;
    // For the sentinels, when they require their own AUTH.
    std::string sentinel_username;
    std::string sentinel_password;
    // TLS to the servers and sentinels: the CA that signed their
    // certificates, the name to verify (empty: the host as connected),
    // and a client certificate when the server asks for one.
    bool tls = false;
    std::string ca_file;
    std::string server_name;
    std::string certificate_file;
    std::string key_file;
    // Every key starts with this; instances of one deployment share it.
    std::string prefix = "sekisho:";
    unsigned database = 0;
    std::chrono::milliseconds connect_timeout{1000};
    std::chrono::milliseconds command_timeout{250};
    std::chrono::milliseconds reconnect_backoff{250};      // first wait, doubled
    std::chrono::milliseconds reconnect_backoff_max{5000}; // up to this
    bool local_fallback = false;                           // on_unavailable: local_fallback
    std::string instance;                                  // this instance's name, in messages to the others
};

// Does not connect: the first call (or watch()) does; an unreachable Redis
// at start is a state, not an error.
std::unique_ptr<state_store> make_redis_store(redis_store_options options);

} // namespace sekisho::auth
