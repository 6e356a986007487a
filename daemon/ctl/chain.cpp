#include "daemon/ctl/chain.hpp"

#include "daemon/ctl/common.hpp"

#include <algorithm>

namespace sekisho::ctl {

namespace {

template <typename Entry>
std::string reference_to(const std::vector<std::string>& refs, const Entry& e)
{
    for (const auto& ref : refs)
    {
        if (ref == e.id)
        {
            return ref;
        }
        if (ref.rfind("tag:", 0) == 0 &&
            std::find(e.tags.begin(), e.tags.end(), std::string_view(ref).substr(4)) != e.tags.end())
        {
            return ref;
        }
    }
    return {};
}

bool is_role_reason(policy::reason r)
{
    using policy::reason;
    return r == reason::not_granted || r == reason::data_class || r == reason::outside_hours ||
           r == reason::posture_stale || r == reason::mfa_required || r == reason::liu_category;
}

// The role's conditions in decide()'s order: data class, ISMAP-LIU category,
// MFA, hours, posture.
// Returns the first that fails, or allowed.
policy::reason check_conditions(const policy::snapshot& snap,
                                const policy::role& ro,
                                const decision_trace& t,
                                role_trace& out)
{
    using policy::reason;
    if (t.service != nullptr)
    {
        const auto svc_class = std::string(policy::to_string(t.service->max_class));
        const auto role_class = std::string(policy::to_string(ro.max_class));
        const bool ok = t.service->max_class <= ro.max_class;
        out.steps.push_back(
            {"data_class",
             ok,
             ok ? "data class: the service carries " + svc_class + ", the role reaches up to " + role_class
                : "data class: the service carries " + svc_class + ", above the role's " + role_class});
        if (!ok)
        {
            return reason::data_class;
        }
        if (const auto& cert = t.service->catalog.cert;
            cert && cert->scheme == policy::cert_scheme::ismap_liu)
        {
            const bool covered = policy::liu_covers(*t.service, ro) ||
                                 snap.waiver(t.service->id, "liu_category", t.at) != nullptr;
            out.steps.push_back(
                {"liu_category",
                 covered,
                 covered ? "ISMAP-LIU: the role's business is a category the service was assessed for"
                         : "ISMAP-LIU: none of the role's business categories (" +
                               (ro.business.empty() ? std::string("none") : join(ro.business, ", ")) +
                               ") was assessed for the service"});
            if (!covered)
            {
                return reason::liu_category;
            }
        }
    }
    if (ro.mfa)
    {
        out.steps.push_back({"mfa",
                             t.req.mfa,
                             t.req.mfa ? "mfa: required; the session has a second factor"
                                       : "mfa: required; the session has no second factor"});
        if (!t.req.mfa)
        {
            return reason::mfa_required;
        }
    }
    else
    {
        out.steps.push_back({"mfa", true, "mfa: not required (one factor is enough)"});
    }
    const bool within = policy::within_hours(ro.hours, t.at);
    out.steps.push_back({"hours",
                         within,
                         ro.hours.empty() ? "hours: any time"
                                          : "hours: " + hours_text(ro.hours) + ": " + tokyo_time(t.at) +
                                                (within ? " is within" : " is outside")});
    if (!within)
    {
        return reason::outside_hours;
    }
    if (!ro.posture_max_age)
    {
        out.steps.push_back({"posture", true, "posture: not checked by this role"});
        return reason::allowed;
    }
    const auto limit = "posture: a report no older than " + duration_text(*ro.posture_max_age);
    const policy::device* dv = snap.find_device(t.req.device);
    if (dv == nullptr || !dv->posture_verified)
    {
        out.steps.push_back({"posture", false, limit + "; the device has never passed a posture check"});
        return reason::posture_stale;
    }
    const auto age = std::chrono::duration_cast<std::chrono::seconds>(t.at - *dv->posture_verified);
    const bool fresh = age <= *ro.posture_max_age;
    out.steps.push_back({"posture",
                         fresh,
                         limit + "; the device passed one on " + tokyo_time(*dv->posture_verified) + ", " +
                             duration_text(age) + " before" + (fresh ? "" : ": too old")});
    return fresh ? reason::allowed : reason::posture_stale;
}

role_trace trace_role(const policy::snapshot& snap, std::size_t index, const decision_trace& t)
{
    const auto& ro = snap.document().roles[index];
    role_trace out;
    out.role = &ro;
    const auto l = t.req.listener_layer;
    const auto layer_name = std::string(policy::to_string(l));
    if (!on_layer(ro, l))
    {
        out.steps.push_back(
            {"layer", false, "layer: not the " + layer_name + " layer (" + layers_text(ro) + ")"});
        return out;
    }
    out.steps.push_back({"layer", true, "layer: may use the " + layer_name + " layer"});
    const bool granted =
        t.service != nullptr ? snap.grants(index, *t.service) : snap.grants(index, *t.endpoint);
    const auto what = t.service != nullptr ? "service " + t.service->id : "screen_transfer " + t.endpoint->id;
    const auto by = t.service != nullptr ? granted_by(ro, *t.service) : granted_by(ro, *t.endpoint);
    out.steps.push_back(
        {"grant",
         granted,
         "grant: " + what +
             (granted ? " is granted" + (by.empty() ? "" : " (" + by + ")") : " is not granted")});
    if (!granted)
    {
        return out;
    }
    out.outcome = check_conditions(snap, ro, t, out);
    return out;
}

} // namespace

std::string granted_by(const policy::role& r, const policy::cloud_service& svc)
{
    return reference_to(r.services, svc);
}

std::string granted_by(const policy::role& r, const policy::screen_transfer_endpoint& ep)
{
    return reference_to(r.screen_transfer, ep);
}

std::string report_text(const policy::decision& d)
{
    return "allowed, but role " + d.role_id + " would deny: " + std::string(policy::to_string(d.would_deny));
}

decision_trace trace(const policy::snapshot& snap,
                     const policy::request& req,
                     policy::clock::time_point at,
                     std::span<const policy::ip_address> addresses)
{
    decision_trace t;
    t.req = req;
    t.at = at;
    t.by_name = policy::decide(snap, req, at);
    t.decision = policy::decide_resolved(snap, req, at, addresses);
    t.user = req.user.empty() ? nullptr : snap.find_user(req.user);
    t.device = req.device.empty() ? nullptr : snap.find_device(req.device);
    const bool by_address = req.dest.type == policy::target::kind::ip;
    t.dest_zone =
        by_address ? snap.classify(req.dest.address) : snap.classify(std::string_view(req.dest.host));
    if (t.dest_zone == policy::zone::lgwan)
    {
        t.endpoint = snap.find_screen_transfer(req.dest.host);
    }
    else if (t.dest_zone == policy::zone::internet && !by_address)
    {
        t.service = snap.find_service(req.dest.host);
    }
    for (const auto& a : addresses)
    {
        t.addresses.emplace_back(a, snap.classify(a));
    }
    t.roles_consulted = t.user != nullptr && (t.service != nullptr || t.endpoint != nullptr) &&
                        (t.by_name.allowed() || is_role_reason(t.by_name.why));
    if (t.roles_consulted)
    {
        for (auto index : snap.roles_of(*t.user))
        {
            t.roles.push_back(trace_role(snap, index, t));
        }
    }
    return t;
}

} // namespace sekisho::ctl
