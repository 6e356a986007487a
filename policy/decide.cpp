#include "decide.hpp"

#include "catalog_check.hpp"

#include <algorithm>

namespace sekisho::policy {

namespace {

decision deny(reason why, std::string rule, zone z, std::string detail = {})
{
    decision d;
    d.result = verdict::deny;
    d.why = why;
    d.rule_id = std::move(rule);
    d.dest_zone = z;
    d.detail = std::move(detail);
    return d;
}

decision allow(std::string rule, zone z, std::string id)
{
    decision d;
    d.result = verdict::allow;
    d.why = reason::allowed;
    d.rule_id = std::move(rule);
    d.dest_zone = z;
    d.service_id = std::move(id);
    return d;
}

bool has_port(const std::vector<std::uint16_t>& ports, std::uint16_t port)
{
    return std::find(ports.begin(), ports.end(), port) != ports.end();
}

// The destination entry the roles are asked about.
struct entry
{
    const cloud_service* service = nullptr;
    const screen_transfer_endpoint* endpoint = nullptr;
};

// Invariant 3: the LGWAN layer only through an approved screen-transfer
// endpoint, host and port.
decision decide_lgwan(const snapshot& snap, const target& dest, entry& found)
{
    const auto* ep = snap.find_screen_transfer(dest.host);
    found.endpoint = ep;
    if (ep == nullptr)
    {
        return deny(reason::not_screen_transfer, "invariant:lgwan_screen_transfer_only", zone::lgwan);
    }
    if (!has_port(ep->ports, dest.port))
    {
        auto d = deny(reason::port_not_allowed,
                      "screen_transfer:" + ep->id,
                      zone::lgwan,
                      "port " + std::to_string(dest.port));
        d.service_id = ep->id;
        return d;
    }
    return allow("screen_transfer:" + ep->id, zone::lgwan, ep->id);
}

// Invariant 4: the internet layer only as a catalogued service, host and
// port, whose catalog rules hold at `now` (catalog_check.hpp).
decision decide_internet(const snapshot& snap, const target& dest, clock::time_point now, entry& found)
{
    const auto* svc = snap.find_service(dest.host);
    found.service = svc;
    if (svc == nullptr)
    {
        return deny(reason::not_catalogued, "default:deny", zone::internet);
    }
    if (!has_port(svc->ports, dest.port))
    {
        return deny(reason::port_not_allowed,
                    "service:" + svc->id,
                    zone::internet,
                    "port " + std::to_string(dest.port));
    }
    auto checked = check_catalog(snap, *svc, now);
    if (checked.why != reason::allowed)
    {
        auto d = deny(checked.why, std::move(checked.rule), zone::internet, std::move(checked.detail));
        d.service_id = svc->id;
        return d;
    }
    auto d = allow("service:" + svc->id, zone::internet, svc->id);
    d.exception_id = std::move(checked.exception_id);
    d.would_deny = checked.warn;
    return d;
}

} // namespace

std::string_view to_string(reason r)
{
    switch (r)
    {
        case reason::allowed:
            return "allowed";
        case reason::mynumber_zone:
            return "mynumber_zone";
        case reason::layer_mismatch:
            return "layer_mismatch";
        case reason::not_screen_transfer:
            return "not_screen_transfer";
        case reason::not_catalogued:
            return "not_catalogued";
        case reason::port_not_allowed:
            return "port_not_allowed";
        case reason::ip_literal_not_allowed:
            return "ip_literal_not_allowed";
        case reason::special_address:
            return "special_address";
        case reason::resolved_outside_zone:
            return "resolved_outside_zone";
        case reason::self_connect:
            return "self_connect";
        case reason::no_addresses:
            return "no_addresses";
        case reason::unknown_device:
            return "unknown_device";
        case reason::device_lost:
            return "device_lost";
        case reason::device_retired:
            return "device_retired";
        case reason::device_expired:
            return "device_expired";
        case reason::byod_not_allowed:
            return "byod_not_allowed";
        case reason::unknown_user:
            return "unknown_user";
        case reason::user_expired:
            return "user_expired";
        case reason::device_not_owned:
            return "device_not_owned";
        case reason::not_granted:
            return "not_granted";
        case reason::data_class:
            return "data_class";
        case reason::outside_hours:
            return "outside_hours";
        case reason::posture_stale:
            return "posture_stale";
        case reason::mfa_required:
            return "mfa_required";
        case reason::certification_missing:
            return "certification_missing";
        case reason::certification_not_yet_valid:
            return "certification_not_yet_valid";
        case reason::certification_expired:
            return "certification_expired";
        case reason::certification_withdrawn:
            return "certification_withdrawn";
        case reason::liu_category:
            return "liu_category";
        case reason::restricted_provider:
            return "restricted_provider";
        case reason::restricted_country:
            return "restricted_country";
        case reason::residency:
            return "residency";
        case reason::review_overdue:
            return "review_overdue";
        case reason::kev_open:
            break;
    }
    return "kev_open";
}

bool catalog_reason(reason r)
{
    return r >= reason::certification_missing && r <= reason::kev_open;
}

std::optional<reason> parse_reason(std::string_view text)
{
    for (auto r = static_cast<int>(reason::allowed); r <= static_cast<int>(reason::kev_open); ++r)
    {
        if (to_string(static_cast<reason>(r)) == text)
        {
            return static_cast<reason>(r);
        }
    }
    return std::nullopt;
}

namespace {

// The device and user a request names, once they have been checked.
struct who
{
    const device* dv = nullptr;
    const user* u = nullptr;
};

// Who is asking: a device in the inventory, in use, owned by a known user.
// Fills `out` (looked up once per decision) or returns the denial.
std::optional<decision>
check_identity(const snapshot& snap, const request& req, clock::time_point now, zone z, who& out)
{
    const device* dv = req.device.empty() ? nullptr : snap.find_device(req.device);
    if (dv == nullptr)
    {
        return deny(reason::unknown_device, "identity:device", z, "certificate not in devices:");
    }
    const auto refuse = [&](reason why, std::string detail = {}) {
        return deny(why, "device:" + dv->id, z, std::move(detail));
    };
    if (dv->status == device_status::lost)
    {
        return refuse(reason::device_lost);
    }
    if (dv->status == device_status::retired)
    {
        return refuse(reason::device_retired);
    }
    if (dv->expires && *dv->expires <= now)
    {
        return refuse(reason::device_expired);
    }
    if (dv->kind == device_kind::byod && !snap.document().byod_allowed)
    {
        return refuse(reason::byod_not_allowed);
    }
    const user* u = req.user.empty() ? nullptr : snap.find_user(req.user);
    if (u == nullptr)
    {
        return deny(reason::unknown_user, "identity:user", z, req.user);
    }
    if (u->expires && *u->expires <= now)
    {
        return deny(reason::user_expired, "user:" + u->id, z);
    }
    if (dv->owner != u->id)
    {
        return refuse(reason::device_not_owned, "owner " + dv->owner);
    }
    out = {dv, u};
    return std::nullopt;
}

reason role_condition(const snapshot& snap,
                      const role& ro,
                      const request& req,
                      const device& dv,
                      const entry& e,
                      clock::time_point now)
{
    if (e.service != nullptr && e.service->max_class > ro.max_class)
    {
        return reason::data_class;
    }
    if (e.service != nullptr && !liu_covers(*e.service, ro) &&
        snap.waiver(e.service->id, "liu_category", now) == nullptr)
    {
        return reason::liu_category;
    }
    if (ro.mfa && !req.mfa)
    {
        return reason::mfa_required;
    }
    if (!within_hours(ro.hours, now))
    {
        return reason::outside_hours;
    }
    if (ro.posture_max_age && (!dv.posture_verified || now - *dv.posture_verified > *ro.posture_max_age))
    {
        return reason::posture_stale;
    }
    return reason::allowed;
}

// The user's roles: the first role that grants the entry on this layer and
// whose conditions hold allows. Otherwise deny with the first failure, or
// allow and record it when that role only reports.
decision apply_roles(const snapshot& snap,
                     const request& req,
                     const who& asking,
                     const entry& e,
                     decision by_entry,
                     clock::time_point now)
{
    const auto& doc = snap.document();
    const user& u = *asking.u;
    const role* failed = nullptr;
    reason failure = reason::not_granted;
    const role* reporting = nullptr; // a report-mode role on this layer, for not_granted
    for (auto index : snap.roles_of(u))
    {
        const auto& ro = doc.roles[index];
        const bool on_layer = req.listener_layer == layer::lgwan ? ro.lgwan : ro.internet;
        if (!on_layer)
        {
            continue;
        }
        if (ro.mode == enforcement::report && reporting == nullptr)
        {
            reporting = &ro;
        }
        const bool granted =
            e.service != nullptr ? snap.grants(index, *e.service) : snap.grants(index, *e.endpoint);
        if (!granted)
        {
            continue;
        }
        const reason why = role_condition(snap, ro, req, *asking.dv, e, now);
        if (why == reason::allowed)
        {
            by_entry.role_id = ro.id;
            if (e.service != nullptr && !liu_covers(*e.service, ro) && by_entry.exception_id.empty())
            {
                // Allowed only because an exception waives liu_category: name it.
                by_entry.exception_id = snap.waiver(e.service->id, "liu_category", now)->id;
            }
            return by_entry;
        }
        if (failed == nullptr)
        {
            failed = &ro;
            failure = why;
        }
    }
    const role* accountable = failed != nullptr ? failed : reporting;
    if (failed == nullptr && reporting != nullptr)
    {
        // A report-mode role that does not grant the entry yet is asked as if
        // it did: its own conditions that are never report-only (data class,
        // MFA) still deny.
        if (const reason why = role_condition(snap, *reporting, req, *asking.dv, e, now);
            why != reason::allowed && !reportable(why))
        {
            failed = reporting;
            failure = why;
        }
    }
    if (accountable != nullptr && accountable->mode == enforcement::report && reportable(failure))
    {
        by_entry.role_id = accountable->id;
        by_entry.would_deny = failure;
        return by_entry;
    }
    auto d = deny(failure, failed != nullptr ? "role:" + failed->id : "default:deny", by_entry.dest_zone);
    d.service_id = by_entry.service_id;
    d.service = by_entry.service;
    d.role_id = failed != nullptr ? failed->id : std::string();
    if (failure == reason::not_granted)
    {
        d.detail = "no role of " + u.id + " grants " + by_entry.rule_id + " on the " +
                   std::string(to_string(req.listener_layer)) + " layer";
    }
    else if (failure == reason::outside_hours)
    {
        for (const auto& w : failed->hours)
        {
            d.detail += (d.detail.empty() ? "" : "; ") + describe(w);
        }
    }
    return d;
}

} // namespace

bool reportable(reason r)
{
    // Not data_class: reaching data above a role's class is the harm itself,
    // not a roll-out detail. Not mfa_required: two factors are a rule of
    // telework (DOMAIN.md §7 rule 4).
    return r == reason::not_granted || r == reason::outside_hours || r == reason::posture_stale;
}

reason session_standing(
    const snapshot& snap, std::string_view user, std::string_view device, layer on, clock::time_point now)
{
    request req;
    req.listener_layer = on;
    req.user = std::string(user);
    req.device = std::string(device);
    who asking;
    if (auto refused = check_identity(snap, req, now, zone_of(on), asking))
    {
        return refused->why;
    }
    reason why = reason::not_granted;
    for (auto index : snap.roles_of(*asking.u))
    {
        const auto& ro = snap.document().roles[index];
        if (!(on == layer::lgwan ? ro.lgwan : ro.internet))
        {
            continue;
        }
        if (ro.mode == enforcement::report || within_hours(ro.hours, now))
        {
            return reason::allowed;
        }
        why = reason::outside_hours;
    }
    return why;
}

decision decide(const snapshot& snap, const request& req, clock::time_point now)
{
    const auto& dest = req.dest;
    const zone layer_zone = zone_of(req.listener_layer);
    const bool by_address = dest.type == target::kind::ip;
    const zone z = by_address ? snap.classify(dest.address) : snap.classify(std::string_view(dest.host));
    // Invariant 1 comes first, before anything about who asks: it names the
    // My Number zone in the denial.
    if (z == zone::mynumber)
    {
        return deny(reason::mynumber_zone, "invariant:mynumber", z, by_address ? dest.host : std::string());
    }
    if (by_address && snap.is_self(dest.address, dest.port))
    {
        return deny(reason::self_connect, "invariant:self", z, dest.host);
    }
    if (by_address && z == zone::none)
    {
        return deny(reason::special_address, "invariant:special_address", z, dest.host);
    }
    who asking;
    if (auto refused = check_identity(snap, req, now, z, asking))
    {
        return *refused;
    }

    decision by_entry;
    entry found;
    if (z != layer_zone)
    {
        // α' local breakout: from the LGWAN listener to a catalogued
        // service marked local_breakout, and to nothing else.
        const cloud_service* svc = by_address ? nullptr : snap.find_service(dest.host);
        const bool breakout = snap.document().model == network_model::alpha_prime &&
                              req.listener_layer == layer::lgwan && z == zone::internet && svc != nullptr &&
                              svc->local_breakout;
        if (!breakout)
        {
            return deny(reason::layer_mismatch, "invariant:one_layer", z);
        }
        by_entry = decide_internet(snap, dest, now, found);
    }
    else if (z == zone::lgwan)
    {
        by_entry = decide_lgwan(snap, dest, found);
    }
    else if (by_address)
    {
        // Services are catalogued by name; an address literal never matches
        // one (a CONNECT to a bare IP must not bypass the catalog).
        return deny(reason::ip_literal_not_allowed, "invariant:catalogued_names_only", z, dest.host);
    }
    else
    {
        by_entry = decide_internet(snap, dest, now, found);
    }
    by_entry.service = found.service;
    if (!by_entry.allowed())
    {
        return by_entry;
    }
    return apply_roles(snap, req, asking, found, std::move(by_entry), now);
}

decision vet_resolved(const snapshot& snap,
                      const request& req,
                      const decision& by_name,
                      std::span<const ip_address> addresses)
{
    if (!by_name.allowed())
    {
        return by_name;
    }
    // The denial still names the service or endpoint the name matched.
    auto denied = [&](reason why, const char* rule, zone z, std::string detail) {
        auto d = deny(why, rule, z, std::move(detail));
        d.service_id = by_name.service_id;
        d.service = by_name.service;
        return d;
    };
    if (addresses.empty())
    {
        return denied(reason::no_addresses, "invariant:resolved_zone", by_name.dest_zone, {});
    }
    for (const auto& addr : addresses)
    {
        const zone z = snap.classify(addr);
        if (z == zone::mynumber)
        {
            return denied(reason::mynumber_zone, "invariant:mynumber", z, addr.to_string());
        }
        if (snap.is_self(addr, req.dest.port))
        {
            return denied(reason::self_connect, "invariant:self", z, addr.to_string());
        }
        if (z != by_name.dest_zone)
        {
            return denied(reason::resolved_outside_zone,
                          "invariant:resolved_zone",
                          z,
                          addr.to_string() + " is in zone " + std::string(to_string(z)));
        }
    }
    return by_name;
}

} // namespace sekisho::policy

