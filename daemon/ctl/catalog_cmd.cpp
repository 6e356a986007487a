// `sekishoctl catalog status --policy FILE [--within DAYS] [--at TIME] [--json]`:
// what in the catalog needs the operator, as one table: certifications that
// have expired, are withdrawn or end within DAYS (30 by default), reviews due,
// exceptions ending, and services that break a supply-chain rule. Offline: it
// reads the policy file only. Exit 0 when nothing is past due, 1 when
// something is (expired, withdrawn, review overdue, exception ended), so that
// cron or monitoring can alert on it.

#include "daemon/ctl/admin.hpp"
#include "daemon/ctl/common.hpp"
#include "daemon/i18n/catalog.hpp"
#include "policy/load.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>

namespace sekisho::ctl {

namespace {

namespace json = boost::json;
using policy::clock;

struct finding
{
    std::string service;
    std::string what;  // "certification", "review", "exception <id>", "supply chain"
    std::string state; // "expired", "expires", "withdrawn", "due", "overdue", "ends", "ended", "denied"
    std::optional<clock::time_point> when;
    long days = 0; // from now (negative: past)
    bool past_due = false;
    std::string detail;
};

long days_between(clock::time_point now, clock::time_point t)
{
    const auto h = std::chrono::duration_cast<std::chrono::hours>(t - now).count();
    return static_cast<long>(h >= 0 ? h / 24 : -((-h + 23) / 24));
}

void add_dated(std::vector<finding>& out,
               const std::string& service,
               const std::string& what,
               clock::time_point end,
               clock::time_point now,
               std::chrono::hours within,
               const char* future,
               const char* past,
               std::string detail)
{
    if (end <= now)
    {
        out.push_back({service, what, past, end, days_between(now, end), true, std::move(detail)});
    }
    else if (end - now <= within)
    {
        out.push_back({service, what, future, end, days_between(now, end), false, std::move(detail)});
    }
}

std::vector<finding> findings(const policy::snapshot& snap, clock::time_point now, std::chrono::hours within)
{
    std::vector<finding> out;
    const auto& doc = snap.document();
    for (const auto& svc : doc.services)
    {
        const auto& c = svc.catalog;
        if (!c.cert)
        {
            const bool waived = snap.waiver(svc.id, "certification_missing", now) != nullptr;
            out.push_back({svc.id,
                           "certification",
                           waived ? "missing (exception)" : "missing",
                           std::nullopt,
                           0,
                           !waived,
                           waived ? "reachable under an exception only" : "every tunnel is denied"});
        }
        else
        {
            const auto& cert = *c.cert;
            const std::string number = std::string(policy::to_string(cert.scheme)) + " " + cert.number;
            if (cert.withdrawn && *cert.withdrawn > now && *cert.withdrawn - now <= within)
            {
                // `withdrawn` is its first day without: the last day is the one before.
                out.push_back({svc.id,
                               "certification",
                               "withdrawn from",
                               cert.withdrawn,
                               days_between(now, *cert.withdrawn),
                               false,
                               number});
            }
            if (cert.withdrawn && *cert.withdrawn <= now)
            {
                out.push_back({svc.id,
                               "certification",
                               "withdrawn",
                               cert.withdrawn,
                               days_between(now, *cert.withdrawn),
                               true,
                               number});
            }
            else if (cert.renewal_pending && cert.valid_until <= now)
            {
                out.push_back({svc.id,
                               "certification",
                               "renewal pending",
                               cert.valid_until,
                               days_between(now, cert.valid_until),
                               false,
                               number + " (valid while the renewal is decided)"});
            }
            else if (!cert.renewal_pending)
            {
                add_dated(out,
                          svc.id,
                          "certification",
                          cert.valid_until,
                          now,
                          within,
                          "expires",
                          "expired",
                          number);
            }
        }
        if (c.approved.review_due)
        {
            add_dated(out,
                      svc.id,
                      "review",
                      *c.approved.review_due,
                      now,
                      within,
                      "due",
                      "overdue",
                      c.approved.by.empty() ? std::string() : "approved by " + c.approved.by);
        }
        if (c.sbom.kev_open && *c.sbom.kev_open > 0)
        {
            const bool waived = snap.waiver(svc.id, "kev_open", now) != nullptr;
            out.push_back({svc.id,
                           "sbom",
                           waived ? "kev_open (exception)" : "kev_open",
                           std::nullopt,
                           0,
                           !waived,
                           std::to_string(*c.sbom.kev_open) +
                               " known-exploited vulnerabilities open past the grace "
                               "period"});
        }
        for (const auto& f : snap.supply_chain_failures(svc))
        {
            const bool waived = snap.waiver(svc.id, f.reason, now) != nullptr;
            out.push_back({svc.id,
                           "supply chain",
                           waived ? f.reason + " (exception)" : f.reason,
                           std::nullopt,
                           0,
                           !waived,
                           f.rule + ": " + f.detail});
        }
    }
    for (const auto& e : doc.exceptions)
    {
        add_dated(out,
                  e.service,
                  "exception " + e.id,
                  e.until,
                  now,
                  within,
                  "ends",
                  "ended",
                  "waives " + join(e.waives, ", ") + "; approved by " + e.approved_by);
    }
    std::stable_sort(out.begin(), out.end(), [](const finding& a, const finding& b) {
        if (a.past_due != b.past_due)
        {
            return a.past_due;
        }
        return a.days < b.days;
    });
    return out;
}

} // namespace

int catalog_main(const std::vector<std::string>& args)
{
    static const std::vector<admin_command> commands = {
        {"status", nullptr, {"--policy", "--within", "--at"}, {"--policy"}, {}},
        {"import-ismap",
         "FILE.csv",
         {"--registry", "--scheme", "--columns", "--today"},
         {"--registry"},
         {"--dry-run"}},
    };
    const auto a = parse_admin_args("catalog", args, commands);
    if (!a)
    {
        return exit_usage;
    }
    if (a->command == "import-ismap")
    {
        return catalog_import_cmd(*a);
    }
    long within_days = 30;
    if (const auto* w = a->get("--within"))
    {
        char* end = nullptr;
        within_days = std::strtol(w->c_str(), &end, 10);
        if (end == w->c_str() || *end != '\0' || within_days < 0 || within_days > 3650)
        {
            return usage("--within takes a number of days, 0 to 3650");
        }
    }
    clock::time_point now = clock::now();
    if (const auto* at = a->get("--at"))
    {
        auto t = policy::parse_time(*at);
        if (!t)
        {
            return usage("--at takes a time with an offset, e.g. 2027-04-01T09:00+09:00");
        }
        now = *t;
    }
    const auto& file = *a->get("--policy");
    const auto p = load(file);
    if (!usable(p, file, "report"))
    {
        return exit_failed;
    }
    const auto list = findings(*p.snap, now, std::chrono::hours(24 * within_days));
    const bool any_past = std::any_of(list.begin(), list.end(), [](const finding& f) { return f.past_due; });
    if (a->json())
    {
        json::array items;
        for (const auto& f : list)
        {
            json::object o{{"service", f.service},
                           {"what", f.what},
                           {"state", f.state},
                           {"past_due", f.past_due},
                           {"detail", f.detail}};
            if (f.when)
            {
                o["last_day"] = last_day(*f.when);
                o["days"] = f.days;
            }
            items.push_back(std::move(o));
        }
        print_json({{"policy", file},
                    {"at", iso_time(now)},
                    {"within_days", within_days},
                    {"services", p.snap->document().services.size()},
                    {"findings", std::move(items)}});
        return any_past ? exit_failed : exit_ok;
    }
    // In the chosen language (daemon/i18n/ja_explain.cpp); the table's
    // headings, WHAT and STATE stay as they are (the --json values).
    std::printf("%s\n",
                i18n::message(file + " at " + tokyo_time(now) + ": " +
                              std::to_string(p.snap->document().services.size()) + " service(s); " +
                              std::to_string(list.size()) + " finding(s) (past due, or within " +
                              std::to_string(within_days) + " days)")
                    .c_str());
    if (list.empty())
    {
        return exit_ok;
    }
    std::vector<std::vector<std::string>> rows{{"SERVICE", "WHAT", "STATE", "LAST DAY", "DAYS", "DETAIL"}};
    for (const auto& f : list)
    {
        rows.push_back({f.service,
                        f.what,
                        f.past_due ? f.state + " !" : f.state,
                        f.when ? last_day(*f.when) : "-",
                        f.when ? std::to_string(f.days) : "-",
                        i18n::message(f.detail)});
    }
    print_table(rows);
    return any_past ? exit_failed : exit_ok;
}

} // namespace sekisho::ctl
