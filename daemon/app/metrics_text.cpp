// What the Prometheus endpoint and `GET /v1/metrics` answer: the I/O threads'
// counters added up, and gauges read from the server's state at the moment
// of the scrape (docs/metrics.md lists every family).

#include "daemon/app/server.hpp"
#include "daemon/metrics/exposition.hpp"
#include "daemon/metrics/shard.hpp"
#include "daemon/tls/crl.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <ctime>
#include <optional>

namespace sekisho::app {

namespace {

using metrics::exposition;
using sys_clock = std::chrono::system_clock;

double seconds_of(sys_clock::time_point t)
{
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// Seconds from now (negative: past). Prometheus' base unit; divide by
// 86400 in a query or an alert for days.
double seconds_until(std::time_t t, std::time_t now)
{
    return static_cast<double>(t - now);
}

std::optional<std::time_t> not_after(const X509* cert)
{
    if (cert == nullptr)
    {
        return std::nullopt;
    }
    std::tm tm{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1)
    {
        return std::nullopt;
    }
    return ::timegm(&tm);
}

// The earliest notAfter of the CA certificates a context verifies clients with.
std::optional<std::time_t> earliest_ca_expiry(SSL_CTX* ctx)
{
    std::optional<std::time_t> earliest;
    auto* objects = X509_STORE_get0_objects(SSL_CTX_get_cert_store(ctx));
    for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i)
    {
        const auto t = not_after(X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, i)));
        if (t && (!earliest || *t < *earliest))
        {
            earliest = t;
        }
    }
    return earliest;
}

void traffic(exposition& e,
             const metrics::counters& c,
             std::size_t connections_open,
             std::uint32_t connections_limit)
{
    std::uint64_t opened = 0;
    for (const auto& [layer, n] : c.tunnels_opened)
    {
        opened += n;
    }
    e.family("sekisho_connections_open", "gauge", "Client connections open now (any stage).")
        .sample("sekisho_connections_open", static_cast<double>(connections_open));
    e.family("sekisho_connections_limit", "gauge", "limits.max_connections: more are closed at accept.")
        .sample("sekisho_connections_limit", static_cast<double>(connections_limit));
    e.family(
         "sekisho_connections_total", "counter", "Client connections that have ended, whatever the outcome.")
        .sample("sekisho_connections_total", static_cast<double>(c.connections));
    e.family("sekisho_tunnels_open", "gauge", "Tunnels established and relaying now.")
        .sample("sekisho_tunnels_open", static_cast<double>(opened - c.tunnels_closed));
    e.family("sekisho_tunnels_opened_total", "counter", "Tunnels established, by listener layer.")
        .samples("sekisho_tunnels_opened_total", "layer", c.tunnels_opened);
    e.family(
         "sekisho_tunnels_denied_total", "counter", "CONNECT requests the policy refused, by reason code.")
        .samples("sekisho_tunnels_denied_total", "reason", c.denied);
    e.family("sekisho_connections_failed_total",
             "counter",
             "Connections that ended without a tunnel for another reason (TLS, limits, upstream, timeouts).")
        .samples("sekisho_connections_failed_total", "reason", c.failed);
    e.family("sekisho_auth_failures_total", "counter", "Refused sign-ins (password or TOTP), by result.")
        .samples("sekisho_auth_failures_total", "result", c.auth_failures);
    e.family("sekisho_proxy_protocol_refused_total",
             "counter",
             "Connections closed on a proxy_protocol listener: untrusted sender, bad or missing header.")
        .sample("sekisho_proxy_protocol_refused_total", static_cast<double>(c.proxy_refused));
    e.family(
         "sekisho_relayed_bytes_total", "counter", "Bytes relayed by tunnels that have ended, by direction.")
        .sample("sekisho_relayed_bytes_total", static_cast<double>(c.bytes_up), {{"direction", "up"}})
        .sample("sekisho_relayed_bytes_total", static_cast<double>(c.bytes_down), {{"direction", "down"}});
    e.histogram(
        "sekisho_decision_duration_seconds", "Time the policy took to decide one CONNECT.", c.decision);
    e.histogram("sekisho_tunnel_setup_duration_seconds",
                "From accept to 200 Connection Established (TLS, sign-in, DNS, dial).",
                c.setup);
}

