// `sekishoctl metrics` and `sekishoctl policy status`: two more questions to
// a running sekishod through its admin API (admin_client.hpp).
//
//   metrics        GET /v1/metrics: the Prometheus text exposition, printed
//                  as is (--json: the API's answer)
//   policy status  GET /v1/policy: the policy in force, its file, when it
//                  was loaded, what it holds, and the last reload
//
// Exit codes: 0 sekishod answered, 1 it could not be reached or refused,
// 2 usage.

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

// The reply when it is not a success: the reason on stderr (or the JSON
// with --json); the exit code.
int refusal(const admin_args& a, const admin_reply& r)
{
    if (a.json() && r.reached)
    {
        std::printf("%s\n", json::serialize(r.body).c_str());
    }
    if (!r.reached)
    {
        print_error("sekishoctl: %s\n", r.error.c_str());
    }
    else if (!a.json())
    {
        print_error("sekishoctl: sekishod answered %u: %s\n", r.status, r.message().c_str());
    }
    return exit_failed;
}

int metrics(const admin_args& a)
{
    const auto r = call_admin(admin_socket_of(a), "GET", "/v1/metrics");
    if (!r.ok() || !r.body.is_object())
    {
        return refusal(a, r);
    }
    if (a.json())
    {
        std::printf("%s\n", json::serialize(r.body).c_str());
        return exit_ok;
    }
    const auto* text = r.body.as_object().if_contains("text");
    if (text == nullptr || !text->is_string())
    {
        print_error("sekishoctl: sekishod's answer has no metrics text\n");
        return exit_failed;
    }
    std::fwrite(text->as_string().data(), 1, text->as_string().size(), stdout);
    return exit_ok;
}

int policy_status(const admin_args& a)
{
    const auto r = call_admin(admin_socket_of(a), "GET", "/v1/policy");
    if (!r.ok() || !r.body.is_object())
    {
        return refusal(a, r);
    }
    if (a.json())
    {
        std::printf("%s\n", json::serialize(r.body).c_str());
        return exit_ok;
    }
    const auto& o = r.body.as_object();
    std::string age = "-";
    if (const auto* s = o.if_contains("age_seconds"); s != nullptr && s->is_int64())
    {
        age = duration_text(std::chrono::seconds(s->as_int64())) + " ago";
    }
    std::vector<std::vector<std::string>> rows{
        {"policy", json_text(o, "policy").substr(0, 16)},
        {"file", json_text(o, "file")},
        {"loaded", json_time_jst(o.if_contains("loaded_at")) + " (" + age + ")"},
        {"holds",
         json_text(o, "services") + " service(s), " + json_text(o, "screen_transfer") +
             " screen-transfer endpoint(s), " + json_text(o, "users") + " user(s), " +
             json_text(o, "devices") + " device(s)"}};
    if (const auto* last = o.if_contains("last_reload"); last != nullptr && last->is_object())
    {
        const auto& l = last->as_object();
        const auto* ok = l.if_contains("policy_ok");
        const auto* changed = l.if_contains("policy_changed");
        const bool accepted = ok != nullptr && ok->is_bool() && ok->as_bool();
        const bool replaced = changed != nullptr && changed->is_bool() && changed->as_bool();
        rows.push_back(
            {"last reload",
             json_time_jst(l.if_contains("finished")) + ": " +
                 (accepted ? (replaced ? "reloaded" : "unchanged") : "REJECTED, the previous one stays")});
    }
    else
    {
        rows.push_back({"last reload", "none since the start"});
    }
    print_table(rows);
    return exit_ok;
}

} // namespace

int metrics_main(const std::vector<std::string>& args)
{
    static const std::vector<admin_command> top = {{"metrics", nullptr, {"--admin-socket"}, {}, {}}};
    std::vector<std::string> with_name{"metrics"};
    with_name.insert(with_name.end(), args.begin(), args.end());
    const auto a = parse_admin_args("sekishoctl", with_name, top);
    return a ? metrics(*a) : exit_usage;
}

int policy_status_main(const std::vector<std::string>& args)
{
    static const std::vector<admin_command> status = {{"status", nullptr, {"--admin-socket"}, {}, {}}};
    const auto a = parse_admin_args("policy", args, status);
    return a ? policy_status(*a) : exit_usage;
}

} // namespace sekisho::ctl
