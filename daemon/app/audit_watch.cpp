#include "daemon/app/audit_watch.hpp"

#include "daemon/log/text.hpp"

#include <boost/json/object.hpp>

namespace sekisho::app {

void audit_session_closed(runtime::shared_state& state,
                          const policy::snapshot& snap,
                          const auth::session_info& s,
                          std::string_view cause,
                          auth::clock::time_point now)
{
    boost::json::object f;
    f["session"] = s.id;
    f["user"] = s.user;
    const auto* u = snap.find_user(s.user);
    f["department"] = u != nullptr ? boost::json::value(u->department) : boost::json::value(nullptr);
    f["device"] = s.device;
    f["layer"] = std::string(policy::to_string(s.on));
    f["cause"] = cause;
    f["started"] = log::rfc3339_ms(s.started);
    f["duration_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(now - s.started).count();
    state.audit_event("session_closed", f);
}

void audit_watch::tick(const policy::snapshot& snap, auth::clock::time_point now)
{
    if (!state_.audit)
    {
        return;
    }
    sessions(snap, now);
    catalog(snap, now);
    first_ = false;
}

void audit_watch::sessions(const policy::snapshot& snap, auth::clock::time_point now)
{
    if (!state_.auth)
    {
        return;
    }
    const auto& limits = state_.auth->options().session;
    // An unreachable shared store lists nothing: that ends no session.
    if (const auto h = state_.auth->store().health(); !h.reachable && !h.fallback)
    {
        return;
    }
    std::map<std::string, auth::session_info, std::less<>> current;
    for (auto& s : state_.auth->store().sessions(limits, now))
    {
        // With a shared store, the instance that opened a session records
        // its end by time (once, not once per instance).
        if (s.opened_here)
        {
            current.emplace(s.id, std::move(s));
        }
    }
    // Gone since the last look and past their idle or maximum time: ended by
    // time. (Sessions ended on purpose record themselves with their cause.)
    for (const auto& [id, s] : known_sessions_)
    {
        if (current.count(id) != 0)
        {
            continue;
        }
        const bool idle = s.open_tunnels == 0 && now >= s.last_used + limits.idle;
        const bool too_long = now >= s.started + limits.max;
        if (idle || too_long)
        {
            audit_session_closed(state_, snap, s, too_long ? "max_duration" : "idle", now);
        }
    }
    known_sessions_ = std::move(current);
}

void audit_watch::catalog(const policy::snapshot& snap, auth::clock::time_point now)
{
    std::map<std::string, bool, std::less<>> seen;
    for (const auto& svc : snap.document().services)
    {
        if (!svc.catalog.cert)
        {
            continue;
        }
        const auto& c = *svc.catalog.cert;
        // As decide() sees it: a renewal applied for before expiry keeps
        // the registration valid (catalog_check.cpp).
        const bool expired =
            (now >= c.valid_until && !c.renewal_pending) || (c.withdrawn && now >= *c.withdrawn);
        const auto before = expired_.find(svc.id);
        if (!first_ && expired && before != expired_.end() && !before->second)
        {
            boost::json::object f;
            f["service"] = svc.id;
            f["certification"] = std::string(policy::to_string(c.scheme));
            f["number"] = c.number;
            f["valid_until"] = log::rfc3339_ms(c.valid_until);
            f["withdrawn"] = c.withdrawn.has_value() && now >= *c.withdrawn;
            f["policy"] = snap.hash();
            state_.audit_event("catalog_expired", f);
        }
        seen.emplace(svc.id, expired);
    }
    expired_ = std::move(seen);
}

} // namespace sekisho::app
