// The catalog at compile time: the exceptions index, what exceptions name,
// each service's class against its certification scheme, and what has
// expired or will within 30 days (DOMAIN.md §7 rule 14: warn the owner).
// Decisions apply the same rules at their own time (catalog_check.cpp).

#include "catalog_check.hpp"
#include "compile_text.hpp"
#include "snapshot.hpp"

#include <algorithm>
#include <unordered_map>

namespace sekisho::policy {

namespace {

using detail::date_text;
using detail::days_until;
using detail::did_you_mean;

constexpr auto soon = std::chrono::hours(24 * 30);

// "<subject> <future> on DATE (in N days)" within 30 days, "<subject> <past>
// DATE" once passed; nothing before.
struct date_words
{
    const char* future; // "expires"
    const char* past;   // "expired on"
};

void warn_date(diagnostics& diags,
               const source_location& where,
               const std::string& subject,
               clock::time_point when,
               clock::time_point now,
               date_words words,
               const std::string& hint)
{
    if (when <= now)
    {
        diags.warning(where, subject + " " + words.past + " " + date_text(when), hint);
    }
    else if (when - now <= soon)
    {
        diags.warning(where,
                      subject + " " + words.future + " on " + date_text(when) + " (in " +
                          std::to_string(days_until(now, when)) + " days)",
                      hint);
    }
}

void check_certification(const snapshot& snap,
                         const cloud_service& svc,
                         clock::time_point now,
                         diagnostics& d)
{
    const auto& doc = snap.document();
    const std::string what = "service `" + svc.id + "`";
    const auto& cert = svc.catalog.cert;
    if (!cert)
    {
        if (snap.waiver(svc.id, "certification_missing", now) == nullptr)
        {
            d.warning(svc.where,
                      what + " has no certification: every tunnel to it is denied (certification_missing)",
                      "record its ISMAP / ISMAP-LIU registration or municipal assessment under "
                      "`certification:`, or grant a time-limited exception (docs/catalog.md)");
        }
        return;
    }
    if (cert->scheme == cert_scheme::ismap_liu && svc.max_class > data_class::c2)
    {
        d.error(cert->where,
                what + " is registered under ISMAP-LIU but approved for class " +
                    std::string(to_string(svc.max_class)),
                "ISMAP-LIU covers low-impact use only: data_class 1 or 2");
    }
    if (cert->scheme == cert_scheme::municipal_assessment &&
        svc.max_class > doc.supply_chain.municipal_assessment_max_class)
    {
        d.error(cert->where,
                what + " has only a municipal assessment but is approved for class " +
                    std::string(to_string(svc.max_class)),
                "supply_chain.municipal_assessment_max_class is " +
                    std::string(to_string(doc.supply_chain.municipal_assessment_max_class)) +
                    ": lower the service's data_class, or raise that ceiling deliberately");
    }
    if (cert->withdrawn)
    {
        // `withdrawn` is the first day without it (00:00 JST).
        const auto day = date_text(*cert->withdrawn + std::chrono::hours(24));
        if (*cert->withdrawn <= now)
        {
            d.warning(
                cert->where,
                what + "'s certification is withdrawn since " + day,
                "tunnels to it are denied (certification_withdrawn); remove the service or record a new "
                "registration");
        }
        else if (*cert->withdrawn - now <= soon)
        {
            d.warning(cert->where,
                      what + "'s certification is withdrawn from " + day + " (in " +
                          std::to_string(days_until(now, *cert->withdrawn)) + " days)",
                      "tunnels to it will be denied from that day (certification_withdrawn)");
        }
    }
    if (!cert->renewal_pending)
    {
        warn_date(
            d,
            cert->where,
            what + "'s certification " + std::string(to_string(cert->scheme)) + " " + cert->number,
            cert->valid_until,
            now,
            {"expires", "expired on"},
            "record the renewal (valid_until, or renewal_pending once applied for); until then tunnels to "
            "it are denied (certification_expired)");
    }
    else if (now - cert->valid_until > std::chrono::hours(24 * 90))
    {
        d.warning(
            cert->where,
            what + "'s renewal has been pending for more than 90 days after its certification ended on " +
                date_text(cert->valid_until),
            "check the ISMAP list: record the new valid_until, or remove renewal_pending if the renewal "
            "was refused (a pending renewal keeps tunnels allowed)");
    }
    else if (cert->valid_until <= now)
    {
        d.warning(cert->where,
                  what + "'s certification expired on " + date_text(cert->valid_until) +
                      "; a renewal is pending since " +
                      date_text(*cert->renewal_pending + std::chrono::hours(24)),
                  "it stays valid while the renewal is decided: record the new valid_until when it is");
    }
}

void check_exceptions(snapshot& snap, clock::time_point now, diagnostics& d)
{
    const auto& doc = snap.document();
    std::vector<std::string_view> ids;
    for (std::size_t i = 0; i < doc.exceptions.size(); ++i)
    {
        const auto& e = doc.exceptions[i];
        if (std::find(ids.begin(), ids.end(), e.id) != ids.end())
        {
            d.error(e.where, "duplicate id `" + e.id + "` in exceptions", "ids must be unique");
        }
        ids.push_back(e.id);
        const bool known = std::any_of(doc.services.begin(), doc.services.end(), [&](const cloud_service& s) {
            return s.id == e.service;
        });
        if (!known)
        {
            d.error(e.where,
                    "exception `" + e.id + "` names service `" + e.service + "`, which is not in services:",
                    did_you_mean(e.service, doc.services));
        }
        warn_date(d,
                  e.where,
                  "exception `" + e.id + "`",
                  e.until,
                  now,
                  {"ends", "ended on"},
                  "renew it with a new approval, or remove it: what it waived is denied again");
    }
}

// `certification: {registry: N}`: the fields of registration N (imported
// from the ISMAP list) into the service's certification.
void resolve_registry(policy_document& doc, diagnostics& d)
{
    std::unordered_map<std::string_view, const registration*> by_number;
    for (const auto& reg : doc.registrations)
    {
        if (!by_number.emplace(reg.number, &reg).second)
        {
            d.error(reg.where, "registration `" + reg.number + "` is listed twice", "import the list again");
        }
    }
    for (auto& svc : doc.services)
    {
        auto& cert = svc.catalog.cert;
        if (!cert || cert->registry.empty())
        {
            continue;
        }
        const auto it = by_number.find(cert->registry);
        if (it == by_number.end())
        {
            d.error(cert->where,
                    "service `" + svc.id + "`: certification.registry `" + cert->registry +
                        "` is not in registrations:",
                    "import the ISMAP list (sekishoctl catalog import-ismap) and include its file, or check "
                    "the number");
            cert.reset();
            continue;
        }
        const auto& reg = *it->second;
        cert->scheme = reg.scheme;
        cert->number = reg.number;
        cert->registered = reg.registered;
        cert->valid_until = reg.valid_until;
        cert->withdrawn = reg.withdrawn;
        if (cert->renewal_pending && *cert->renewal_pending >= cert->valid_until)
        {
            d.error(cert->where,
                    "service `" + svc.id +
                        "`: renewal_pending is on or after the registration's valid_until (" + reg.number +
                        ")",
                    "a pending renewal keeps a registration valid only when applied for before it expired");
        }
        if (cert->scheme == cert_scheme::ismap_liu && cert->liu_categories.empty())
        {
            d.error(cert->where,
                    "service `" + svc.id + "` is registered under ISMAP-LIU (" + reg.number +
                        ") without liu_categories",
                    "list the business categories it was assessed for beside `registry:`");
        }
    }
}

} // namespace

void index_catalog(snapshot& snap, clock::time_point now, diagnostics& diags)
{
    resolve_registry(snap.doc_, diags);
    const auto& doc = snap.document();
    for (std::size_t i = 0; i < doc.exceptions.size(); ++i)
    {
        snap.exceptions_[doc.exceptions[i].service].push_back(i);
    }
    snap.supply_chain_failures_.reserve(doc.services.size());
    for (const auto& svc : doc.services)
    {
        snap.supply_chain_failures_.push_back(find_supply_chain_failures(doc, svc));
        for (const auto& f : snap.supply_chain_failures_.back())
        {
            if (snap.waiver(svc.id, f.reason, now) == nullptr)
            {
                diags.warning(svc.where,
                              "service `" + svc.id + "` breaks " + f.rule + " (" + f.detail +
                                  "): every tunnel to it is denied (" + f.reason + ")",
                              "use another service, correct its record, or grant a time-limited exception");
            }
        }
    }
    check_exceptions(snap, now, diags);
    for (const auto& svc : doc.services)
    {
        check_certification(snap, svc, now, diags);
        if (const auto& due = svc.catalog.approved.review_due)
        {
            warn_date(
                diags,
                svc.where,
                "service `" + svc.id + "`'s review",
                *due,
                now,
                {"is due", "was due on"},
                doc.supply_chain.review_overdue_denies
                    ? "review it and set a new approval.review_due; until then tunnels to it are denied "
                      "(review_overdue)"
                    : "review it and set a new approval.review_due (supply_chain.review_overdue: warn)");
        }
    }
}

const std::vector<supply_chain_failure>& snapshot::supply_chain_failures(const cloud_service& svc) const
{
    // svc is an entry of doc_.services (decide() only sees those).
    return supply_chain_failures_[static_cast<std::size_t>(&svc - doc_.services.data())];
}

const catalog_exception*
snapshot::waiver(std::string_view service_id, std::string_view reason_code, clock::time_point now) const
{
    const auto it = exceptions_.find(service_id);
    if (it == exceptions_.end())
    {
        return nullptr;
    }
    for (auto i : it->second)
    {
        const auto& e = doc_.exceptions[i];
        if (e.from <= now && now < e.until &&
            std::find(e.waives.begin(), e.waives.end(), reason_code) != e.waives.end())
        {
            return &e;
        }
    }
    return nullptr;
}

} // namespace sekisho::policy
