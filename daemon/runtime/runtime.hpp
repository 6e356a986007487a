#pragma once
// What every session shares, fixed after start-up: settings, the compiled
// policy snapshot, each listener's TLS context, the tunnel log, counters.
// Owned by main(); outlives every I/O thread.

#include "daemon/audit/forwarder.hpp"
#include "daemon/audit/writer.hpp"
#include "daemon/auth/authenticator.hpp"
#include "daemon/config/settings.hpp"
#include "daemon/log/tunnel_record.hpp"
#include "daemon/net/dns_resolver.hpp"
#include "daemon/runtime/device_limits.hpp"
#include "daemon/tls/session_tickets.hpp"
#include "policy/snapshot.hpp"

#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace sekisho::runtime {

struct listener_runtime
{
    config::listener_settings settings;
    std::shared_ptr<boost::asio::ssl::context> tls;
    std::uint16_t bound_port = 0; // the port actually bound (settings.port may be 0)
};

struct shared_state
{
    config::settings settings;
    // Swapped atomically by a reload; each connection keeps the one it
    // started with (and open tunnels are re-checked against a new one).
    std::atomic<std::shared_ptr<const policy::snapshot>> policy;
    policy::compile_inputs policy_inputs; // the listeners' own endpoints
    std::vector<listener_runtime> listeners;
    std::unique_ptr<log::tunnel_sink> tunnel_log;
    // The secret behind every listener's session ticket keys; null with
    // session_tickets.enabled: false.
    std::shared_ptr<tls::ticket_secret> tickets;
    // The tamper-evident audit log (audit:); null without one.
    std::unique_ptr<audit::writer> audit;
    // Its copy to the syslog collector (audit.forward); null without one.
    // Declared after `audit`, so it goes first.
    std::unique_ptr<audit::forwarder> audit_forward;
    // Queues an audit event; true when there is no audit log. `required`:
    // false means the event was refused and the action must not happen.
    bool audit_event(std::string_view event, const boost::json::object& fields, bool required = false) const
    {
        return !audit || audit->append(event, fields, required);
    }
    device_limits devices; // open tunnels per device certificate
    device_limits users;   // open tunnels per user, for roles with limits.tunnels_per_user
    // Password + TOTP sign-in and telework sessions; null without `auth:`
    // (then a device's owner is its user, with one factor).
    std::unique_ptr<auth::authenticator> auth;
    // Client TLS contexts for upstream proxies with tls: (egress.<layer>.proxy.tls).
    std::shared_ptr<boost::asio::ssl::context> proxy_tls_lgwan;
    std::shared_ptr<boost::asio::ssl::context> proxy_tls_internet;
    boost::asio::ssl::context* proxy_tls_of(policy::layer l) const
    {
        return (l == policy::layer::lgwan ? proxy_tls_lgwan : proxy_tls_internet).get();
    }
    // Answer caches of the layers with their own DNS servers (egress.<layer>.dns).
    std::unique_ptr<net::dns_cache> dns_lgwan;
    std::unique_ptr<net::dns_cache> dns_internet;
    net::dns_cache* dns_cache_of(policy::layer l) const
    {
        return (l == policy::layer::lgwan ? dns_lgwan : dns_internet).get();
    }
    std::atomic<std::size_t> active{0};
    std::atomic<std::uint64_t> next_id{1};
};

} // namespace sekisho::runtime
