// `sekishoctl user list`: who has a password and a TOTP key (never the hash
// or the key), and with --policy who they are, their roles and devices.

#include "daemon/ctl/admin.hpp"
#include "daemon/ctl/common.hpp"
#include "daemon/ctl/user_secrets.hpp"
#include "policy/load.hpp"

#include <cstdio>
#include <map>

namespace sekisho::ctl {

namespace {

struct user_row
{
    bool in_secrets = false;
    bool password = false;
    bool totp = false;
    const policy::user* user = nullptr; // with --policy
    std::vector<const policy::device*> devices;
};

std::string devices_text(const user_row& r)
{
    std::vector<std::string> parts;
    for (const auto* d : r.devices)
    {
        parts.push_back(d->id + " (" + std::string(policy::to_string(d->kind)) + ", " +
                        std::string(policy::to_string(d->status)) + ")");
    }
    return parts.empty() ? std::string("-") : join(parts, ", ");
}

} // namespace

int user_list_cmd(const admin_args& a)
{
    const auto& file = *a.get("--secrets");
    loaded_secrets s;
    if (!load_secrets(file, false, "listed", s))
    {
        return exit_failed;
    }
    const auto* policy_file = a.get("--policy");
    std::optional<policy::policy_document> doc;
    if (policy_file != nullptr)
    {
        auto loaded = policy::load_policy_file(*policy_file);
        if (loaded.diags.has_errors() || !loaded.document)
        {
            print_diagnostics(loaded.diags);
            print_error("sekishoctl: %s has errors; nothing listed\n", policy_file->c_str());
            return exit_failed;
        }
        doc = std::move(loaded.document);
    }
    std::map<std::string, user_row> rows;
    for (const auto& [id, u] : s.value.users)
    {
        auto& r = rows[id];
        r.in_secrets = true;
        r.password = !u.password_hash.empty();
        r.totp = !u.totp_key.empty();
    }
    if (doc)
    {
        for (const auto& u : doc->users)
        {
            rows[u.id].user = &u;
        }
        for (const auto& d : doc->devices)
        {
            rows[d.owner].devices.push_back(&d);
        }
    }
    std::size_t ready = 0;
    std::size_t no_totp = 0;
    std::size_t no_password = 0;
    std::size_t not_in_policy = 0;
    for (const auto& [id, r] : rows)
    {
        if (doc && !r.user && !r.in_secrets)
        {
            continue; // a device owner that is no user: policy check reports it
        }
        ready += r.password && r.totp && (!doc || r.user) ? 1U : 0U;
        no_totp += r.password && !r.totp ? 1U : 0U;
        no_password += r.password ? 0U : 1U;
        not_in_policy += doc && !r.user ? 1U : 0U;
    }
    if (a.json())
    {
        boost::json::array users;
        for (const auto& [id, r] : rows)
        {
            if (doc && !r.user && !r.in_secrets)
            {
                continue;
            }
            boost::json::object o{{"id", id}, {"password", r.password}, {"totp", r.totp}};
            if (doc)
            {
                o["in_policy"] = r.user != nullptr;
                o["name"] = r.user ? r.user->name : std::string();
                o["department"] = r.user ? r.user->department : std::string();
                boost::json::array roles;
                for (const auto& role : r.user ? r.user->roles : std::vector<std::string>{})
                {
                    roles.push_back(boost::json::value(role));
                }
                o["roles"] = std::move(roles);
                boost::json::array devices;
                for (const auto* d : r.devices)
                {
                    devices.push_back({{"id", d->id},
                                       {"kind", std::string(policy::to_string(d->kind))},
                                       {"status", std::string(policy::to_string(d->status))}});
                }
                o["devices"] = std::move(devices);
            }
            users.push_back(std::move(o));
        }
        boost::json::object out{{"secrets", file}, {"users", std::move(users)}};
        if (policy_file != nullptr)
        {
            out["policy"] = *policy_file;
        }
        print_json(out);
        return exit_ok;
    }
    std::vector<std::vector<std::string>> table;
    if (doc)
    {
        table.push_back({"USER", "PASSWORD", "TOTP", "ROLES", "DEVICES", "NAME"});
    }
    else
    {
        table.push_back({"USER", "PASSWORD", "TOTP"});
    }
    for (const auto& [id, r] : rows)
    {
        if (doc && !r.user && !r.in_secrets)
        {
            continue;
        }
        std::vector<std::string> row = {id, r.password ? "set" : "-", r.totp ? "enrolled" : "-"};
        if (doc)
        {
            row.push_back(r.user && !r.user->roles.empty() ? join(r.user->roles, ",") : "-");
            row.push_back(devices_text(r));
            if (r.user)
            {
                std::string name = r.user->name.empty() ? "-" : r.user->name;
                if (!r.user->department.empty())
                {
                    name += " (" + r.user->department + ")";
                }
                row.push_back(name);
            }
            else
            {
                row.emplace_back("(not in the policy: refused)");
            }
        }
        table.push_back(std::move(row));
    }
    print_table(table);
    std::printf("%zu user(s): %zu can sign in (password and TOTP%s), %zu without a TOTP key",
                table.size() - 1,
                ready,
                doc ? ", in the policy" : "",
                no_totp);
    if (doc)
    {
        std::printf(", %zu without a password, %zu not in the policy", no_password, not_in_policy);
    }
    std::printf("\n");
    return exit_ok;
}

} // namespace sekisho::ctl
