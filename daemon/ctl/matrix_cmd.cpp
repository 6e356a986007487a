// `sekishoctl policy matrix FILE [--html | --json]`: print the roles ×
// layers × endpoints and services table (matrix.hpp).

#include "daemon/ctl/commands.hpp"
#include "daemon/ctl/common.hpp"
#include "daemon/ctl/matrix.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace sekisho::ctl {

namespace {

// At most this many ids on a text "not granted" line; --json lists them all.
constexpr std::size_t not_granted_shown = 10;

// "groupware, mail, ... and 12 more (--json lists them)"
std::string not_granted_text(const matrix_layer& l)
{
    std::vector<std::string> ids;
    std::size_t count = 0;
    for (const auto& e : l.entries)
    {
        if (e.result == access::not_granted && ++count <= not_granted_shown)
        {
            ids.push_back(e.id());
        }
    }
    if (count > not_granted_shown)
    {
        ids.push_back("... and " + std::to_string(count - not_granted_shown) + " more (--json lists them)");
    }
    return join(ids, ", ");
}

// The entries a role reaches or is denied by data class, in aligned
// columns; what it is not granted, as one line of ids per layer.
void print_layers(const matrix_role& r)
{
    const auto& ro = *r.role;
    std::array<std::size_t, 4> width{};
    for (const auto& l : r.layers)
    {
        for (const auto& e : l.entries)
        {
            width[0] = std::max(width[0], access_label(ro, e).size());
            width[1] = std::max(width[1], e.kind().size());
            width[2] = std::max(width[2], e.id().size());
            width[3] = std::max(width[3], e.service != nullptr ? e.data_class().size() + 6 : 0U);
        }
    }
    for (const auto& l : r.layers)
    {
        std::printf("  %s layer\n", std::string(policy::to_string(l.on)).c_str());
        std::size_t listed = 0;
        for (const auto& e : l.entries)
        {
            if (e.result == access::not_granted)
            {
                continue;
            }
            ++listed;
            const auto cls = e.service != nullptr ? "class " + e.data_class() : std::string();
            std::string where = e.hosts() + " :" + e.ports();
            if (!e.name().empty())
            {
                where += "  " + e.name();
            }
            std::printf("    %-*s  %-*s  %-*s  %-*s  %s\n",
                        static_cast<int>(width[0]),
                        access_label(ro, e).c_str(),
                        static_cast<int>(width[1]),
                        e.kind().c_str(),
                        static_cast<int>(width[2]),
                        e.id().c_str(),
                        static_cast<int>(width[3]),
                        cls.c_str(),
                        where.c_str());
        }
        if (listed == 0)
        {
            std::printf("    reaches nothing on this layer\n");
        }
        if (const auto rest = not_granted_text(l); !rest.empty())
        {
            std::printf("    %s: %s\n",
                        ro.mode == policy::enforcement::report ? "report only: not granted" : "not granted",
                        rest.c_str());
        }
    }
}

// One block per role: its settings, then what it reaches layer by layer.
void print_text(const std::string& file, const policy::snapshot& snap, const policy_matrix& m)
{
    const auto& doc = snap.document();
    std::printf("policy matrix  %s (%s), model %s\n",
                file.c_str(),
                snap.hash().substr(0, 16).c_str(),
                std::string(policy::to_string(doc.model)).c_str());
    std::printf("               %zu role(s), %zu user(s), %zu service(s), %zu screen-transfer endpoint(s); "
                "hours in Asia/Tokyo\n",
                doc.roles.size(),
                doc.users.size(),
                doc.services.size(),
                doc.screen_transfer.size());
    for (const auto& r : m.roles)
    {
        const auto& ro = *r.role;
        std::printf(
            "\nrole %s%s%s\n", ro.id.c_str(), ro.description.empty() ? "" : ": ", ro.description.c_str());
        std::string users = std::to_string(r.users);
        if (r.users_expired > 0)
        {
            users += " (" + std::to_string(r.users_expired) + " expired)";
        }
        const std::array<std::pair<const char*, std::string>, 8> settings = {
            {{"mode", mode_text(ro)},
             {"users", users},
             {"layers", layers_text(ro)},
             {"data class", "up to " + std::string(policy::to_string(ro.max_class))},
             {"hours", hours_text(ro.hours)},
             {"mfa", mfa_text(ro)},
             {"posture", posture_text(ro)},
             {"limits", limits_text(ro)}}};
        for (const auto& [name, value] : settings)
        {
            std::printf("  %-11s %s\n", name, value.c_str());
        }
        print_layers(r);
    }
}

boost::json::object entry_json(const matrix_entry& e)
{
    boost::json::array ports;
    for (auto p : e.service != nullptr ? e.service->ports : e.endpoint->ports)
    {
        ports.push_back(p);
    }
    boost::json::array hosts;
    if (e.service != nullptr)
    {
        for (const auto& d : e.service->domains)
        {
            hosts.push_back(boost::json::value(d.to_string()));
        }
    }
    else
    {
        hosts.push_back(boost::json::value(e.endpoint->host));
    }
    return {{"kind", e.kind()},
            {"id", e.id()},
            {"name", e.name()},
            {"hosts", std::move(hosts)},
            {"ports", std::move(ports)},
            {"data_class", e.data_class()},
            {"granted_by", e.granted_by},
            {"local_breakout", e.breakout}};
}

void print_json(const std::string& file, const policy::snapshot& snap, const policy_matrix& m)
{
    const auto& doc = snap.document();
    boost::json::array roles;
    for (const auto& r : m.roles)
    {
        const auto& ro = *r.role;
        boost::json::array layers;
        for (const auto& l : r.layers)
        {
            boost::json::array reaches;
            boost::json::array above_class;
            boost::json::array not_granted;
            for (const auto& e : l.entries)
            {
                auto& list = e.result == access::reaches      ? reaches
                             : e.result == access::data_class ? above_class
                                                              : not_granted;
                list.push_back(entry_json(e));
            }
            layers.push_back({{"layer", std::string(policy::to_string(l.on))},
                              {"reaches", std::move(reaches)},
                              {"denied_by_data_class", std::move(above_class)},
                              {"not_granted", std::move(not_granted)}});
        }
        boost::json::array hours;
        for (const auto& w : ro.hours)
        {
            hours.push_back(boost::json::value(policy::describe(w)));
        }
        roles.push_back({{"id", ro.id},
                         {"description", ro.description},
                         {"mode", ro.mode == policy::enforcement::report ? "report" : "enforce"},
                         {"data_class", std::string(policy::to_string(ro.max_class))},
                         {"hours", std::move(hours)},
                         {"mfa", ro.mfa},
                         {"posture_max_age",
                          ro.posture_max_age ? boost::json::value(ro.posture_max_age->count()) : nullptr},
                         {"tunnels_per_user", ro.tunnels_per_user},
                         {"sessions_per_user", ro.sessions_per_user},
                         {"users", r.users},
                         {"users_expired", r.users_expired},
                         {"layers", std::move(layers)}});
    }
    boost::json::object o{{"file", file},
                          {"policy", snap.hash()},
                          {"model", std::string(policy::to_string(doc.model))},
                          {"users", doc.users.size()},
                          {"roles", std::move(roles)}};
    std::printf("%s\n", boost::json::serialize(o).c_str());
}

} // namespace

int matrix_cmd(const std::string& file, const options& o)
{
    if (o.html && o.json)
    {
        return usage("matrix takes --html or --json, not both");
    }
    auto p = load(file);
    if (!usable(p, file, "tabulate"))
    {
        return exit_failed;
    }
    const auto m = build_matrix(*p.snap, policy::clock::now());
    if (o.html)
    {
        std::fputs(matrix_html(file, *p.snap, m).c_str(), stdout);
    }
    else if (o.json)
    {
        print_json(file, *p.snap, m);
    }
    else
    {
        print_text(file, *p.snap, m);
    }
    return exit_ok;
}

} // namespace sekisho::ctl
