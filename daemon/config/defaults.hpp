#pragma once
// Every timeout and limit of sekishod: its name in the configuration file, its
// default and its allowed range, in one place (STYLE.md habit 8). The loader
// validates against these ranges; docs/configuration.md lists them.

#include <chrono>
#include <cstdint>

namespace sekisho::config {

using std::chrono::milliseconds;
using namespace std::chrono_literals;

template <typename T>
struct bounded
{
    T fallback;
    T min;
    T max;
};

namespace timeout_defaults {
// A TLS handshake (including the client certificate) must finish in this time.
inline constexpr bounded<milliseconds> tls_handshake{10s, 100ms, 2min};
// From TLS established to a complete CONNECT request head.
inline constexpr bounded<milliseconds> request{10s, 100ms, 2min};
inline constexpr bounded<milliseconds> dns{5s, 100ms, 1min};
inline constexpr bounded<milliseconds> connect{10s, 100ms, 2min};
// A tunnel with no byte in either direction for this long is closed.
inline constexpr bounded<milliseconds> idle{15min, 1s, 24h};
inline constexpr bounded<milliseconds> tunnel_lifetime{12h, 1s, 7 * 24h};
// Sending close_notify at the end of a tunnel.
inline constexpr bounded<milliseconds> tls_shutdown{2s, 10ms, 1min};
// SIGTERM: how long open tunnels may run on before they are closed.
inline constexpr bounded<milliseconds> drain{30s, 0ms, 24h};
// Open tunnels are decided again this often, so that permission withdrawn by
// time alone (a role's hours end, a user or device expires) closes them
// without a reload.
inline constexpr bounded<milliseconds> policy_recheck{10s, 1s, 10min};
// Each listener's CRL file is looked at this often (device, inode, size,
// mtime) and read again when it changed; a stale CRL is logged at each look.
inline constexpr bounded<milliseconds> crl_check{30s, 1s, 1h};
} // namespace timeout_defaults

namespace limit_defaults {
inline constexpr bounded<std::uint32_t> max_connections{10000, 1, 1000000};
inline constexpr bounded<std::uint32_t> tunnels_per_device{64, 1, 100000};
inline constexpr bounded<std::uint32_t> request_head_bytes{8192, 1024, 65536};
// One buffer per direction while bytes are in flight (daemon/net/buffer_pool.hpp):
// one read from the upstream, sent as full 16 KiB TLS records in one send().
// 128 KiB: 1.06-1.13 CPU s/GB against 1.20-1.32 at 16 KiB (docs/performance.md).
inline constexpr bounded<std::uint32_t> relay_buffer_bytes{131072, 16384, 1048576};
// Buffers of relay_buffer_bytes out at once per I/O thread; past that a relay
// step takes a 16 KiB one. Bounds what clients that stop reading can pin.
inline constexpr bounded<std::uint32_t> relay_large_buffers{32, 0, 4096};
inline constexpr bounded<milliseconds> accept_backoff{100ms, 1ms, 10s};
} // namespace limit_defaults

// The optional `auth:` section (user authentication, issue #4).
namespace auth_defaults {
// TOTP (RFC 6238): the time step, the code length and how many steps before
// and after the current one are also accepted (clock skew).
inline constexpr bounded<milliseconds> totp_step{30s, 15s, 120s};
inline constexpr bounded<std::uint32_t> totp_digits{6, 6, 8};
inline constexpr bounded<std::uint32_t> totp_window{1, 0, 3};
// Failed attempts before a user is locked out; the delay after the first
// failure, doubled at each further one up to max_backoff; how long a lockout
// lasts unless an operator lifts it.
inline constexpr bounded<std::uint32_t> lockout_failures{5, 1, 100};
inline constexpr bounded<milliseconds> lockout_backoff{1s, 100ms, 1min};
inline constexpr bounded<milliseconds> lockout_max_backoff{1min, 1s, 1h};
inline constexpr bounded<milliseconds> lockout_duration{15min, 1min, 7 * 24h};
// Threads that hash passwords (argon2id is slow on purpose, so it runs off
// the I/O threads), and verifications that may wait for one before the
// gateway answers 503.
inline constexpr bounded<std::uint32_t> workers{2, 1, 64};
inline constexpr bounded<std::uint32_t> queue{64, 1, 100000};
// A telework session ends after this long without an open tunnel, and at the
// latest this long after the login.
inline constexpr bounded<milliseconds> session_idle{30min, 1min, 24h};
inline constexpr bounded<milliseconds> session_max{12h, 10min, 7 * 24h};
} // namespace auth_defaults

// auth.store with type: redis. A new connection (TCP, TLS, AUTH) must be up
// within connect_timeout, a command answered within command_timeout; after
// a failure the next attempt waits reconnect_backoff, doubled each time up
// to reconnect_backoff_max (calls meanwhile fail at once).
namespace store_defaults {
inline constexpr bounded<milliseconds> connect_timeout{1s, 50ms, 30s};
inline constexpr bounded<milliseconds> command_timeout{250ms, 10ms, 10s};
inline constexpr bounded<milliseconds> reconnect_backoff{250ms, 10ms, 10s};
inline constexpr bounded<milliseconds> reconnect_backoff_max{5s, 100ms, 5min};
inline constexpr bounded<std::uint32_t> database{0, 0, 15};
} // namespace store_defaults

// The optional `admin:` section (the admin API on a Unix socket).
namespace admin_defaults {
// One request must arrive and be answered within this time.
inline constexpr bounded<milliseconds> request_timeout{10s, 100ms, 5min};
// The largest request (head and body) accepted.
inline constexpr bounded<std::uint32_t> request_bytes{65536, 1024, 1048576};
// Admin requests served at once; more are answered 503 (busy) at once.
inline constexpr bounded<std::uint32_t> connections{16, 1, 1024};
} // namespace admin_defaults

// The `metrics:` section: the Prometheus endpoint.
namespace metrics_defaults {
// One scrape must arrive and be answered within this time.
inline constexpr bounded<milliseconds> request_timeout{5s, 100ms, 1min};
// Scrapes served at once; more are closed at once.
inline constexpr bounded<std::uint32_t> connections{8, 1, 256};
} // namespace metrics_defaults

// The `session_tickets:` section: TLS 1.3 resumption.
namespace ticket_defaults {
// How long a ticket may be used, and how often its keys rotate.
inline constexpr bounded<milliseconds> lifetime{1h, 1min, 24h};
} // namespace ticket_defaults

// systemd (sd_notify): how often the STATUS= line is refreshed.
namespace notify_defaults {
inline constexpr milliseconds status_interval = 10s;
} // namespace notify_defaults

// egress.<layer>.dns: the layer's own DNS servers and their answer cache.
namespace dns_defaults {
inline constexpr bounded<std::uint32_t> cache_entries{10000, 1, 1000000};
// Answers are kept for their TTL, at most this long...
inline constexpr bounded<milliseconds> max_ttl{1h, 1s, 24h};
// ... and a failed lookup (no such name) this long (0: not kept).
inline constexpr bounded<milliseconds> negative_ttl{30s, 0ms, 1h};
} // namespace dns_defaults

// The `audit:` section: the tamper-evident audit log (docs/audit-events.md).
namespace audit_defaults {
// Events waiting for the writer thread; beyond this they are refused
// (fail_closed: new tunnels get 503) or counted as lost (best_effort).
inline constexpr bounded<std::uint32_t> queue_events{65536, 16, 4194304};
// Group commit: written lines are fsync'ed at most this long after they
// were written (0: after every batch).
inline constexpr bounded<milliseconds> fsync_interval{10ms, 0ms, 10s};
// A signed checkpoint after this many lines, or this long after the first
// line it seals, whichever comes first.
inline constexpr bounded<std::uint32_t> checkpoint_events{10000, 1, 10000000};
inline constexpr bounded<milliseconds> checkpoint_interval{1s, 10ms, 1h};
// audit.log is sealed and renamed (rotated) at this size or age.
inline constexpr bounded<std::uint32_t> rotate_bytes{64u << 20, 4096, 4294967295u};
inline constexpr bounded<milliseconds> rotate_interval{24h, 1s, 31 * 24h};
// While the log cannot be written (disk full, I/O error), writing is tried
// again this often.
inline constexpr bounded<milliseconds> retry_interval{1s, 10ms, 1min};
// audit.forward: the syslog collector.
inline constexpr bounded<milliseconds> forward_connect_timeout{5s, 100ms, 1min};
// Reconnection back-off: doubled after each failure up to this.
inline constexpr bounded<milliseconds> forward_reconnect_max{30s, 100ms, 10min};
// At stop, how long the last lines may take to reach the collector (within
// systemd's TimeoutStopSec); what is left is sent after the next start.
inline constexpr milliseconds forward_stop_catch_up{5s};
} // namespace audit_defaults

// 0 means one I/O thread per CPU core.
inline constexpr bounded<std::uint32_t> threads_default{0, 0, 256};

} // namespace sekisho::config
