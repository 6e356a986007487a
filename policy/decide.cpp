#include "decide.hpp"

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

// Invariant 3: the LGWAN layer only through an approved screen-transfer
// endpoint, host and port.
decision decide_lgwan(const snapshot& snap, const target& dest)
{
    const auto* ep = snap.find_screen_transfer(dest.host);
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

// Invariant 4: the internet layer only as a catalogued service, host and port.
decision decide_internet(const snapshot& snap, const target& dest)
{
    const auto* svc = snap.find_service(dest.host);
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
    return allow("service:" + svc->id, zone::internet, svc->id);
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
            break;
    }
    return "no_addresses";
}

std::optional<reason> parse_reason(std::string_view text)
{
    for (auto r = static_cast<int>(reason::allowed); r <= static_cast<int>(reason::no_addresses); ++r)
    {
        if (to_string(static_cast<reason>(r)) == text)
        {
            return static_cast<reason>(r);
        }
    }
    return std::nullopt;
}

decision decide(const snapshot& snap, const request& req, clock::time_point /*now: used by expiry rules*/)
{
    const auto& dest = req.dest;
    const zone layer_zone = zone_of(req.listener_layer);
    if (dest.type == target::kind::ip)
    {
        const zone z = snap.classify(dest.address);
        // Invariant 1 comes first: it names the My Number zone in the denial.
        if (z == zone::mynumber)
        {
            return deny(reason::mynumber_zone, "invariant:mynumber", z, dest.host);
        }
        if (snap.is_self(dest.address, dest.port))
        {
            return deny(reason::self_connect, "invariant:self", z, dest.host);
        }
        if (z == zone::none)
        {
            return deny(reason::special_address, "invariant:special_address", z, dest.host);
        }
        if (z != layer_zone)
        {
            return deny(reason::layer_mismatch, "invariant:one_layer", z);
        }
        if (z == zone::lgwan)
        {
            return decide_lgwan(snap, dest);
        }
        // Services are catalogued by name; an address literal never matches
        // one (a CONNECT to a bare IP must not bypass the catalog).
        return deny(reason::ip_literal_not_allowed, "invariant:catalogued_names_only", z, dest.host);
    }

    const zone z = snap.classify(std::string_view(dest.host));
    if (z == zone::mynumber)
    {
        return deny(reason::mynumber_zone, "invariant:mynumber", z);
    }
    if (z != layer_zone)
    {
        return deny(reason::layer_mismatch, "invariant:one_layer", z);
    }
    return z == zone::lgwan ? decide_lgwan(snap, dest) : decide_internet(snap, dest);
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
        auto d = decide_resolved(snap, {t.on, t.dest}, t.at.value_or(clock::now()), t.resolves);
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