void audit(exposition& e, const audit::writer& w, const audit::forwarder* f)
{
    const auto a = w.status();
    e.family("sekisho_audit_healthy", "gauge", "1 while the audit log is writable; 0 while writes fail.")
        .sample("sekisho_audit_healthy", a.healthy ? 1 : 0);
    e.family("sekisho_audit_queue_depth", "gauge", "Audit events waiting for the writer.")
        .sample("sekisho_audit_queue_depth", static_cast<double>(a.queue_depth));
    e.family("sekisho_audit_queue_capacity", "gauge", "audit.queue_events.")
        .sample("sekisho_audit_queue_capacity", static_cast<double>(a.queue_capacity));
    e.family(
         "sekisho_audit_lost_total",
         "counter",
         "Audit events that could not be queued or written (a full queue, or best_effort while unwritable).")
        .sample("sekisho_audit_lost_total", static_cast<double>(a.lost));
    e.family("sekisho_audit_written_seq", "gauge", "The last sequence number written.")
        .sample("sekisho_audit_written_seq", static_cast<double>(a.written_seq));
    e.family("sekisho_audit_durable_seq", "gauge", "The last sequence number on disk (fdatasync returned).")
        .sample("sekisho_audit_durable_seq", static_cast<double>(a.durable_seq));
    e.family("sekisho_audit_fsyncs_total", "counter", "Group commits (fdatasync calls) of the audit log.")
        .sample("sekisho_audit_fsyncs_total", static_cast<double>(a.fsyncs));
    e.family("sekisho_audit_fsync_last_seconds", "gauge", "Duration of the last fdatasync of the audit log.")
        .sample("sekisho_audit_fsync_last_seconds", std::chrono::duration<double>(a.last_fsync).count());
    e.family("sekisho_audit_fsync_max_seconds", "gauge", "Longest fdatasync of the audit log since start.")
        .sample("sekisho_audit_fsync_max_seconds", std::chrono::duration<double>(a.max_fsync).count());
    e.family("sekisho_audit_checkpoints_total", "counter", "Signed checkpoints written.")
        .sample("sekisho_audit_checkpoints_total", static_cast<double>(a.checkpoints));
    if (f != nullptr)
    {
        const auto s = f->status();
        e.family("sekisho_audit_forward_connected", "gauge", "1 while connected to the syslog collector.")
            .sample("sekisho_audit_forward_connected", s.connected ? 1 : 0);
        e.family("sekisho_audit_forward_lag_records",
                 "gauge",
                 "Audit lines written locally but not yet acknowledged by the collector.")
            .sample(
                "sekisho_audit_forward_lag_records",
                static_cast<double>(a.written_seq > s.forwarded_seq ? a.written_seq - s.forwarded_seq : 0));
        e.family("sekisho_audit_forward_reconnects_total", "counter", "Reconnections to the collector.")
            .sample("sekisho_audit_forward_reconnects_total", static_cast<double>(s.reconnects));
    }
}

void expiry(exposition& e, const runtime::shared_state& st, std::time_t now)
{
    e.family("sekisho_certificate_expiry_seconds",
             "gauge",
             "Seconds until a listener's certificate expires (server) or its earliest client CA does "
             "(client_ca).");
    for (const auto& l : st.listeners)
    {
        if (!l.tls)
        {
            continue;
        }
        auto* ctx = l.tls->native_handle();
        if (const auto t = not_after(SSL_CTX_get0_certificate(ctx)))
        {
            e.sample("sekisho_certificate_expiry_seconds",
                     seconds_until(*t, now),
                     {{"listener", l.settings.id}, {"certificate", "server"}});
        }
        if (const auto t = earliest_ca_expiry(ctx))
        {
            e.sample("sekisho_certificate_expiry_seconds",
                     seconds_until(*t, now),
                     {{"listener", l.settings.id}, {"certificate", "client_ca"}});
        }
    }
    e.family(
        "sekisho_crl_next_update_seconds",
        "gauge",
        "Seconds until the CRL in force passes its nextUpdate (then every device handshake is refused).");
    for (const auto& l : st.listeners)
    {
        auto* source = l.tls ? tls::crl_source_of(l.tls->native_handle()) : nullptr;
        if (source == nullptr)
        {
            continue;
        }
        if (const auto set = source->current())
        {
            e.sample("sekisho_crl_next_update_seconds",
                     seconds_until(set->next_update(), now),
                     {{"listener", l.settings.id}});
        }
    }
    e.family("sekisho_catalog_certification_expiry_seconds",
             "gauge",
             "Seconds until a catalogued service's ISMAP/ISMAP-LIU/municipal registration expires (negative: "
             "expired).");
    const auto snap = st.policy.load();
    for (const auto& svc : snap->document().services)
    {
        if (!svc.catalog.cert)
        {
            continue;
        }
        const auto& c = *svc.catalog.cert;
        auto until = sys_clock::to_time_t(c.valid_until);
        if (c.withdrawn && *c.withdrawn < c.valid_until)
        {
            until = sys_clock::to_time_t(*c.withdrawn);
        }
        e.sample("sekisho_catalog_certification_expiry_seconds",
                 seconds_until(until, now),
                 {{"service", svc.id},
                  {"scheme", policy::to_string(c.scheme)},
                  {"renewal_pending", c.renewal_pending ? "true" : "false"}});
    }
}

} // namespace

