#include "daemon/ctl/matrix.hpp"

#include "daemon/ctl/chain.hpp"
#include "daemon/ctl/common.hpp"

#include <algorithm>

namespace sekisho::ctl {

namespace {

matrix_entry service_entry(const policy::snapshot& snap,
                           std::size_t role_index,
                           const policy::cloud_service& svc,
                           bool breakout)
{
    const auto& ro = snap.document().roles[role_index];
    matrix_entry e;
    e.service = &svc;
    e.breakout = breakout;
    const bool granted = snap.grants(role_index, svc);
    e.granted_by = granted ? granted_by(ro, svc) : std::string();
    e.result = svc.max_class > ro.max_class ? access::data_class
               : granted                    ? access::reaches
                                            : access::not_granted;
    return e;
}

matrix_layer layer_of(const policy::snapshot& snap, std::size_t role_index, policy::layer l)
{
    const auto& doc = snap.document();
    const auto& ro = doc.roles[role_index];
    matrix_layer out;
    out.on = l;
    if (l == policy::layer::lgwan)
    {
        for (const auto& ep : doc.screen_transfer)
        {
            matrix_entry e;
            e.endpoint = &ep;
            const bool granted = snap.grants(role_index, ep);
            e.granted_by = granted ? granted_by(ro, ep) : std::string();
            e.result = granted ? access::reaches : access::not_granted;
            out.entries.push_back(std::move(e));
        }
        // α': catalogued services marked local_breakout, from the LGWAN listener.
        if (doc.model == policy::network_model::alpha_prime)
        {
            for (const auto& svc : doc.services)
            {
                if (svc.local_breakout)
                {
                    out.entries.push_back(service_entry(snap, role_index, svc, true));
                }
            }
        }
    }
    else
    {
        for (const auto& svc : doc.services)
        {
            out.entries.push_back(service_entry(snap, role_index, svc, false));
        }
    }
    std::stable_sort(out.entries.begin(), out.entries.end(), [](const auto& a, const auto& b) {
        return a.result < b.result;
    });
    return out;
}

} // namespace

std::string_view to_string(access a)
{
    switch (a)
    {
        case access::reaches:
            return "reaches";
        case access::data_class:
            return "data_class";
        case access::not_granted:
            break;
    }
    return "not_granted";
}

std::string access_label(const policy::role& r, const matrix_entry& e)
{
    const bool report = r.mode == policy::enforcement::report;
    switch (e.result)
    {
        case access::reaches:
            return e.breakout ? "reaches (local breakout)" : "reaches";
        case access::data_class:
            return report ? "report only: data class" : "denied: data class";
        case access::not_granted:
            break;
    }
    return report ? "report only: not granted" : "not granted";
}

std::string matrix_entry::name() const
{
    return service != nullptr ? service->name : endpoint->description;
}

std::string matrix_entry::hosts() const
{
    if (service == nullptr)
    {
        return endpoint->host;
    }
    std::vector<std::string> parts;
    for (const auto& d : service->domains)
    {
        parts.push_back(d.to_string());
    }
    return join(parts, ", ");
}

std::string matrix_entry::ports() const
{
    std::vector<std::string> parts;
    for (auto p : service != nullptr ? service->ports : endpoint->ports)
    {
        parts.push_back(std::to_string(p));
    }
    return join(parts, ", ");
}

std::string matrix_entry::data_class() const
{
    return service != nullptr ? std::string(policy::to_string(service->max_class)) : std::string();
}

policy_matrix build_matrix(const policy::snapshot& snap, policy::clock::time_point now)
{
    const auto& doc = snap.document();
    // Holders per role in one pass over the users.
    std::vector<std::size_t> holders(doc.roles.size(), 0);
    std::vector<std::size_t> expired(doc.roles.size(), 0);
    for (const auto& u : doc.users)
    {
        for (auto index : snap.roles_of(u))
        {
            ++holders[index];
            expired[index] += u.expires && *u.expires <= now ? 1U : 0U;
        }
    }
    policy_matrix m;
    for (std::size_t i = 0; i < doc.roles.size(); ++i)
    {
        matrix_role r;
        r.role = &doc.roles[i];
        r.users = holders[i];
        r.users_expired = expired[i];
        for (auto l : {policy::layer::lgwan, policy::layer::internet})
        {
            if (on_layer(*r.role, l))
            {
                r.layers.push_back(layer_of(snap, i, l));
            }
        }
        m.roles.push_back(std::move(r));
    }
    return m;
}

std::string mode_text(const policy::role& r)
{
    return r.mode == policy::enforcement::enforce
               ? "enforce"
               : "report: what it would deny (not granted, data class, hours, posture) is allowed and "
                 "recorded; MFA is still enforced";
}

std::string mfa_text(const policy::role& r)
{
    return r.mfa ? "required" : "not required (one factor)";
}

std::string posture_text(const policy::role& r)
{
    return r.posture_max_age ? "a report no older than " + duration_text(*r.posture_max_age) : "not checked";
}

std::string limits_text(const policy::role& r)
{
    std::vector<std::string> parts;
    if (r.tunnels_per_user > 0)
    {
        parts.push_back(std::to_string(r.tunnels_per_user) + " tunnels per user");
    }
    if (r.sessions_per_user > 0)
    {
        parts.push_back(std::to_string(r.sessions_per_user) + " sessions per user");
    }
    return parts.empty() ? std::string("none") : join(parts, ", ");
}

} // namespace sekisho::ctl
