#pragma once
// sekishod's own settings (sekisho.yaml) as plain, validated data: listeners,
// TLS files, the static hosts map, timeouts, limits, logging and the optional
// user authentication (auth:). The policy the listeners enforce lives in its
// own file (policy.yaml), named by `policy:`; the users' secrets in another
// (secrets.yaml, daemon/auth/secrets.hpp), named by `auth.secrets`.

#include "daemon/config/defaults.hpp"
#include "policy/address.hpp"
#include "policy/diagnostics.hpp"
#include "policy/model.hpp"
#include "policy/yaml_reader.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sekisho::config {

struct tls_files
{
    std::string certificate;
    std::string private_key;
    std::string client_ca;
    std::optional<std::string> crl;
};

// listeners[].proxy_protocol: the listener sits behind a load balancer that
// sends a PROXY protocol header (v1 or v2) first. Only these sources may
// connect; the header's client address is the one policy and audit see.
struct proxy_protocol_settings
{
    std::vector<policy::cidr> trusted; // addresses or prefixes of the load balancers
    policy::source_location where;
};

struct listener_settings
{
    std::string id;
    policy::ip_address address;
    std::uint16_t port = 0; // 0: any free port (tests)
    policy::layer layer = policy::layer::internet;
    tls_files tls;
    std::optional<proxy_protocol_settings> proxy_protocol; // nullopt: clients connect directly
    policy::source_location where;
};

struct timeouts
{
    milliseconds tls_handshake = timeout_defaults::tls_handshake.fallback;
    milliseconds request = timeout_defaults::request.fallback;
    milliseconds dns = timeout_defaults::dns.fallback;
    milliseconds connect = timeout_defaults::connect.fallback;
    milliseconds idle = timeout_defaults::idle.fallback;
    milliseconds tunnel_lifetime = timeout_defaults::tunnel_lifetime.fallback;
    milliseconds tls_shutdown = timeout_defaults::tls_shutdown.fallback;
    milliseconds drain = timeout_defaults::drain.fallback;
    milliseconds policy_recheck = timeout_defaults::policy_recheck.fallback;
    milliseconds crl_check = timeout_defaults::crl_check.fallback;
};

struct limits
{
    std::uint32_t max_connections = limit_defaults::max_connections.fallback;
    std::uint32_t tunnels_per_device = limit_defaults::tunnels_per_device.fallback;
    std::uint32_t request_head_bytes = limit_defaults::request_head_bytes.fallback;
    std::uint32_t relay_buffer_bytes = limit_defaults::relay_buffer_bytes.fallback;
    std::uint32_t relay_large_buffers = limit_defaults::relay_large_buffers.fallback;
    milliseconds accept_backoff = limit_defaults::accept_backoff.fallback;
};

struct log_settings
{
    std::string tunnels = "stderr"; // "stderr" or a file path
};

// `auth:` (docs/configuration.md#auth). Absent: the device certificate's
// owner is the user and the certificate is the only factor.
struct totp_settings
{
    milliseconds step = auth_defaults::totp_step.fallback;
    std::uint32_t digits = auth_defaults::totp_digits.fallback;
    std::uint32_t window = auth_defaults::totp_window.fallback;
};

struct lockout_settings
{
    std::uint32_t failures = auth_defaults::lockout_failures.fallback;
    milliseconds backoff = auth_defaults::lockout_backoff.fallback;
    milliseconds max_backoff = auth_defaults::lockout_max_backoff.fallback;
    milliseconds duration = auth_defaults::lockout_duration.fallback;
};

struct auth_session_settings
{
    milliseconds idle = auth_defaults::session_idle.fallback;
    milliseconds max = auth_defaults::session_max.fallback;
};

// auth.store (docs/configuration.md#auth-store): where sessions, lockouts
// and used TOTP steps live. Absent: in this process (one instance).
struct store_endpoint
{
    std::string host;
    std::uint16_t port = 0;
};

