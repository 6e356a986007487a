// doctor's `store` check (auth.store, type: redis): the sentinels answer and
// name a primary, and the primary accepts sekishod's ACL user and answers,
// over TLS when configured, with the daemon's own timeouts. Only with a
// shared store: the in-process store has nothing to reach.

#include "daemon/ctl/doctor.hpp"
#include "daemon/i18n/catalog.hpp"
#include "daemon/redis/client.hpp"

namespace sekisho::ctl::doctor {

namespace {

namespace store_text {
constexpr const char* reached = "Redis primary {server} answers (user {user}{tls})";
constexpr const char* via_sentinels = "; {answered} of {sentinels} sentinel(s) answer";
constexpr const char* some_sentinels_do =
    "a sentinel does not answer: with fewer than the quorum, a fail-over cannot happen "
    "(redis-cli -p PORT ping on each sentinel host)";
constexpr const char* no_role = "; the ACL user may not run ROLE";
constexpr const char* no_role_do =
    "add +role to the ACL user (docs/deployment.md#store): without it a replica "
    "is recognised only when a write fails";
constexpr const char* replica = "{server} is a replica, not the primary";
constexpr const char* unreachable = "the session store cannot be reached: {why}";
constexpr const char* unreachable_do =
    "with on_unavailable: fail_closed nobody can sign in: check that Redis runs "
    "(systemctl status redis-server), the address, the ACL user and password_file, and the TLS CA";
constexpr const char* bad_tls = "auth.store.tls: {why}";
} // namespace store_text

redis::connect_options
options_of(const config::store_settings& s, bool sentinel, std::shared_ptr<SSL_CTX> tls)
{
    redis::connect_options o;
    o.tls = std::move(tls);
    o.server_name = s.server_name;
    o.username = sentinel ? s.sentinel_username : s.username;
    o.password = sentinel ? s.sentinel_password : s.password;
    o.database = sentinel ? 0 : s.database;
    o.connect_timeout = s.connect_timeout;
    o.command_timeout = s.command_timeout;
    return o;
}

} // namespace

std::vector<finding> check_store(const inputs& in)
{
    if (in.settings == nullptr || !in.settings->auth || !in.settings->auth->store.redis)
    {
        return {};
    }
    const auto& s = in.settings->auth->store;
    finding f{"store", status::ok, {}, {}, {}};
    std::shared_ptr<SSL_CTX> tls;
    if (s.tls)
    {
        std::string why;
        tls = redis::make_tls_context({s.ca_file, s.server_name, s.certificate_file, s.key_file}, why);
        if (!tls)
        {
            f.level = status::fail;
            f.message = fill(store_text::bad_tls, {{"why", why}});
            f.actions.push_back(store_text::unreachable_do);
            return {f};
        }
    }
    std::vector<redis::endpoint> candidates;
    for (const auto& e : s.servers)
    {
        candidates.push_back({e.host, e.port});
    }
    std::string why;
    std::size_t answered = 0;
    for (const auto& e : s.sentinels)
    {
        std::string error;
        auto c = redis::connection::open({e.host, e.port}, options_of(s, true, tls), error);
        redis::value r;
        const auto primary = c && c->call({"SENTINEL", "get-master-addr-by-name", s.master_name}, r, error)
                                 ? redis::primary_from_sentinel(r)
                                 : std::nullopt;
        if (primary)
        {
            ++answered;
            if (candidates.empty() || candidates.back().text() != primary->text())
            {
                candidates.push_back(*primary);
            }
            continue;
        }
        why += (why.empty() ? "" : "; ") +
               (error.empty() ? redis::endpoint{e.host, e.port}.text() + " does not know " + s.master_name
                              : error);
    }
    for (const auto& at : candidates)
    {
        std::string error;
        auto c = redis::connection::open(at, options_of(s, false, tls), error);
        redis::value r;
        if (!c || !c->call({"ROLE"}, r, error))
        {
            why += (why.empty() ? "" : "; ") + error;
            continue;
        }
        const bool no_role = r.is_error();
        if (!no_role && (r.kind != redis::kind::array || r.items.empty() || r.items[0].text != "master"))
        {
            why += (why.empty() ? "" : "; ") + fill(store_text::replica, {{"server", at.text()}});
            continue;
        }
        f.message = fill(store_text::reached,
                         {{"server", at.text()},
                          {"user", s.username.empty() ? "default" : s.username},
                          {"tls", s.tls ? ", TLS" : ""}});
        if (!s.sentinels.empty())
        {
            f.message += fill(
                store_text::via_sentinels,
                {{"answered", std::to_string(answered)}, {"sentinels", std::to_string(s.sentinels.size())}});
            if (answered < s.sentinels.size())
            {
                f.level = status::warn;
                f.actions.push_back(store_text::some_sentinels_do);
            }
        }
        if (no_role)
        {
            f.level = status::warn;
            f.message += i18n::text(store_text::no_role);
            f.actions.push_back(store_text::no_role_do);
        }
        return {f};
    }
    f.level = status::fail;
    f.message = fill(store_text::unreachable, {{"why", why.empty() ? "no server answered" : why}});
    f.actions.push_back(store_text::unreachable_do);
    return {f};
}

} // namespace sekisho::ctl::doctor