std::string server::metrics_text() const
{
    metrics::counters c;
    for (const auto& shard : shards_)
    {
        c.add(shard->read());
    }
    const auto now = sys_clock::now();
    exposition e;
    const auto snap = state_.policy.load();
    e.family("sekisho_build_info", "gauge", "The running version and the policy in force (value 1).")
        .sample("sekisho_build_info", 1, {{"version", SEKISHO_VERSION}, {"policy", snap->hash()}});
    e.family("sekisho_start_time_seconds", "gauge", "When sekishod started (Unix time).")
        .sample("sekisho_start_time_seconds", seconds_of(started_at_));
    e.family("sekisho_draining", "gauge", "1 while sekishod drains before stopping.")
        .sample("sekisho_draining", draining_ ? 1 : 0);
    traffic(e, c, state_.active.load(), state_.settings.limit.max_connections);
    if (state_.auth)
    {
        e.family("sekisho_sessions", "gauge", "Live telework sessions (signed-in user on a device).")
            .sample(
                "sekisho_sessions",
                static_cast<double>(state_.auth->store().session_count(state_.auth->options().session, now)));
        if (const auto h = state_.auth->store().health(); h.shared)
        {
            e.family("sekisho_store_up", "gauge", "1 while the shared session store answers.")
                .sample("sekisho_store_up", h.reachable ? 1 : 0, {{"store", h.kind}});
            e.family(
                 "sekisho_store_fallback",
                 "gauge",
                 "1 while sign-ins are decided from this instance's memory (on_unavailable: local_fallback).")
                .sample("sekisho_store_fallback", h.fallback ? 1 : 0, {{"store", h.kind}});
            e.family("sekisho_store_errors_total",
                     "counter",
                     "Store commands that failed: timeouts, lost connections, error replies.")
                .sample("sekisho_store_errors_total", static_cast<double>(h.errors), {{"store", h.kind}});
            e.family("sekisho_store_reconnects_total", "counter", "Connections made to the store's primary.")
                .sample(
                    "sekisho_store_reconnects_total", static_cast<double>(h.reconnects), {{"store", h.kind}});
            e.family("sekisho_store_round_trips_total",
                     "counter",
                     "Commands sent to the store and answered or failed.")
                .sample("sekisho_store_round_trips_total",
                        static_cast<double>(h.round_trips),
                        {{"store", h.kind}});
        }
    }
    e.family("sekisho_policy_loaded_timestamp_seconds", "gauge", "When the policy in force was loaded.")
        .sample("sekisho_policy_loaded_timestamp_seconds", seconds_of(policy_loaded_at_));
    e.family("sekisho_reloads_total", "counter", "Reloads (SIGHUP or admin), by result.")
        .sample("sekisho_reloads_total", static_cast<double>(reloads_ok_), {{"result", "ok"}})
        .sample("sekisho_reloads_total", static_cast<double>(reloads_rejected_), {{"result", "rejected"}});
    if (last_reload_)
    {
        e.family("sekisho_reload_last_result",
                 "gauge",
                 "1 if the last reload was accepted, 0 if a file was rejected.")
            .sample("sekisho_reload_last_result",
                    last_reload_->policy_ok && last_reload_->secrets_ok ? 1 : 0);
    }
    if (last_reload_ok_)
    {
        e.family("sekisho_reload_last_success_timestamp_seconds", "gauge", "When a reload last succeeded.")
            .sample("sekisho_reload_last_success_timestamp_seconds", seconds_of(*last_reload_ok_));
    }
    if (state_.audit)
    {
        audit(e, *state_.audit, state_.audit_forward.get());
    }
    expiry(e, state_, sys_clock::to_time_t(now));
    return e.take();
}

} // namespace sekisho::app