struct store_settings
{
    bool redis = false;          // type: redis (else memory)
    bool local_fallback = false; // on_unavailable: local_fallback (else fail_closed)
    std::vector<store_endpoint> servers;
    std::vector<store_endpoint> sentinels;
    std::string master_name;
    std::string username;
    std::string password; // from password_file (mode 0600)
    std::string sentinel_username;
    std::string sentinel_password;
    bool tls = false;
    std::string ca_file;
    std::string server_name;
    std::string certificate_file;
    std::string key_file;
    std::string prefix = "sekisho:";
    std::uint32_t database = 0;
    milliseconds connect_timeout = store_defaults::connect_timeout.fallback;
    milliseconds command_timeout = store_defaults::command_timeout.fallback;
    milliseconds reconnect_backoff = store_defaults::reconnect_backoff.fallback;
    milliseconds reconnect_backoff_max = store_defaults::reconnect_backoff_max.fallback;
    policy::source_location where;
};

struct auth_settings
{
    std::string secrets_file; // absolute (resolved against the settings file's folder)
    totp_settings totp;
    lockout_settings lockout;
    std::uint32_t workers = auth_defaults::workers.fallback;
    std::uint32_t queue = auth_defaults::queue.fallback;
    auth_session_settings session;
    store_settings store;
    policy::source_location where; // the `auth:` key, for later diagnostics
};

// `egress:` (docs/configuration.md#egress): how one layer's tunnels leave.
// With a proxy, every tunnel of that layer is chained through it with an
// HTTP CONNECT after sekisho's own decision (e.g. the prefecture's security
// cloud, 自治体情報セキュリティクラウド, for the internet layer).
struct upstream_proxy
{
    policy::ip_address address; // an address: the proxy itself is never looked up
    std::uint16_t port = 0;
    std::string username; // empty: no Proxy-Authorization
    std::string password; // from password_file (mode 0600)
    // true (resolve: local): sekisho resolves the name and vets every address
    // before asking the proxy; false (resolve: proxy): the proxy resolves and
    // sekisho vets the name only (catalog, zone by name).
    bool resolve_locally = true;
    // tls: the connection to the proxy is TLS (1.2 or later), and the proxy's
    // certificate must chain to `ca_file` and be issued to `server_name` (by
    // default the proxy's address).
    bool tls = false;
    std::string ca_file;
    std::string server_name;
    policy::source_location where;
};

// The layer's own DNS servers (egress.<layer>.dns), queried through c-ares
// with a bounded answer cache; `hosts:` still comes first.
struct layer_dns
{
    std::vector<std::string> servers; // "127.0.0.1:53", "[fd00::53]:53" (normalised)
    std::uint32_t cache_entries = dns_defaults::cache_entries.fallback;
    milliseconds max_ttl = dns_defaults::max_ttl.fallback;
    milliseconds negative_ttl = dns_defaults::negative_ttl.fallback;
    policy::source_location where;
};

struct layer_egress
{
    std::optional<upstream_proxy> proxy;
    std::optional<layer_dns> dns; // nullopt: the system resolver
};

// `admin:` (docs/configuration.md#admin): the admin API's Unix socket, used
// by sekishoctl. Absent: no admin socket.
struct admin_settings
{
    std::string socket; // absolute path
    std::string group;  // empty: mode 0600 (the daemon's user only); else 0660 with this group
    milliseconds request_timeout = admin_defaults::request_timeout.fallback;
    std::uint32_t request_bytes = admin_defaults::request_bytes.fallback;
    std::uint32_t connections = admin_defaults::connections.fallback;
    policy::source_location where;
};

// `metrics:` (docs/metrics.md): Prometheus text format over plain HTTP on a
// TCP address (loopback by default: the figures name users' services).
struct metrics_settings
{
    policy::ip_address address;
    std::uint16_t port = 0;
    milliseconds request_timeout = metrics_defaults::request_timeout.fallback;
    std::uint32_t connections = metrics_defaults::connections.fallback;
    policy::source_location where;
};

