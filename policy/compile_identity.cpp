// Roles, users and devices: the indexes decide() uses, and every check that
// needs the whole policy — references to missing ids, grants that can never
// apply (unreachable rules), the rules of the network model, and what expires
// soon.

#include "compile_text.hpp"
#include "snapshot.hpp"
#include "yaml_reader.hpp"

#include <algorithm>
#include <ctime>
#include <unordered_set>

namespace sekisho::policy {

std::string detail::date_text(clock::time_point t)
{
    // Asia/Tokyo calendar date of the last moment before t.
    const std::time_t local = clock::to_time_t(t - std::chrono::seconds(1)) + 9 * 3600;
    std::tm tm{};
    gmtime_r(&local, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

namespace {

constexpr auto expiry_warning = std::chrono::hours(24 * 30);
constexpr auto strict_posture = std::chrono::hours(24 * 7); // β': posture reports at most a week old
using detail::date_text;
using detail::did_you_mean;

void warn_expiry(diagnostics& diags,
                 const source_location& where,
                 const std::string& what,
                 const std::optional<clock::time_point>& expires,
                 clock::time_point now)
{
    if (!expires)
    {
        return;
    }
    if (*expires <= now)
    {
        diags.warning(where,
                      what + " expired on " + date_text(*expires) + ": it is refused",
                      "remove it, or extend `expires` if it is still needed");
    }
    else if (*expires - now <= expiry_warning)
    {
        const auto days = std::chrono::duration_cast<std::chrono::hours>(*expires - now).count() / 24;
        diags.warning(where,
                      what + " expires on " + date_text(*expires) + " (in " + std::to_string(days) + " days)",
                      "extend `expires` if it is still needed");
    }
}

// ids and tags of one section (services or screen_transfer) → entry indexes.
struct section_index
{
    std::unordered_map<std::string_view, std::size_t> ids;
    std::unordered_map<std::string_view, std::vector<std::size_t>> tags;

    template <typename Items>
    explicit section_index(const Items& items)
    {
        ids.reserve(items.size());
        for (std::size_t i = 0; i < items.size(); ++i)
        {
            ids.emplace(items[i].id, i);
            for (const auto& t : items[i].tags)
            {
                tags[t].push_back(i);
            }
        }
    }
};

// Expands a role's references (ids and tag:<tag>) into a grant set; reports
// missing ids and tags that match nothing.
template <typename Items>
std::vector<bool> expand(const std::vector<std::string>& refs,
                         const Items& items,
                         const section_index& index,
                         const std::string& owner,
                         std::string_view section,
                         const source_location& where,
                         diagnostics& diags)
{
    std::vector<bool> set(items.size(), false);
    for (const auto& ref : refs)
    {
        if (ref.rfind("tag:", 0) == 0)
        {
            const std::string_view tag = std::string_view(ref).substr(4);
            const auto it = index.tags.find(tag);
            if (it != index.tags.end())
            {
                for (auto i : it->second)
                {
                    set[i] = true;
                }
            }
            else
            {
                diags.error(where,
                            owner + ": no entry in " + std::string(section) + " has the tag `" +
                                std::string(tag) + "`",
                            "tag the entries (tags: [" + std::string(tag) + "]) or remove the reference");
            }
            continue;
        }
        if (const auto it = index.ids.find(ref); it != index.ids.end())
        {
            set[it->second] = true;
        }
        else
        {
            diags.error(where,
                        owner + ": " + std::string(section) + " has no entry `" + ref + "`",
                        did_you_mean(ref, items));
        }
    }
    return set;
}

// Grants that can never apply make a policy say more than it does.
void check_reachable(const policy_document& doc,
                     const role& ro,
                     const section_index& index,
                     const std::vector<bool>& services,
                     const std::vector<bool>& endpoints,
                     diagnostics& diags)
{
    const std::string owner = "role `" + ro.id + "`";
    const bool any_service = std::find(services.begin(), services.end(), true) != services.end();
    const bool any_endpoint = std::find(endpoints.begin(), endpoints.end(), true) != endpoints.end();
    if (!any_service && !any_endpoint && ro.services.empty() && ro.screen_transfer.empty())
    {
        diags.error(ro.where,
                    owner + " grants nothing",
                    "list the services and screen_transfer endpoints it may reach");
    }
    if (any_endpoint && !ro.lgwan)
    {
        diags.error(ro.where,
                    owner + " grants screen_transfer endpoints but not the lgwan layer: they are unreachable",
                    "add `lgwan` to its layers, or remove the endpoints");
    }
    if (!ro.lgwan && !ro.internet)
    {
        return;
    }
    for (std::size_t i = 0; i < services.size(); ++i)
    {
        if (!services[i])
        {
            continue;
        }
        const auto& svc = doc.services[i];
        const bool by_breakout = doc.model == network_model::alpha_prime && ro.lgwan && svc.local_breakout;
        if (!ro.internet && !by_breakout)
        {
            diags.error(ro.where,
                        owner + " grants service `" + svc.id +
                            "` but not the internet layer: the grant is unreachable",
                        doc.model == network_model::alpha_prime
                            ? "add `internet` to its layers, or mark the service `local_breakout: true`"
                            : "add `internet` to its layers, or remove the service");
        }
    }

    // A service named by id above the role's class is a grant that can never
    // apply; a tag may group services of several classes (decide() denies the
    // ones above the role's class with data_class), unless none is reachable.
    for (const auto& ref : ro.services)
    {
        const auto above = [&](std::size_t i) {
            return doc.services[i].max_class > ro.max_class;
        };
        const std::string cls(to_string(ro.max_class));
        if (ref.rfind("tag:", 0) == 0)
        {
            const auto it = index.tags.find(std::string_view(ref).substr(4));
            if (it != index.tags.end() && std::all_of(it->second.begin(), it->second.end(), above))
            {
                diags.error(ro.where,
                            owner + " (data class " + cls + ") grants `" + ref +
                                "`, whose services all carry a higher class: the grant is unreachable",
                            "raise the role's data_class, or remove the tag from it");
            }
        }
        else if (const auto it = index.ids.find(ref); it != index.ids.end() && above(it->second))
        {
            const auto& svc = doc.services[it->second];
            diags.error(ro.where,
                        owner + " (data class " + cls + ") grants service `" + svc.id +
                            "`, which carries class " + std::string(to_string(svc.max_class)) +
                            ": the grant is unreachable",
                        "raise the role's data_class, or remove the service from it");
        }
    }
}

// DOMAIN.md §1.2: what each network model adds (docs/policy-reference.md).
void check_model(const policy_document& doc, diagnostics& diags)
{
    const bool beta = doc.model == network_model::beta || doc.model == network_model::beta_prime;
    const std::string model(to_string(doc.model));
    for (const auto& ro : doc.roles)
    {
        if (!ro.mfa)
        {
            if (beta && ro.internet)
            {
                diags.error(ro.where,
                            "role `" + ro.id + "`: model " + model +
                                " requires MFA on every internet-layer role",
                            "remove `mfa: false` (or list `factors: [device, password, totp]`)");
            }
            else
            {
                diags.warning(ro.where,
                              "role `" + ro.id + "` admits single-factor sessions (mfa: false)",
                              "telework needs two factors (DOMAIN.md §7 rule 4); remove `mfa: false` once "
                              "users are enrolled");
            }
        }
        if (beta && ro.internet && !ro.posture_max_age)
        {
            diags.error(ro.where,
                        "role `" + ro.id + "`: model " + model +
                            " requires an endpoint posture check on every internet-layer role",
                        "add e.g. `posture_max_age: 7d`");
        }
        if (doc.model == network_model::beta_prime && ro.posture_max_age &&
            *ro.posture_max_age > strict_posture)
        {
            diags.error(ro.where,
                        "role `" + ro.id + "`: model beta_prime allows posture reports at most 7 days old",
                        "write `posture_max_age: 7d` or less");
        }
    }
    if (doc.model == network_model::beta_prime && doc.byod_allowed)
    {
        diags.error({doc.source_file, 0, 0},
                    "model beta_prime does not allow BYOD devices",
                    "set `byod_allowed: false`; β' keeps most business systems reachable from the "
                    "internet layer, so only lent devices may telework");
    }
    if (doc.model != network_model::alpha_prime)
    {
        for (const auto& svc : doc.services)
        {
            if (svc.local_breakout)
            {
                diags.error(svc.where,
                            "service `" + svc.id + "`: local_breakout is part of model alpha_prime, not " +
                                model,
                            "remove `local_breakout`, or set `model: alpha_prime`");
            }
        }
    }
}

} // namespace

void index_identity(snapshot& snap, clock::time_point now, diagnostics& diags)
{
    const auto& d = snap.doc_;
    std::unordered_map<std::string_view, std::size_t> roles;
    for (std::size_t i = 0; i < d.roles.size(); ++i)
    {
        roles.emplace(d.roles[i].id, i);
    }

    const section_index services(d.services);
    const section_index endpoints(d.screen_transfer);
    std::vector<bool> service_used(d.services.size(), false);
    std::vector<bool> endpoint_used(d.screen_transfer.size(), false);
    snap.grants_.reserve(d.roles.size());
    for (const auto& ro : d.roles)
    {
        const std::string owner = "role `" + ro.id + "`";
        snapshot::role_grants g;
        g.services = expand(ro.services, d.services, services, owner, "services", ro.where, diags);
        g.endpoints = expand(
            ro.screen_transfer, d.screen_transfer, endpoints, owner, "screen_transfer", ro.where, diags);
        check_reachable(d, ro, services, g.services, g.endpoints, diags);
        for (std::size_t i = 0; i < g.services.size(); ++i)
        {
            service_used[i] = service_used[i] || g.services[i];
        }
        for (std::size_t i = 0; i < g.endpoints.size(); ++i)
        {
            endpoint_used[i] = endpoint_used[i] || g.endpoints[i];
        }
        snap.grants_.push_back(std::move(g));
    }

    std::vector<bool> role_held(d.roles.size(), false);
    snap.user_roles_.resize(d.users.size());
    for (std::size_t i = 0; i < d.users.size(); ++i)
    {
        const auto& u = d.users[i];
        snap.users_.emplace(u.id, i);
        for (const auto& r : u.roles)
        {
            if (auto it = roles.find(r); it != roles.end())
            {
                snap.user_roles_[i].push_back(it->second);
                role_held[it->second] = true;
            }
            else
            {
                diags.error(
                    u.where, "user `" + u.id + "`: there is no role `" + r + "`", did_you_mean(r, d.roles));
            }
        }
        warn_expiry(diags, u.where, "user `" + u.id + "`", u.expires, now);
    }

    for (std::size_t i = 0; i < d.devices.size(); ++i)
    {
        const auto& dv = d.devices[i];
        snap.devices_.emplace(dv.id, i);
        if (!dv.fingerprint.empty() && !snap.fingerprints_.emplace(dv.fingerprint, i).second)
        {
            diags.error(dv.where,
                        "device `" + dv.id + "`: its fingerprint is already listed for another device",
                        "a certificate identifies one device");
        }
        if (!dv.serial.empty() && !snap.serials_.emplace(dv.serial, i).second)
        {
            diags.error(dv.where,
                        "device `" + dv.id + "`: serial " + dv.serial +
                            " is already listed for another device",
                        "a certificate identifies one device");
        }
        if (snap.users_.find(dv.owner) == snap.users_.end())
        {
            diags.error(dv.where,
                        "device `" + dv.id + "`: its owner `" + dv.owner + "` is not a user",
                        did_you_mean(dv.owner, d.users));
        }
        if (dv.kind == device_kind::byod && !d.byod_allowed && dv.status == device_status::active)
        {
            diags.warning(dv.where,
                          "device `" + dv.id + "` is byod but byod_allowed is false: it is refused",
                          "set `byod_allowed: true` if BYOD is permitted with leak-prevention measures");
        }
        if (dv.status == device_status::active)
        {
            warn_expiry(diags, dv.where, "device `" + dv.id + "`", dv.expires, now);
        }
    }

    for (std::size_t i = 0; i < d.roles.size(); ++i)
    {
        if (!role_held[i])
        {
            diags.warning(d.roles[i].where, "role `" + d.roles[i].id + "` is held by no user");
        }
    }
    for (std::size_t i = 0; i < d.services.size(); ++i)
    {
        if (!service_used[i])
        {
            diags.warning(d.services[i].where,
                          "service `" + d.services[i].id + "` is granted by no role: nobody can reach it",
                          "add it (or a tag it has) to a role, or remove it");
        }
    }
    for (std::size_t i = 0; i < d.screen_transfer.size(); ++i)
    {
        if (!endpoint_used[i])
        {
            diags.warning(d.screen_transfer[i].where,
                          "screen_transfer `" + d.screen_transfer[i].id +
                              "` is granted by no role: nobody can reach it",
                          "add it (or a tag it has) to a role, or remove it");
        }
    }
    if (d.users.empty())
    {
        diags.warning({d.source_file, 0, 0},
                      "the policy lists no users: every tunnel will be refused",
                      "add users: (and devices:), or include: the files that hold them");
    }
    for (const auto& t : d.tests)
    {
        if (!t.user.empty() && snap.users_.find(t.user) == snap.users_.end())
        {
            diags.error(t.where,
                        "policy test `" + t.name + "`: there is no user `" + t.user + "`",
                        did_you_mean(t.user, d.users));
        }
        if (!t.device.empty() && snap.devices_.find(t.device) == snap.devices_.end())
        {
            diags.error(t.where,
                        "policy test `" + t.name + "`: there is no device `" + t.device + "`",
                        did_you_mean(t.device, d.devices));
        }
    }
    check_model(d, diags);
}

const user* snapshot::find_user(std::string_view id) const
{
    auto it = users_.find(id);
    return it == users_.end() ? nullptr : &doc_.users[it->second];
}

const device* snapshot::find_device(std::string_view id) const
{
    auto it = devices_.find(id);
    return it == devices_.end() ? nullptr : &doc_.devices[it->second];
}

const device* snapshot::find_device_by_certificate(std::string_view fingerprint,
                                                   std::string_view serial) const
{
    if (auto it = fingerprints_.find(fingerprint); it != fingerprints_.end())
    {
        return &doc_.devices[it->second];
    }
    if (auto it = serials_.find(serial); !serial.empty() && it != serials_.end())
    {
        // A device listed with a fingerprint is recognised by it alone.
        const auto& dv = doc_.devices[it->second];
        return dv.fingerprint.empty() ? &dv : nullptr;
    }
    return nullptr;
}

const std::vector<std::size_t>& snapshot::roles_of(const user& u) const
{
    return user_roles_[static_cast<std::size_t>(&u - doc_.users.data())];
}

bool snapshot::grants(std::size_t role_index, const cloud_service& svc) const
{
    return grants_[role_index].services[static_cast<std::size_t>(&svc - doc_.services.data())];
}

bool snapshot::grants(std::size_t role_index, const screen_transfer_endpoint& ep) const
{
    return grants_[role_index].endpoints[static_cast<std::size_t>(&ep - doc_.screen_transfer.data())];
}

std::uint32_t snapshot::largest_limit(const user& u, std::uint32_t role::*limit) const
{
    std::uint32_t largest = 0;
    for (auto r : roles_of(u))
    {
        largest = std::max(largest, doc_.roles[r].*limit);
    }
    return largest;
}

} // namespace sekisho::policy
