#include "decide.hpp"
#include "snapshot.hpp"

#include <algorithm>

namespace sekisho::policy {

namespace {

constexpr zone all_zones[] = {zone::mynumber, zone::lgwan, zone::internet};

std::string zone_label(zone z)
{
    return "zones." + std::string(to_string(z));
}

struct zoned_cidr
{
    cidr range;
    zone owner;
};

// Overlapping CIDRs by sort and sweep, O(n log n): CIDRs are either nested or
// disjoint, so after sorting by start (and the wider range first) each range
// overlaps something exactly when the innermost open range contains it.
void check_cidr_overlaps(const policy_document& doc, diagnostics& diags)
{
    std::vector<zoned_cidr> all;
    for (zone z : all_zones)
    {
        for (const auto& c : doc.zone_definition(z).cidrs)
        {
            all.push_back({c, z});
        }
    }
    std::sort(all.begin(), all.end(), [](const zoned_cidr& a, const zoned_cidr& b) {
        const auto& na = a.range.network();
        const auto& nb = b.range.network();
        if (na.is_v4() != nb.is_v4())
        {
            return na.is_v4();
        }
        if (na.bytes() != nb.bytes())
        {
            return na.bytes() < nb.bytes();
        }
        return a.range.prefix_len() < b.range.prefix_len();
    });
    std::vector<const zoned_cidr*> open;
    for (const auto& c : all)
    {
        while (!open.empty() && !open.back()->range.contains(c.range.network()))
        {
            open.pop_back();
        }
        if (!open.empty())
        {
            const auto& outer = *open.back();
            if (outer.owner != c.owner)
            {
                // Named in zone order (mynumber, lgwan, internet), reported at the later zone.
                const bool outer_first = outer.owner < c.owner;
                const auto& first = outer_first ? outer : c;
                const auto& second = outer_first ? c : outer;
                diags.error(doc.zone_definition(second.owner).where,
                            "zones overlap: " + first.range.to_string() + " in " + zone_label(first.owner) +
                                " and " + second.range.to_string() + " in " + zone_label(second.owner),
                            "an address must belong to exactly one layer; split the ranges");
            }
            else
            {
                diags.warning(doc.zone_definition(c.owner).where,
                              zone_label(c.owner) + ": " + outer.range.to_string() + " and " +
                                  c.range.to_string() + " overlap",
                              "list each range once");
            }
        }
        open.push_back(&c);
    }
}

void check_zone_overlaps(const policy_document& doc, diagnostics& diags)
{
    check_cidr_overlaps(doc, diags);
    std::unordered_map<std::string_view, zone> owner;
    for (zone z : all_zones)
    {
        for (const auto& d : doc.zone_definition(z).domains)
        {
            auto [it, fresh] = owner.emplace(d, z);
            if (!fresh && it->second != z)
            {
                diags.error(doc.zone_definition(z).where,
                            "domain `" + d + "` is in both " + zone_label(it->second) + " and " +
                                zone_label(z),
                            "a name must belong to exactly one layer");
            }
        }
    }
    // A name below a My Number domain must stay in the My Number zone:
    // carving a sub-domain out into another layer would open a path to it.
    for (zone z : {zone::lgwan, zone::internet})
    {
        for (const auto& d : doc.zone_definition(z).domains)
        {
            for (auto dot = d.find('.'); dot != std::string::npos; dot = d.find('.', dot + 1))
            {
                const std::string_view above = std::string_view(d).substr(dot + 1);
                if (auto it = owner.find(above); it != owner.end() && it->second == zone::mynumber)
                {
                    diags.error(doc.zone_definition(z).where,
                                "domain `" + d + "` in " + zone_label(z) +
                                    " lies inside the My Number domain `" + std::string(above) + "`",
                                "names under a My Number domain always belong to the My Number zone");
                }
            }
        }
    }
}

void check_endpoints(const snapshot& snap, const policy_document& doc, diagnostics& diags)
{
    for (const auto& ep : doc.screen_transfer)
    {
        const zone z = ep.host_ip ? snap.classify(*ep.host_ip) : snap.classify(std::string_view(ep.host));
        if (z != zone::lgwan)
        {
            diags.error(ep.where,
                        "screen_transfer `" + ep.id + "`: host `" + ep.host + "` is in the " +
                            std::string(to_string(z)) + " zone, not in zones.lgwan",
                        ep.host_ip ? "add its range to zones.lgwan.cidrs"
                                   : "add its domain to zones.lgwan.domains");
        }
    }
}

void check_services(const snapshot& snap, const policy_document& doc, diagnostics& diags)
{
    for (const auto& svc : doc.services)
    {
        for (const auto& pattern : svc.domains)
        {
            const zone z = snap.classify(std::string_view(pattern.base()));
            if (z != zone::internet)
            {
                diags.error(svc.where,
                            "service `" + svc.id + "`: `" + pattern.to_string() + "` is in the " +
                                std::string(to_string(z)) + " zone",
                            z == zone::lgwan
                                ? "the LGWAN layer is reached only through screen_transfer endpoints"
                                : "the My Number layer is never reachable");
                continue;
            }
            if (!pattern.is_wildcard())
            {
                continue;
            }
            for (zone other : {zone::mynumber, zone::lgwan})
            {
                for (const auto& d : doc.zone_definition(other).domains)
                {
                    if (name_in_domain(d, pattern.base()))
                    {
                        diags.error(svc.where,
                                    "service `" + svc.id + "`: `" + pattern.to_string() + "` covers `" + d +
                                        "` of " + zone_label(other),
                                    "list the service's own names instead of a wildcard over a zone");
                    }
                }
            }
        }
    }
}

} // namespace

zone snapshot::classify(const ip_address& addr) const
{
    const auto own = prefixes_.longest_match(addr);
    // The My Number zone wins over everything: an address the policy lists
    // there stays there, whatever it carries (found by fuzz-policy-load: a
    // NAT64 prefix zoned My Number that embeds an LGWAN address was allowed).
    if (own && static_cast<zone>(*own) == zone::mynumber)
    {
        return zone::mynumber;
    }
    // An IPv6 address that carries an IPv4 one (NAT64 64:ff9b::/96, 6to4
    // 2002::/16) reaches that IPv4 host through a translator: if the
    // embedded address lies in any zone but the internet, that zone wins,
    // whatever the IPv6 prefix is zoned as (no SSRF through a translator).
    if (auto embedded = embedded_ipv4(addr))
    {
        const zone inner = classify(*embedded);
        if (inner != zone::internet)
        {
            return inner;
        }
    }
    if (own)
    {
        return static_cast<zone>(*own);
    }
    return special_purpose(addr) ? zone::none : zone::internet;
}

zone snapshot::classify(std::string_view canonical_name) const
{
    // The name itself, then each parent at a label boundary: the first hit
    // is the longest suffix.
    std::string_view rest = canonical_name;
    for (;;)
    {
        if (auto it = suffixes_.find(rest); it != suffixes_.end())
        {
            return it->second;
        }
        const auto dot = rest.find('.');
        if (dot == std::string_view::npos)
        {
            return zone::internet;
        }
        rest.remove_prefix(dot + 1);
    }
}

bool snapshot::is_self(const ip_address& addr, std::uint16_t port) const
{
    return std::any_of(self_.begin(), self_.end(), [&](const endpoint& e) {
        if (e.port != port)
        {
            return false;
        }
        // A listener on the unspecified address answers on every local one.
        const bool any = e.address == ip_address::v4({0, 0, 0, 0}) || e.address == ip_address::v6({});
        return e.address == addr || (any && (special_purpose(addr) == std::string_view("loopback")));
    });
}

const screen_transfer_endpoint* snapshot::find_screen_transfer(std::string_view host) const
{
    auto it = endpoints_.find(host);
    return it == endpoints_.end() ? nullptr : &doc_.screen_transfer[it->second];
}

const cloud_service* snapshot::find_service(std::string_view canonical_name) const
{
    if (auto it = exact_.find(canonical_name); it != exact_.end())
    {
        return &doc_.services[it->second];
    }
    // "*.base" matches names strictly below base: try each proper parent,
    // nearest first, so the most specific wildcard wins.
    std::string_view rest = canonical_name;
    for (auto dot = rest.find('.'); dot != std::string_view::npos; dot = rest.find('.'))
    {
        rest.remove_prefix(dot + 1);
        if (auto it = wild_.find(rest); it != wild_.end())
        {
            return &doc_.services[it->second];
        }
    }
    return nullptr;
}

std::shared_ptr<const snapshot> compile(policy_document doc, const compile_inputs& inputs, diagnostics& diags)
{
    const auto errors_before = diags.error_count();
    auto snap = std::make_shared<snapshot>();
    snap->doc_ = std::move(doc);
    snap->self_ = inputs.self_endpoints;
    // Indexes are views into snap->doc_, which never changes after this.
    const auto& d = snap->doc_;
    check_zone_overlaps(d, diags);
    for (zone z : all_zones)
    {
        const auto& def = d.zone_definition(z);
        for (const auto& c : def.cidrs)
        {
            snap->prefixes_.insert(c, static_cast<std::uint8_t>(z));
        }
        for (const auto& name : def.domains)
        {
            snap->suffixes_.emplace(name, z);
        }
    }

    check_endpoints(*snap, d, diags);
    for (std::size_t i = 0; i < d.screen_transfer.size(); ++i)
    {
        const auto& ep = d.screen_transfer[i];
        if (!snap->endpoints_.emplace(ep.host, i).second)
        {
            diags.error(ep.where,
                        "screen_transfer `" + ep.id + "`: host `" + ep.host + "` is already listed",
                        "list every port of one host in a single entry");
        }
    }

    check_services(*snap, d, diags);
    for (std::size_t i = 0; i < d.services.size(); ++i)
    {
        for (const auto& pattern : d.services[i].domains)
        {
            auto& index = pattern.is_wildcard() ? snap->wild_ : snap->exact_;
            if (!index.emplace(pattern.base(), i).second)
            {
                diags.error(d.services[i].where,
                            "service `" + d.services[i].id + "`: `" + pattern.to_string() +
                                "` is listed more than once",
                            "a name belongs to one service so that every decision names one rule");
            }
        }
    }

    index_identity(*snap, inputs.now.value_or(clock::now()), diags);
    index_catalog(*snap, inputs.now.value_or(clock::now()), diags);

    // The policy's own tests gate it: they run only on a policy without
    // errors, and any failure rejects it.
    if (diags.error_count() == errors_before)
    {
        run_policy_tests(*snap, diags);
    }
    if (diags.error_count() > errors_before)
    {
        return nullptr;
    }
    return snap;
}

} // namespace sekisho::policy
