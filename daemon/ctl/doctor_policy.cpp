// `sekishoctl doctor`'s checks of the two files themselves: `config`, whether
// sekisho.yaml and its policy load as `sekishod --check-config` loads them
// (the result doctor_cmd.cpp got from app::load_everything), and `catalog`,
// the policy's catalogued services whose certification (ISMAP and the like)
// or exception runs out within --warn-days.

#include "daemon/app/startup.hpp"
#include "daemon/ctl/common.hpp"
#include "daemon/ctl/doctor.hpp"

namespace sekisho::ctl::doctor {

namespace {

namespace config_text {
constexpr const char* ok = "{config} and {policy} are valid (policy {hash})";
constexpr const char* warnings = "; {count} warning(s): sekishod --check-config {config} shows them";
constexpr const char* fail = "{config} does not load: {count} error(s)";
constexpr const char* fail_do = "fix them, then check again: sekishod --check-config {config}";
} // namespace config_text

namespace catalog_text {
constexpr const char* ok = "{count} service(s), none expiring within {days} days";
constexpr const char* expired = "service {service}: {cert} expired (its last day was {date})";
constexpr const char* waived = "service {service}: {cert} expired (its last day was {date}); reachable under "
                               "exception {exception}";
constexpr const char* pending = "service {service}: {cert} expired (its last day was {date}); valid while "
                                "its renewal is decided";
constexpr const char* expiring = "service {service}: {cert} expires after {date} ({days} day(s) left)";
constexpr const char* withdrawn = "service {service}: {cert} withdrawn from {date}";
constexpr const char* refused_do =
    "every tunnel to {service} is refused: update its certification in the policy "
    "(sekishoctl catalog import-ismap for a registry), then sekishoctl reload";
constexpr const char* renew_do = "update the certification of {service} in the policy before {date} "
                                 "(sekishoctl catalog status lists what falls due)";
constexpr const char* exception = "exception {id} for {service} ends after {date} ({days} day(s) left)";
constexpr const char* exception_do = "renew exception {id} in the policy, or fix what it waives ({waives}), "
                                     "before {date}";
constexpr const char* not_checked = "not checked: the policy does not load (see config)";
} // namespace catalog_text

} // namespace

finding check_config(const inputs& in, const app::startup_result& loaded)
{
    finding f{"config", status::ok, {}, {}, {}};
    const auto& d = loaded.diags;
    if (!loaded.state)
    {
        f.level = status::fail;
        f.message =
            fill(config_text::fail, {{"config", in.config_path}, {"count", std::to_string(d.error_count())}});
        for (const auto& item : d.items())
        {
            if (item.level == policy::severity::error && f.details.size() < config_errors_shown)
            {
                f.details.push_back(policy::format(item));
            }
        }
        f.actions.push_back(fill(config_text::fail_do, {{"config", in.config_path}}));
        return f;
    }
    const auto hash = in.policy ? in.policy->hash().substr(0, 16) : std::string("-");
    f.message = fill(config_text::ok,
                     {{"config", in.config_path}, {"policy", in.settings->policy_file}, {"hash", hash}});
    if (!d.items().empty())
    {
        f.message += fill(config_text::warnings,
                          {{"count", std::to_string(d.items().size())}, {"config", in.config_path}});
    }
    return f;
}

std::vector<finding> check_catalog(const inputs& in)
{
    if (!in.policy)
    {
        auto f = not_checked("catalog");
        f.message = catalog_text::not_checked;
        return {std::move(f)};
    }
    std::vector<finding> out;
    const auto& doc = in.policy->document();
    const auto within = in.warn_within();
    auto days = [&](policy::clock::time_point t) {
        return std::to_string(days_from(in.now, policy::clock::to_time_t(t)));
    };
    for (const auto& svc : doc.services)
    {
        if (!svc.catalog.cert)
        {
            continue; // not a certification that expires (catalog status lists it)
        }
        const auto& c = *svc.catalog.cert;
        const auto cert = std::string(policy::to_string(c.scheme)) + " " + c.number;
        const auto date = last_day(c.valid_until);
        const fields values = {
            {"service", svc.id}, {"cert", cert}, {"date", date}, {"days", days(c.valid_until)}};
        finding f{"catalog:" + svc.id, status::warn, {}, {}, {}};
        if (c.withdrawn && *c.withdrawn - in.now <= within)
        {
            const bool past = *c.withdrawn <= in.now;
            f.level = past ? status::fail : status::warn;
            f.message =
                fill(catalog_text::withdrawn,
                     {{"service", svc.id}, {"cert", cert}, {"date", tokyo_time(*c.withdrawn).substr(0, 10)}});
            f.actions.push_back(fill(past ? catalog_text::refused_do : catalog_text::renew_do, values));
        }
        else if (c.valid_until <= in.now)
        {
            const auto* w = in.policy->waiver(svc.id, "certification_expired", in.now);
            f.level = c.renewal_pending || w != nullptr ? status::warn : status::fail;
            f.message =
                fill(c.renewal_pending ? catalog_text::pending
                     : w != nullptr    ? catalog_text::waived
                                       : catalog_text::expired,
                     {{"service", svc.id}, {"cert", cert}, {"date", date}, {"exception", w ? w->id : ""}});
            f.actions.push_back(
                fill(f.level == status::fail ? catalog_text::refused_do : catalog_text::renew_do, values));
        }
        else if (c.valid_until - in.now <= within)
        {
            f.message = fill(catalog_text::expiring, values);
            f.actions.push_back(fill(catalog_text::renew_do, values));
        }
        else
        {
            continue;
        }
        out.push_back(std::move(f));
    }
    for (const auto& e : doc.exceptions)
    {
        if (e.until > in.now && e.until - in.now <= within)
        {
            const fields values = {{"id", e.id},
                                   {"service", e.service},
                                   {"date", last_day(e.until)},
                                   {"days", days(e.until)},
                                   {"waives", join(e.waives, ", ")}};
            out.push_back({"catalog:exception:" + e.id,
                           status::warn,
                           fill(catalog_text::exception, values),
                           {},
                           {fill(catalog_text::exception_do, values)}});
        }
    }
    if (out.empty())
    {
        out.push_back(
            {"catalog",
             status::ok,
             fill(catalog_text::ok,
                  {{"count", std::to_string(doc.services.size())}, {"days", std::to_string(in.warn_days)}}),
             {},
             {}});
    }
    return out;
}

} // namespace sekisho::ctl::doctor
