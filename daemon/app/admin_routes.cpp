#include "daemon/app/admin_routes.hpp"

#include "daemon/app/server.hpp"
#include "daemon/auth/secrets.hpp"
#include "daemon/log/logger.hpp"
#include "policy/model.hpp"

#include <boost/json/array.hpp>

#include <chrono>
#include <string_view>

#ifndef SEKISHO_VERSION
#define SEKISHO_VERSION "unknown"
#endif

namespace sekisho::app {

namespace asio = boost::asio;
namespace json = boost::json;
using admin::error;
using admin::response;

namespace {

constexpr std::string_view users_prefix = "/v1/users/";
constexpr std::string_view unlock_suffix = "/unlock";

std::int64_t unix_seconds(std::chrono::system_clock::time_point t)
{
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

json::array text_list(const std::vector<std::string>& lines)
{
    json::array a;
    for (const auto& l : lines)
    {
        a.emplace_back(l);
    }
    return a;
}

json::object session_json(const auth::session_info& s)
{
    return {{"id", s.id},
            {"user", s.user},
            {"device", s.device},
            {"layer", std::string(policy::to_string(s.on))},
            {"started", unix_seconds(s.started)},
            {"last_used", unix_seconds(s.last_used)},
            {"open_tunnels", s.open_tunnels}};
}

json::object report_json(const reload_report& r)
{
    json::object o{{"policy_ok", r.policy_ok},
                   {"policy_changed", r.policy_changed},
                   {"policy", r.policy_hash},
                   {"policy_diagnostics", text_list(r.policy_diagnostics)},
                   {"finished", unix_seconds(r.finished)}};
    if (r.secrets_configured)
    {
        o["secrets_ok"] = r.secrets_ok;
        o["secrets_diagnostics"] = text_list(r.secrets_diagnostics);
    }
    return o;
}

// The query parameter `name` of a path ("/v1/sessions?user=tanaka"); ids
// never need percent-decoding (policy ids are [a-z0-9._-]).
std::string query_value(std::string_view path, std::string_view name)
{
    const auto q = path.find('?');
    if (q == std::string_view::npos)
    {
        return {};
    }
    auto rest = path.substr(q + 1);
    while (!rest.empty())
    {
        const auto amp = rest.find('&');
        const auto pair = rest.substr(0, amp);
        if (pair.size() > name.size() && pair.substr(0, name.size()) == name && pair[name.size()] == '=')
        {
            return std::string(pair.substr(name.size() + 1));
        }
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    }
    return {};
}

std::string_view path_only(std::string_view path)
{
    return path.substr(0, path.find('?'));
}

} // namespace

asio::awaitable<response> admin_routes::handle(const admin::request& r)
{
    // Only a reload waits; every other route answers at once.
    response out;
    if (path_only(r.path) == "/v1/reload" && r.method == "POST")
    {
        out = co_await reload();
    }
    else
    {
        out = route(r);
    }
    if (r.method != "GET")
    {
        // Every change an operator asks for, with who asked and the answer.
        server_.state_.audit_event("admin_action",
                                   {{"action", std::string(path_only(r.path))},
                                    {"method", r.method},
                                    {"uid", r.who.uid},
                                    {"pid", r.who.pid},
                                    {"status", out.status},
                                    {"result", out.body}});
    }
    co_return out;
}

response admin_routes::route(const admin::request& r)
{
    const auto path = path_only(r.path);
    const bool get = r.method == "GET";
    const bool post = r.method == "POST";
    if (path == "/v1/status")
    {
        return get ? status() : error(405, "method_not_allowed", "use GET /v1/status");
    }
    if (path == "/v1/reload")
    {
        return error(405, "method_not_allowed", "use POST /v1/reload");
    }
    if (path == "/v1/sessions")
    {
        return get ? sessions(r) : error(405, "method_not_allowed", "use GET /v1/sessions");
    }
    if (path == "/v1/sessions/kill")
    {
        return post ? kill_sessions(r) : error(405, "method_not_allowed", "use POST /v1/sessions/kill");
    }
    if (path == "/v1/policy")
    {
        return get ? policy() : error(405, "method_not_allowed", "use GET /v1/policy");
    }
    if (path == "/v1/metrics")
    {
        return get ? metrics() : error(405, "method_not_allowed", "use GET /v1/metrics");
    }
    if (path.starts_with(users_prefix) && path.ends_with(unlock_suffix) &&
        path.size() > users_prefix.size() + unlock_suffix.size())
    {
        const std::string user(
            path.substr(users_prefix.size(), path.size() - users_prefix.size() - unlock_suffix.size()));
        return post ? unlock_user(user) : error(405, "method_not_allowed", "use POST");
    }
    return error(404, "not_found", "no such admin route: " + std::string(path) + " (see docs/admin-api.md)");
}

response admin_routes::status() const
{
    auto& st = server_.state_;
    const auto snap = st.policy.load();
    const auto now = std::chrono::system_clock::now();
    json::object body{{"version", SEKISHO_VERSION},
                      {"pid", static_cast<std::int64_t>(::getpid())},
                      {"uptime_seconds", unix_seconds(now) - unix_seconds(server_.started_at_)},
                      {"draining", server_.draining_},
                      {"policy", snap->hash()},
                      {"connections", st.active.load()},
                      {"auth", st.auth != nullptr}};
    if (st.auth)
    {
        body["sessions"] = st.auth->store().session_count(st.auth->options().session, now);
        body["auth_pending"] = st.auth->pending();
        const auto h = st.auth->store().health();
        body["store"] = {{"type", h.kind},
                         {"shared", h.shared},
                         {"reachable", h.reachable},
                         {"fallback", h.fallback},
                         {"server", h.server},
                         {"errors", h.errors},
                         {"round_trips", h.round_trips}};
    }
    if (server_.last_reload_)
    {
        body["last_reload"] = report_json(*server_.last_reload_);
    }
    if (st.audit)
    {
        const auto a = st.audit->status();
        body["audit"] = {{"healthy", a.healthy},
                         {"mode", a.fail_closed ? "fail_closed" : "best_effort"},
                         {"file", a.file},
                         {"queue_depth", a.queue_depth},
                         {"queue_capacity", a.queue_capacity},
                         {"written_seq", a.written_seq},
                         {"durable_seq", a.durable_seq},
                         {"lost", a.lost},
                         {"checkpoints", a.checkpoints},
                         {"fsyncs", a.fsyncs},
                         {"last_fsync_us", a.last_fsync.count()},
                         {"max_fsync_us", a.max_fsync.count()},
                         {"error", a.last_error}};
        if (st.audit_forward)
        {
            const auto f = st.audit_forward->status();
            body["audit"].as_object()["forward"] = {{"connected", f.connected},
                                                    {"forwarded_seq", f.forwarded_seq},
                                                    {"sent_seq", f.sent_seq},
                                                    {"reconnects", f.reconnects},
                                                    {"error", f.last_error}};
        }
    }
    response out;
    out.body = std::move(body);
    return out;
}

response admin_routes::policy() const
{
    const auto& st = server_.state_;
    const auto snap = st.policy.load();
    const auto& doc = snap->document();
    const auto now = std::chrono::system_clock::now();
    json::object body{{"policy", snap->hash()},
                      {"file", st.settings.policy_file},
                      {"loaded_at", unix_seconds(server_.policy_loaded_at_)},
                      {"age_seconds", unix_seconds(now) - unix_seconds(server_.policy_loaded_at_)},
                      {"services", doc.services.size()},
                      {"screen_transfer", doc.screen_transfer.size()},
                      {"users", doc.users.size()},
                      {"devices", doc.devices.size()}};
    if (server_.last_reload_)
    {
        body["last_reload"] = report_json(*server_.last_reload_);
    }
    response out;
    out.body = std::move(body);
    return out;
}

response admin_routes::metrics() const
{
    response out;
    out.body = {{"format", "prometheus"}, {"text", server_.metrics_text()}};
    return out;
}

asio::awaitable<response> admin_routes::reload()
{
    if (server_.draining_)
    {
        co_return error(409, "draining", "sekishod is stopping; it reloads nothing more");
    }
    reload_report report = co_await server_.reload_and_wait();
    response out;
    // 200 when everything read was accepted; 422 when a file was rejected
    // (the one in force stays, as with SIGHUP).
    out.status = report.policy_ok && report.secrets_ok ? 200 : 422;
    out.body = report_json(report);
    co_return out;
}

response admin_routes::sessions(const admin::request& r) const
{
    auto& st = server_.state_;
    if (!st.auth)
    {
        return error(409, "no_auth", "telework sessions exist only with an `auth:` section");
    }
    const auto user = query_value(r.path, "user");
    const auto device = query_value(r.path, "device");
    json::array list;
    for (const auto& s :
         st.auth->store().sessions(st.auth->options().session, std::chrono::system_clock::now()))
    {
        if ((user.empty() || s.user == user) && (device.empty() || s.device == device))
        {
            list.push_back(session_json(s));
        }
    }
    response out;
    out.body = {{"sessions", std::move(list)}};
    return out;
}

response admin_routes::kill_sessions(const admin::request& r)
{
    auto& st = server_.state_;
    if (!st.auth)
    {
        return error(409, "no_auth", "telework sessions exist only with an `auth:` section");
    }
    const auto* o = r.body.if_object();
    const auto field = [&](const char* key) -> std::string {
        const auto* v = o != nullptr ? o->if_contains(key) : nullptr;
        return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    const auto id = field("id");
    const auto user = field("user");
    const auto device = field("device");
    if (static_cast<int>(!id.empty()) + static_cast<int>(!user.empty()) + static_cast<int>(!device.empty()) !=
        1)
    {
        return error(
            400, "bad_request", R"(give exactly one of {"id": ...}, {"user": ...}, {"device": ...})");
    }
    std::vector<std::string> ids;
    json::array killed;
    for (const auto& s :
         st.auth->store().sessions(st.auth->options().session, std::chrono::system_clock::now()))
    {
        if ((!id.empty() && s.id == id) || (!user.empty() && s.user == user) ||
            (!device.empty() && s.device == device))
        {
            ids.push_back(s.id);
            killed.push_back(session_json(s));
            log::info("session_ended",
                      {{"session", s.id},
                       {"user", s.user},
                       {"device", s.device},
                       {"layer", std::string(policy::to_string(s.on))},
                       {"cause", "operator"},
                       {"uid", std::to_string(r.who.uid)}});
        }
    }
    server_.end_sessions(ids, "session_killed");
    response out;
    out.status = ids.empty() ? 404 : 200;
    out.body = {{"killed", std::move(killed)}};
    if (ids.empty())
    {
        out.body["error"] = "not_found";
        out.body["message"] = "no live session matches";
    }
    return out;
}

response admin_routes::unlock_user(const std::string& user)
{
    auto& st = server_.state_;
    if (!st.auth)
    {
        return error(409, "no_auth", "there are no lockouts without an `auth:` section");
    }
    if (!auth::valid_user_id(user))
    {
        return error(400, "bad_user", "`" + user + "` is not a user id");
    }
    const auto now = std::chrono::system_clock::now();
    auto& store = st.auth->store();
    // The user's own counter, and those of the devices they own: a device
    // locked by the same failures would keep them out.
    std::vector<std::string> keys{auth::user_key(user)};
    const auto snap = st.policy.load();
    for (const auto& dv : snap->document().devices)
    {
        if (dv.owner == user)
        {
            keys.push_back(auth::device_key(dv.id));
        }
    }
    json::array lifted;
    for (const auto& key : keys)
    {
        const auto a = store.attempts(key, now).value_or(auth::attempt_state{});
        if (a.failures > 0 || a.locked(now))
        {
            lifted.push_back(
                json::object{{"key", key}, {"failures", a.failures}, {"was_locked", a.locked(now)}});
        }
        store.unlock(key);
    }
    log::info("user_unlocked", {{"user", user}, {"lifted", std::to_string(lifted.size())}});
    response out;
    out.body = {{"user", user},
                {"lifted", std::move(lifted)},
                {"locked_by_operator", st.auth->locked_by_operator(user)}};
    return out;
}

} // namespace sekisho::app