namespace sekisho::policy {

decision decide_resolved(const snapshot& snap,
                         const request& req,
                         clock::time_point now,
                         std::span<const ip_address> addresses)
{
    auto d = decide(snap, req, now);
    if (d.allowed() && req.dest.type == target::kind::name && !addresses.empty())
    {
        d = vet_resolved(snap, req, d, addresses);
    }
    return d;
}

std::vector<test_result> evaluate_policy_tests(const snapshot& snap, const std::vector<policy_test>& tests)
{
    std::vector<test_result> out;
    for (const auto& t : tests)
    {
        const request req{t.on, t.dest, t.user, t.device, t.mfa};
        auto d = decide_resolved(snap, req, t.at.value_or(clock::now()), t.resolves);
        const bool verdict_ok = d.allowed() == t.expect_allow;
        const bool reason_ok = t.reason.empty() || to_string(d.why) == t.reason;
        const bool rule_ok = t.rule.empty() || d.rule_id == t.rule;
        out.push_back({&t, std::move(d), verdict_ok && reason_ok && rule_ok});
    }
    return out;
}

std::size_t run_policy_tests(const snapshot& snap, diagnostics& diags)
{
    std::size_t passed = 0;
    for (const auto& r : evaluate_policy_tests(snap, snap.document().tests))
    {
        if (r.passed)
        {
            ++passed;
            continue;
        }
        const auto& t = *r.test;
        const auto& d = r.got;
        std::string want = t.expect_allow ? "allow" : "deny";
        if (!t.reason.empty())
        {
            want += " (" + t.reason + ")";
        }
        if (!t.rule.empty())
        {
            want += " by " + t.rule;
        }
        diags.error(t.where,
                    "policy test `" + t.name + "` failed: expected " + want + ", got " +
                        (d.allowed() ? "allow" : "deny") + " (" + std::string(to_string(d.why)) + ") by " +
                        d.rule_id,
                    "fix the policy, or the test if the policy is right");
    }
    return passed;
}

} // namespace sekisho::policy
