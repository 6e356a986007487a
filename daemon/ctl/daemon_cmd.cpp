// `sekishoctl status`, `reload`, `session list`, `session kill`: a running
// sekishod through its admin API (admin_client.hpp). Exit codes: 0 done,
// 1 the daemon refused or could not be reached, 2 usage.

#include "daemon/ctl/admin.hpp"
#include "daemon/ctl/admin_client.hpp"
#include "daemon/ctl/common.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace sekisho::ctl {

namespace {

namespace json = boost::json;

// Prints the reply (JSON as is with --json); the exit code.
int finish(const admin_args& a, const admin_reply& r)
{
    if (!r.reached)
    {
        print_error("sekishoctl: %s\n", r.error.c_str());
        return exit_failed;
    }
    if (a.json())
    {
        std::printf("%s\n", json::serialize(r.body).c_str());
    }
    else if (!r.ok())
    {
        print_error("sekishoctl: sekishod answered %u: %s\n", r.status, r.message().c_str());
    }
    return r.ok() ? exit_ok : exit_failed;
}

void print_lines(const json::object& o, const char* key, const char* heading)
{
    const auto* list = o.if_contains(key);
    if (list == nullptr || !list->is_array() || list->as_array().empty())
    {
        return;
    }
    std::printf("%s\n", heading);
    for (const auto& line : list->as_array())
    {
        std::printf("  %s\n", json_text(&line).c_str());
    }
}

void print_reload(const json::object& o)
{
    const bool policy_ok = o.if_contains("policy_ok") && o.at("policy_ok").as_bool();
    const bool changed = o.if_contains("policy_changed") && o.at("policy_changed").as_bool();
    std::printf("policy    %s (%s)\n",
                policy_ok ? (changed ? "reloaded" : "unchanged") : "REJECTED, the previous one stays",
                json_text(o.if_contains("policy")).substr(0, 16).c_str());
    if (const auto* s = o.if_contains("secrets_ok"))
    {
        std::printf("secrets   %s\n", s->as_bool() ? "reloaded" : "REJECTED, the previous file stays");
    }
    print_lines(o, "policy_diagnostics", "policy diagnostics:");
    print_lines(o, "secrets_diagnostics", "secrets diagnostics:");
}

int status(const admin_args& a)
{
    const auto r = call_admin(admin_socket_of(a), "GET", "/v1/status");
    if (a.json() || !r.ok())
    {
        return finish(a, r);
    }
    const auto& o = r.body.as_object();
    std::printf("sekishod  %s, pid %s, up %ss%s\n",
                json_text(o.if_contains("version")).c_str(),
                json_text(o.if_contains("pid")).c_str(),
                json_text(o.if_contains("uptime_seconds")).c_str(),
                o.if_contains("draining") && o.at("draining").as_bool() ? ", DRAINING" : "");
    std::printf("policy    %s\n", json_text(o.if_contains("policy")).substr(0, 16).c_str());
    std::printf("connections %s", json_text(o.if_contains("connections")).c_str());
    if (o.if_contains("sessions"))
    {
        std::printf(", sessions %s", json_text(o.if_contains("sessions")).c_str());
    }
    std::printf("\n");
    if (const auto* st = o.if_contains("store"); st != nullptr && st->is_object())
    {
        const auto& x = st->as_object();
        const bool shared = x.if_contains("shared") && x.at("shared").as_bool();
        const bool up = x.if_contains("reachable") && x.at("reachable").as_bool();
        const bool fallback = x.if_contains("fallback") && x.at("fallback").as_bool();
        if (shared)
        {
            std::printf("store     %s %s, %s round trips, %s errors\n",
                        json_text(x.if_contains("type")).c_str(),
                        up ? ("reachable at " + json_text(x.if_contains("server"))).c_str()
                           : (fallback ? "UNREACHABLE (local_fallback: per instance)"
                                       : "UNREACHABLE (fail_closed: new sign-ins refused)"),
                        json_text(x.if_contains("round_trips")).c_str(),
                        json_text(x.if_contains("errors")).c_str());
        }
        else
        {
            std::printf("store     in this process (auth.store: memory)\n");
        }
    }
    if (const auto* au = o.if_contains("audit"); au != nullptr && au->is_object())
    {
        const auto& x = au->as_object();
        const bool healthy = x.if_contains("healthy") && x.at("healthy").as_bool();
        std::printf("audit     %s (%s), seq %s written, %s on disk, queue %s/%s, lost %s%s%s\n",
                    healthy ? "writable" : "NOT WRITABLE",
                    json_text(x.if_contains("mode")).c_str(),
                    json_text(x.if_contains("written_seq")).c_str(),
                    json_text(x.if_contains("durable_seq")).c_str(),
                    json_text(x.if_contains("queue_depth")).c_str(),
                    json_text(x.if_contains("queue_capacity")).c_str(),
                    json_text(x.if_contains("lost")).c_str(),
                    healthy ? "" : ": ",
                    healthy ? "" : json_text(x.if_contains("error")).c_str());
    }
    if (const auto* last = o.if_contains("last_reload"); last != nullptr && last->is_object())
    {
        std::printf("last reload at %s:\n", json_time_jst(last->as_object().if_contains("finished")).c_str());
        print_reload(last->as_object());
    }
    return exit_ok;
}

int reload(const admin_args& a)
{
    const auto r = call_admin(admin_socket_of(a), "POST", "/v1/reload");
    if (a.json() || !r.reached || !r.body.is_object() || !r.body.as_object().contains("policy_ok"))
    {
        return finish(a, r);
    }
    print_reload(r.body.as_object());
    return r.ok() ? exit_ok : exit_failed;
}

void print_sessions(const json::value& list)
{
    std::vector<std::vector<std::string>> rows{{"SESSION", "USER", "DEVICE", "LAYER", "TUNNELS", "SINCE"}};
    if (list.is_array())
    {
        for (const auto& s : list.as_array())
        {
            const auto& o = s.as_object();
            rows.push_back({json_text(o.if_contains("id")),
                            json_text(o.if_contains("user")),
                            json_text(o.if_contains("device")),
                            json_text(o.if_contains("layer")),
                            json_text(o.if_contains("open_tunnels")),
                            json_time_jst(o.if_contains("started"))});
        }
    }
    print_table(rows);
}

int session_list(const admin_args& a)
{
    std::string path = "/v1/sessions";
    std::string sep = "?";
    for (const char* key : {"--user", "--device"})
    {
        if (const auto* v = a.get(key))
        {
            path += sep + std::string(key + 2) + "=" + *v;
            sep = "&";
        }
    }
    const auto r = call_admin(admin_socket_of(a), "GET", path);
    if (a.json() || !r.ok())
    {
        return finish(a, r);
    }
    print_sessions(r.body.as_object().at("sessions"));
    return exit_ok;
}

int session_kill(const admin_args& a)
{
    json::object body;
    if (!a.positional.empty())
    {
        body["id"] = a.positional[0];
    }
    for (const char* key : {"--user", "--device"})
    {
        if (const auto* v = a.get(key))
        {
            body[key + 2] = *v;
        }
    }
    if (body.size() != 1)
    {
        return usage("session kill takes one of ID, --user USER, --device ID");
    }
    const auto r = call_admin(admin_socket_of(a), "POST", "/v1/sessions/kill", &body);
    if (a.json() || !r.ok())
    {
        return finish(a, r);
    }
    const auto& killed = r.body.as_object().at("killed");
    std::printf("ended %zu session(s); their tunnels are closed\n", killed.as_array().size());
    print_sessions(killed);
    return exit_ok;
}

} // namespace

int daemon_main(const std::string& group, const std::vector<std::string>& args)
{
    static const std::vector<admin_command> top = {
        {"status", nullptr, {"--admin-socket"}, {}, {}},
        {"reload", nullptr, {"--admin-socket"}, {}, {}},
    };
    static const std::vector<admin_command> session = {
        {"list", nullptr, {"--admin-socket", "--user", "--device"}, {}, {}},
        {"kill", "[ID]", {"--admin-socket", "--user", "--device"}, {}, {}},
    };
    if (group == "session")
    {
        const auto a = parse_admin_args("session", args, session);
        if (!a)
        {
            return exit_usage;
        }
        return a->command == "list" ? session_list(*a) : session_kill(*a);
    }
    std::vector<std::string> with_name{group};
    with_name.insert(with_name.end(), args.begin(), args.end());
    const auto a = parse_admin_args("sekishoctl", with_name, top);
    if (!a)
    {
        return exit_usage;
    }
    return a->command == "status" ? status(*a) : reload(*a);
}

} // namespace sekisho::ctl
