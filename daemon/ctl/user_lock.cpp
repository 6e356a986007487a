// `sekishoctl user lock | unlock USER --secrets FILE [--admin-socket PATH]`.
//
// lock: `locked: true` in the secrets file, then a reload through the admin
// API: sekishod refuses the user's sign-ins and ends their sessions (their
// tunnels close). The lock is in the file, so it holds across restarts and
// for every instance that reads the file.
//
// unlock: clears `locked` in the file (and reloads), then asks sekishod to
// lift the failure lockouts it holds in memory for the user and their
// devices (auth.lockout). Without a reachable daemon the file is still
// changed, and the command says what is left to do.

#include "daemon/ctl/admin.hpp"
#include "daemon/ctl/admin_client.hpp"
#include "daemon/ctl/common.hpp"
#include "daemon/ctl/user_secrets.hpp"

#include <boost/json.hpp>

#include <cstdio>

namespace sekisho::ctl {

namespace {

admin_reply reload(const std::string& socket)
{
    return call_admin(socket, "POST", "/v1/reload");
}

std::string describe_reload(const admin_reply& r)
{
    if (!r.reached)
    {
        return r.error + "; " + reload_secrets_hint;
    }
    if (r.ok())
    {
        return "sekishod reloaded";
    }
    std::string text = "sekishod's reload refused a file (the one in force stays):";
    if (const auto* o = r.body.if_object())
    {
        for (const char* key : {"secrets_diagnostics", "policy_diagnostics"})
        {
            if (const auto* list = o->if_contains(key); list != nullptr && list->is_array())
            {
                for (const auto& line : list->as_array())
                {
                    if (line.is_string())
                    {
                        text += "\n  " + std::string(line.as_string());
                    }
                }
            }
        }
    }
    return text;
}

} // namespace

int user_lock_cmd(const admin_args& a)
{
    const bool lock = a.command == "lock";
    const auto& file = *a.get("--secrets");
    const auto& id = a.positional[0];
    loaded_secrets s;
    auto* user = load_existing_user(file, id, s);
    if (user == nullptr)
    {
        return exit_failed;
    }
    const bool changed = user->locked != lock;
    user->locked = lock;
    if (changed && !write_secrets(file, s.value))
    {
        return exit_failed;
    }
    const auto socket = admin_socket_of(a);
    // The file first, then the daemon: a lock must hold even if the daemon
    // is restarted before it hears of it.
    const auto reloaded = changed ? reload(socket) : admin_reply{};
    admin_reply lifted;
    if (!lock)
    {
        lifted = call_admin(socket, "POST", "/v1/users/" + id + "/unlock");
    }

    if (a.json())
    {
        boost::json::object o{
            {"secrets", file}, {"user", id}, {"action", a.command}, {"file_changed", changed}};
        if (changed)
        {
            o["reloaded"] = reloaded.ok();
            if (!reloaded.reached)
            {
                o["daemon_error"] = reloaded.error;
            }
        }
        if (!lock)
        {
            o["lockouts_lifted"] = lifted.ok();
            if (lifted.ok())
            {
                o["unlock"] = lifted.body;
            }
            else
            {
                o["daemon_error"] = lifted.message();
            }
        }
        print_json(o);
    }
    else
    {
        if (lock)
        {
            std::printf("%s: %s %s\n", file.c_str(), id.c_str(), changed ? "locked" : "was already locked");
            if (changed)
            {
                std::printf("%s%s\n",
                            describe_reload(reloaded).c_str(),
                            reloaded.ok() ? ": their sign-ins are refused and their sessions ended" : "");
            }
        }
        else
        {
            std::printf("%s: %s %s\n",
                        file.c_str(),
                        id.c_str(),
                        changed ? "unlocked" : "was not locked by an operator");
            if (changed)
            {
                std::printf("%s\n", describe_reload(reloaded).c_str());
            }
            if (lifted.ok())
            {
                const auto* list = lifted.body.as_object().if_contains("lifted");
                const auto n = list != nullptr && list->is_array() ? list->as_array().size() : 0;
                std::printf("failure lockouts lifted: %zu (the user's and their devices')\n", n);
            }
            else
            {
                std::printf(
                    "failure lockouts not lifted: %s; they end by themselves after auth.lockout.duration\n",
                    lifted.message().c_str());
            }
        }
    }
    // The file is what was asked for; a daemon that could not be told is
    // reported, and is a failure only when the lock did not take effect.
    if (lock && changed && !reloaded.ok())
    {
        return exit_failed;
    }
    return !lock && !lifted.ok() ? exit_failed : exit_ok;
}

} // namespace sekisho::ctl
