#include "daemon/audit/events.hpp"

#include "daemon/audit/json_text.hpp"

namespace sekisho::audit {

std::string decision_fields(const log::tunnel_record& r, std::string_view decision, std::string_view reason)
{
    json_text o;
    o.num("tunnel", r.id).str("decision", decision).str("peer", r.peer);
    if (!r.via.empty())
    {
        o.str("via", r.via);
    }
    o.str("listener", r.listener)
        .str("layer", r.layer)
        .str_or_null("device", r.device)
        .str("device_fingerprint", r.device_fingerprint)
        .str("device_serial", r.device_serial)
        .str("device_subject", r.device_subject);
    if (r.tls_resumed)
    {
        o.boolean("tls_resumed", true);
    }
    o.str_or_null("user", r.user)
        .str_or_null("department", r.department)
        .str_or_null("role", r.role)
        .str_or_null("session", r.session)
        .str("target", r.target)
        .str("zone", r.zone)
        .str("service", r.service)
        .str_or_null("data_class", r.data_class)
        .str("rule", r.rule)
        .str("reason", reason)
        .num("status", static_cast<std::uint64_t>(r.status))
        .list("resolved", r.resolved);
    if (!r.would_deny.empty())
    {
        o.str("would_deny", r.would_deny);
    }
    if (!r.exception.empty())
    {
        o.str("exception", r.exception);
    }
    o.str("policy", r.policy_hash);
    if (!r.detail.empty())
    {
        o.str("detail", r.detail);
    }
    return std::move(o).finish();
}

std::string closed_fields(const log::tunnel_record& r)
{
    json_text o;
    o.num("tunnel", r.id)
        .str_or_null("session", r.session)
        .str_or_null("user", r.user)
        .str_or_null("department", r.department)
        .str_or_null("device", r.device)
        .str("layer", r.layer)
        .str("target", r.target)
        .str("zone", r.zone)
        .str("service", r.service)
        .str("upstream", r.upstream)
        .num("bytes_up", r.bytes_up)
        .num("bytes_down", r.bytes_down)
        .num("duration_ms", static_cast<std::int64_t>(r.duration.count()))
        .str("cause", r.end_cause);
    if (!r.reason.empty())
    {
        o.str("reason", r.reason);
    }
    if (!r.detail.empty())
    {
        o.str("detail", r.detail);
    }
    return std::move(o).finish();
}

std::string_view final_event(const log::tunnel_record& r)
{
    if (r.audited_allow)
    {
        return "tunnel_closed";
    }
    // A decision was made (policy, sign-in, limits) when a target was read
    // and a status sent; otherwise the connection failed before one.
    if (r.decision == "deny" || (!r.target.empty() && r.status != 0))
    {
        return "tunnel_denied";
    }
    return "connection_failed";
}

} // namespace sekisho::audit
