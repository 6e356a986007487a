#include "snapshot.hpp"

#include <algorithm>

namespace sekisho::policy {

namespace {

constexpr zone all_zones[] = {zone::mynumber, zone::lgwan, zone::internet};

std::string zone_label(zone z)
{
    return "zones." + std::string(to_string(z));
}

void check_zone_overlaps(const policy_document& doc, diagnostics& diags)
{
    for (std::size_t a = 0; a < 3; ++a)
    {
        const auto& za = doc.zone_definition(all_zones[a]);
        for (std::size_t i = 0; i < za.cidrs.size(); ++i)
        {
            for (std::size_t j = i + 1; j < za.cidrs.size(); ++j)
            {
                if (za.cidrs[i].overlaps(za.cidrs[j]))
                {
                    diags.warning(za.where,
                                  zone_label(all_zones[a]) + ": " + za.cidrs[i].to_string() + " and " +
                                      za.cidrs[j].to_string() + " overlap",
                                  "list each range once");
                }
            }
        }
        for (std::size_t b = a + 1; b < 3; ++b)
        {
            const auto& zb = doc.zone_definition(all_zones[b]);
            for (const auto& ca : za.cidrs)
            {
                for (const auto& cb : zb.cidrs)
                {
                    if (ca.overlaps(cb))
                    {
                        diags.error(zb.where,
                                    "zones overlap: " + ca.to_string() + " in " + zone_label(all_zones[a]) +
                                        " and " + cb.to_string() + " in " + zone_label(all_zones[b]),
                                    "an address must belong to exactly one layer; split the ranges");
                    }
                }
            }
            for (const auto& da : za.domains)
            {
                for (const auto& db : zb.domains)
                {
                    if (da == db)
                    {
                        diags.error(zb.where,
                                    "domain `" + da + "` is in both " + zone_label(all_zones[a]) + " and " +
                                        zone_label(all_zones[b]),
                                    "a name must belong to exactly one layer");
                    }
                }
            }
        }
    }
    // A name below a My Number domain must stay in the My Number zone:
    // carving a sub-domain out into another layer would open a path to it.
    for (const auto& m : doc.mynumber.domains)
    {
        for (zone z : {zone::lgwan, zone::internet})
        {
            for (const auto& d : doc.zone_definition(z).domains)
            {
                if (d != m && name_in_domain(d, m))
                {
                    diags.error(doc.zone_definition(z).where,
                                "domain `" + d + "` in " + zone_label(z) +
                                    " lies inside the My Number domain `" + m + "`",
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
    for (const auto& p : prefixes_)
    {
        if (p.prefix.contains(addr))
        {
            return p.owner;
        }
    }
    return special_purpose(addr) ? zone::none : zone::internet;
}

zone snapshot::classify(std::string_view canonical_name) const
{
    for (const auto& s : suffixes_)
    {
        if (name_in_domain(canonical_name, s.suffix))
        {
            return s.owner;
        }
    }
    return zone::internet;
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
    auto it = endpoints_.find(std::string(host));
    return it == endpoints_.end() ? nullptr : &doc_.screen_transfer[it->second];
}

const cloud_service* snapshot::find_service(std::string_view canonical_name) const
{
    if (auto it = exact_.find(std::string(canonical_name)); it != exact_.end())
    {
        return &doc_.services[it->second];
    }
    for (const auto& [base, index] : wild_)
    {
        if (canonical_name.size() > base.size() && name_in_domain(canonical_name, base))
        {
            return &doc_.services[index];
        }
    }
    return nullptr;
}

std::shared_ptr<const snapshot>
compile(const policy_document& doc, const compile_inputs& inputs, diagnostics& diags)
{
    const auto errors_before = diags.error_count();
    auto snap = std::make_shared<snapshot>();
    snap->doc_ = doc;
    snap->self_ = inputs.self_endpoints;

    check_zone_overlaps(doc, diags);
    for (zone z : all_zones)
    {
        const auto& def = doc.zone_definition(z);
        for (const auto& c : def.cidrs)
        {
            snap->prefixes_.push_back({c, z});
        }
        for (const auto& d : def.domains)
        {
            snap->suffixes_.push_back({d, z});
        }
    }
    std::stable_sort(snap->prefixes_.begin(), snap->prefixes_.end(), [](const auto& a, const auto& b) {
        return a.prefix.prefix_len() > b.prefix.prefix_len();
    });
    std::stable_sort(snap->suffixes_.begin(), snap->suffixes_.end(), [](const auto& a, const auto& b) {
        return a.suffix.size() > b.suffix.size();
    });

    check_endpoints(*snap, doc, diags);
    for (std::size_t i = 0; i < doc.screen_transfer.size(); ++i)
    {
        const auto& ep = doc.screen_transfer[i];
        if (!snap->endpoints_.emplace(ep.host, i).second)
        {
            diags.error(ep.where,
                        "screen_transfer `" + ep.id + "`: host `" + ep.host + "` is already listed",
                        "list every port of one host in a single entry");
        }
    }

    check_services(*snap, doc, diags);
    for (std::size_t i = 0; i < doc.services.size(); ++i)
    {
        for (const auto& pattern : doc.services[i].domains)
        {
            bool fresh = true;
            if (pattern.is_wildcard())
            {
                for (const auto& [base, index] : snap->wild_)
                {
                    fresh = fresh && base != pattern.base();
                }
                if (fresh)
                {
                    snap->wild_.emplace_back(pattern.base(), i);
                }
            }
            else
            {
                fresh = snap->exact_.emplace(pattern.base(), i).second;
            }
            if (!fresh)
            {
                diags.error(doc.services[i].where,
                            "service `" + doc.services[i].id + "`: `" + pattern.to_string() +
                                "` is listed more than once",
                            "a name belongs to one service so that every decision names one rule");
            }
        }
    }
    std::stable_sort(snap->wild_.begin(), snap->wild_.end(), [](const auto& a, const auto& b) {
        return a.first.size() > b.first.size();
    });

    if (diags.error_count() > errors_before)
    {
        return nullptr;
    }
    return snap;
}

} // namespace sekisho::policy