// audit.forward: RFC 5424 syslog over TCP or TLS (RFC 5425 octet
// counting) to a collector. The audit files are the spool: lines are sent
// from them, in order, and what was sent is remembered in `state_file`.
struct audit_forward_settings
{
    policy::ip_address address; // an address: the collector is never looked up
    std::uint16_t port = 0;
    bool tls = false;
    std::string ca_file;     // tls: the collector's certificate must chain to this
    std::string server_name; // tls: ... and be issued to this name (default: the address)
    std::string certificate; // tls: optional client certificate ...
    std::string private_key; // ... and its key
    std::string app_name = "sekisho";
    std::string state_file; // default: <directory>/forward.state
    milliseconds connect_timeout = audit_defaults::forward_connect_timeout.fallback;
    milliseconds reconnect_max = audit_defaults::forward_reconnect_max.fallback;
    policy::source_location where;
};

// `audit:` (docs/configuration.md#audit): the tamper-evident audit log.
struct audit_settings
{
    std::string directory;   // audit.log and the rotated audit-*.log
    std::string signing_key; // Ed25519 seed, mode 0600 (sekisho-audit keygen)
    std::string instance;    // "host" of every record; default: the host name
    bool fail_closed = true; // on_failure: fail_closed | best_effort
    std::uint32_t queue_events = audit_defaults::queue_events.fallback;
    milliseconds fsync_interval = audit_defaults::fsync_interval.fallback;
    std::uint32_t checkpoint_events = audit_defaults::checkpoint_events.fallback;
    milliseconds checkpoint_interval = audit_defaults::checkpoint_interval.fallback;
    std::uint32_t rotate_bytes = audit_defaults::rotate_bytes.fallback;
    milliseconds rotate_interval = audit_defaults::rotate_interval.fallback;
    milliseconds retry_interval = audit_defaults::retry_interval.fallback;
    std::optional<audit_forward_settings> forward;
    policy::source_location where;
};

// `session_tickets:` (docs/configuration.md#session-tickets): TLS 1.3
// resumption for devices that completed a full handshake
// (daemon/tls/session_tickets.hpp).
struct session_ticket_settings
{
    bool enabled = true;
    std::string key_file; // empty: a random secret per start (one instance)
    milliseconds lifetime = ticket_defaults::lifetime.fallback;
    policy::source_location where;
};

struct settings
{
    std::string file;
    std::string policy_file;
    std::uint32_t threads = 0;
    std::vector<listener_settings> listeners;
    std::map<std::string, std::vector<policy::ip_address>, std::less<>> hosts;
    timeouts timeout;
    limits limit;
    log_settings log;
    std::optional<auth_settings> auth;       // nullopt: no `auth:` section
    std::optional<admin_settings> admin;     // nullopt: no admin socket
    std::optional<audit_settings> audit;     // nullopt: no audit log (a warning at start)
    std::optional<metrics_settings> metrics; // nullopt: no metrics endpoint
    session_ticket_settings session_tickets;
    layer_egress egress_lgwan;
    layer_egress egress_internet;

    const layer_egress& egress(policy::layer l) const
    {
        return l == policy::layer::lgwan ? egress_lgwan : egress_internet;
    }
};

struct load_result
{
    // What could be read, even with errors (so that the policy can still be
    // checked in the same run); use it only when diags.has_errors() is false.
    std::optional<settings> value;
    policy::diagnostics diags;
};

load_result load_settings_file(const std::string& path);
// `name` is used in diagnostics; `base_dir` resolves relative paths.
load_result load_settings_text(const std::string& yaml, const std::string& name, const std::string& base_dir);

// "${VAR}" and "${VAR:-default}" expansion (shared with the policy loader).
using policy::expand_variables;

} // namespace sekisho::config
