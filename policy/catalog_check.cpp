#include "catalog_check.hpp"

#include "compile_text.hpp"

#include <algorithm>

namespace sekisho::policy {

namespace {

bool contains(const std::vector<std::string>& list, std::string_view item)
{
    return !item.empty() && std::find(list.begin(), list.end(), item) != list.end();
}

// The first country of the service's supply chain on the restricted list,
// described ("provider country XX", "subprocessor NAME in XX").
std::string restricted_country_of(const service_catalog& c, const std::vector<std::string>& restricted)
{
    if (contains(restricted, c.provider.country))
    {
        return "provider " + c.provider.name + " in " + c.provider.country;
    }
    if (contains(restricted, c.provider.parent_country))
    {
        return "provider " + c.provider.name + "'s parent in " + c.provider.parent_country;
    }
    for (const auto& s : c.subprocessors)
    {
        if (contains(restricted, s.country))
        {
            return "subprocessor " + s.name + " in " + s.country;
        }
    }
    return {};
}

// Why the service's data may not stay where it is under `rule`, or "".
std::string residency_breach(const data_residency& r, const residency_rule& rule)
{
    if (!r.recorded)
    {
        return "storage and failover countries not recorded";
    }
    for (const auto* list : {&r.storage, &r.failover})
    {
        for (const auto& country : *list)
        {
            if (!contains(rule.countries, country))
            {
                return std::string(list == &r.storage ? "storage" : "failover") + " in " + country;
            }
        }
    }
    return {};
}

} // namespace

bool liu_covers(const cloud_service& svc, const role& ro)
{
    const auto& cert = svc.catalog.cert;
    if (!cert || cert->scheme != cert_scheme::ismap_liu)
    {
        return true;
    }
    return std::any_of(ro.business.begin(), ro.business.end(), [&](const std::string& b) {
        return contains(cert->liu_categories, b);
    });
}

std::vector<supply_chain_failure> find_supply_chain_failures(const policy_document& doc,
                                                             const cloud_service& svc)
{
    const auto& sc = doc.supply_chain;
    const auto& c = svc.catalog;
    std::vector<supply_chain_failure> out;
    // With a restriction list in force, a service whose provider is not
    // recorded cannot be shown to be clear of it: denied (fail closed).
    if (!sc.restricted_providers.empty() && c.provider.name.empty())
    {
        out.push_back({"restricted_provider", "supply_chain:restricted_providers", "provider not recorded"});
    }
    else if (contains(sc.restricted_providers, c.provider.name) ||
             contains(sc.restricted_providers, c.provider.corporate_number))
    {
        out.push_back(
            {"restricted_provider", "supply_chain:restricted_providers", "provider " + c.provider.name});
    }
    if (!sc.restricted_countries.empty() && c.provider.country.empty())
    {
        out.push_back(
            {"restricted_country", "supply_chain:restricted_countries", "provider country not recorded"});
    }
    else if (auto where = restricted_country_of(c, sc.restricted_countries); !where.empty())
    {
        out.push_back({"restricted_country", "supply_chain:restricted_countries", std::move(where)});
    }
    for (std::size_t i = 0; i < sc.residency.size(); ++i)
    {
        if (svc.max_class < sc.residency[i].min_class)
        {
            continue;
        }
        if (auto breach = residency_breach(c.residency, sc.residency[i]); !breach.empty())
        {
            out.push_back(
                {"residency", "supply_chain:residency[" + std::to_string(i) + "]", std::move(breach)});
        }
    }
    return out;
}

catalog_verdict check_catalog(const snapshot& snap, const cloud_service& svc, clock::time_point now)
{
    const auto& sc = snap.document().supply_chain;
    const auto& c = svc.catalog;
    catalog_verdict v;
    // True when the rule fails and no exception waives it; then `say` fills
    // in the rule and the detail (built only for a denial).
    const auto fails = [&](reason why, const auto& say) {
        if (const auto* e = snap.waiver(svc.id, to_string(why), now))
        {
            if (v.exception_id.empty())
            {
                v.exception_id = e->id;
            }
            return false;
        }
        v.why = why;
        say();
        return true;
    };
    const auto own = [&](std::string detail) {
        return [&v, &svc, d = std::move(detail)] {
            v.rule = "catalog:" + svc.id;
            v.detail = d;
        };
    };

    for (const auto& f : snap.supply_chain_failures(svc))
    {
        if (fails(*parse_reason(f.reason), [&] {
                v.rule = f.rule;
                v.detail = f.detail;
            }))
        {
            return v;
        }
    }
    if (!c.cert)
    {
        if (fails(reason::certification_missing, own({})))
        {
            return v;
        }
    }
    else
    {
        const auto& cert = *c.cert;
        const auto number = [&] {
            return std::string(to_string(cert.scheme)) + " " + cert.number;
        };
        if (cert.withdrawn && *cert.withdrawn <= now &&
            fails(reason::certification_withdrawn, [&] { own(number() + " withdrawn")(); }))
        {
            return v;
        }
        if (cert.registered && now < *cert.registered && fails(reason::certification_not_yet_valid, [&] {
                own(number() + " valid from " +
                    detail::date_text(*cert.registered + std::chrono::hours(24)))();
            }))
        {
            return v;
        }
        // A pending renewal keeps it valid (ISMAP 基本規程 §3.5).
        if (now >= cert.valid_until && !cert.renewal_pending && fails(reason::certification_expired, [&] {
                own(number() + " valid until " + detail::date_text(cert.valid_until))();
            }))
        {
            return v;
        }
    }
    if (const auto& due = c.approved.review_due; due && now >= *due)
    {
        if (!sc.review_overdue_denies)
        {
            if (snap.waiver(svc.id, "review_overdue", now) == nullptr)
            {
                v.warn = reason::review_overdue;
            }
        }
        else if (fails(reason::review_overdue,
                       [&] { own("review was due on " + detail::date_text(*due))(); }))
        {
            return v;
        }
    }
    const auto& sbom = c.sbom;
    if (sbom.kev_open && *sbom.kev_open > 0 && fails(reason::kev_open, [&] {
            own(std::to_string(*sbom.kev_open) + " open past the grace period")();
        }))
    {
        return v;
    }
    if (sc.kev_attestation_max_age &&
        (!sbom.attested || now - *sbom.attested > *sc.kev_attestation_max_age) &&
        fails(reason::kev_open, [&] {
            v.rule = "supply_chain:kev_attestation_max_age";
            v.detail = sbom.attested
                           ? "attested on " + detail::date_text(*sbom.attested + std::chrono::hours(24))
                           : "no attestation";
        }))
    {
        return v;
    }
    return v;
}

} // namespace sekisho::policy
