#include "daemon/audit/events.hpp"

#include "daemon/log/text.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace sekisho::audit {

namespace {

boost::json::value text(const std::string& v)
{
    return boost::json::value(log::valid_utf8(v));
}

boost::json::value text_or_null(const std::string& v)
{
    return v.empty() ? boost::json::value(nullptr) : text(v);
}

boost::json::array address_list(const std::string& comma_separated)
{
    boost::json::array out;
    std::string_view rest = comma_separated;
    while (!rest.empty())
    {
        const auto comma = rest.find(',');
        out.emplace_back(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    return out;
}

} // namespace

boost::json::object decision_fields(const log::tunnel_record& r)
{
    boost::json::object o;
    o["tunnel"] = r.id;
    o["decision"] = r.decision;
    o["peer"] = text(r.peer);
    o["listener"] = text(r.listener);
    o["layer"] = text(r.layer);
    o["device"] = text_or_null(r.device);
    o["device_fingerprint"] = text(r.device_fingerprint);
    o["device_serial"] = text(r.device_serial);
    o["device_subject"] = text(r.device_subject);
    o["user"] = text_or_null(r.user);
    o["department"] = text_or_null(r.department);
    o["role"] = text_or_null(r.role);
    o["session"] = text_or_null(r.session);
    o["target"] = text(r.target);
    o["zone"] = text(r.zone);
    o["service"] = text(r.service);
    o["data_class"] = text_or_null(r.data_class);
    o["rule"] = text(r.rule);
    o["reason"] = text(r.reason);
    o["status"] = r.status;
    o["resolved"] = address_list(r.resolved);
    if (!r.would_deny.empty())
    {
        o["would_deny"] = text(r.would_deny);
    }
    if (!r.exception.empty())
    {
        o["exception"] = text(r.exception);
    }
    o["policy"] = r.policy_hash;
    if (!r.detail.empty())
    {
        o["detail"] = text(r.detail);
    }
    return o;
}

boost::json::object closed_fields(const log::tunnel_record& r)
{
    boost::json::object o;
    o["tunnel"] = r.id;
    o["session"] = text_or_null(r.session);
    o["user"] = text_or_null(r.user);
    o["department"] = text_or_null(r.department);
    o["device"] = text_or_null(r.device);
    o["layer"] = text(r.layer);
    o["target"] = text(r.target);
    o["zone"] = text(r.zone);
    o["service"] = text(r.service);
    o["upstream"] = text(r.upstream);
    o["bytes_up"] = r.bytes_up;
    o["bytes_down"] = r.bytes_down;
    o["duration_ms"] = r.duration.count();
    o["cause"] = text(r.end_cause);
    if (!r.reason.empty())
    {
        o["reason"] = text(r.reason);
    }
    if (!r.detail.empty())
    {
        o["detail"] = text(r.detail);
    }
    return o;
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
