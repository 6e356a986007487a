#include "daemon/app/startup.hpp"

#include "daemon/app/reload.hpp"
#include "daemon/audit/keys.hpp"
#include "daemon/auth/redis_store.hpp"
#include "daemon/auth/secrets.hpp"
#include "daemon/tls/context.hpp"
#include "policy/load.hpp"

#include <stdexcept>
#include <thread>

#include <malloc.h>
#include <unistd.h>

namespace sekisho::app {

std::string audit_instance(const config::audit_settings& a)
{
    if (!a.instance.empty())
    {
        return a.instance;
    }
    char name[256] = {};
    return ::gethostname(name, sizeof name - 1) == 0 ? std::string(name) : std::string("unknown");
}

namespace {

// auth.store: this process's memory, or Redis shared by the instances.
std::unique_ptr<auth::state_store> make_store(const config::settings& s)
{
    const auto& st = s.auth->store;
    if (!st.redis)
    {
        return auth::make_memory_store();
    }
    auth::redis_store_options o;
    for (const auto& e : st.servers)
    {
        o.servers.push_back({e.host, e.port});
    }
    for (const auto& e : st.sentinels)
    {
        o.sentinels.push_back({e.host, e.port});
    }
    o.master_name = st.master_name;
    o.username = st.username;
    o.password = st.password;
    o.sentinel_username = st.sentinel_username;
    o.sentinel_password = st.sentinel_password;
    o.tls = st.tls;
    o.ca_file = st.ca_file;
    o.server_name = st.server_name;
    o.certificate_file = st.certificate_file;
    o.key_file = st.key_file;
    o.prefix = st.prefix;
    o.database = st.database;
    o.connect_timeout = st.connect_timeout;
    o.command_timeout = st.command_timeout;
    o.reconnect_backoff = st.reconnect_backoff;
    o.reconnect_backoff_max = st.reconnect_backoff_max;
    o.local_fallback = st.local_fallback;
    // Unique per process: two instances may share a host name.
    o.instance = (s.audit ? audit_instance(*s.audit) : audit_instance({})) + "/" + std::to_string(::getpid());
    return auth::make_redis_store(std::move(o));
}

} // namespace

startup_result load_everything(const std::string& config_path, bool open_log)
{
    startup_result out;
    auto settings = config::load_settings_file(config_path);
    out.diags.append(settings.diags);
    if (!settings.value)
    {
        return out;
    }
    auto state = std::make_unique<runtime::shared_state>();
    state->settings = std::move(*settings.value);
    const auto& s = state->settings;

    if (s.policy_file.empty())
    {
        return out; // the missing `policy:` key is already reported
    }
    // Loaded and compiled as a reload is (load_policy_snapshot), and on a
    // thread of its own: glibc gives that thread its own malloc arena, so the
    // loader's passing memory (a large catalogue peaks at about three times
    // what it keeps) is freed there, not left as holes among the allocations
    // of I/O thread 0 (the main thread), whose tunnels would otherwise be
    // spread over them (docs/performance.md, "Large policies and the heap").
    policy::compile_inputs inputs;
    for (const auto& l : s.listeners)
    {
        inputs.self_endpoints.push_back({l.address, l.port});
    }
    reload_result loaded;
    std::thread loader([&] { loaded = load_policy_snapshot(s.policy_file, inputs); });
    loader.join();
    out.diags.append(loaded.diags);
    state->policy.store(std::move(loaded.snapshot));
    ::malloc_trim(0); // what the loader freed goes back to the system

    if (s.session_tickets.enabled)
    {
        state->tickets = tls::ticket_secret::make(s.session_tickets, out.diags);
    }
    for (const auto& l : s.listeners)
    {
        runtime::listener_runtime lr;
        lr.settings = l;
        lr.tls = tls::make_server_context(l.tls, l.where, out.diags);
        if (lr.tls && state->tickets)
        {
            tls::enable_session_tickets(
                lr.tls->native_handle(),
                state->tickets,
                policy::to_string(l.layer),
                l.tls.client_ca,
                std::chrono::duration_cast<std::chrono::seconds>(s.session_tickets.lifetime),
                s.session_tickets.where,
                out.diags);
        }
        state->listeners.push_back(std::move(lr));
    }

    std::optional<auth::secrets> users;
    if (s.auth)
    {
        auto loaded_secrets = auth::load_secrets_file(s.auth->secrets_file);
        out.diags.append(loaded_secrets.diags);
        users = std::move(loaded_secrets.value);
    }

    // The checkpoint key is read by --check-config too, so that a key the
    // daemon could not use is reported before a restart.
    std::optional<audit::signing_key> audit_key;
    if (s.audit)
    {
        std::string why;
        audit_key = audit::signing_key::load(s.audit->signing_key, why);
        if (!audit_key)
        {
            out.diags.error(s.audit->where, why, "check audit.signing_key");
        }
    }
    else if (!out.diags.has_errors())
    {
        out.diags.warning(
            {s.file, 0, 0},
            "there is no audit: section, so no tamper-evident audit log is written",
            "add audit: {directory: /var/log/sekisho, signing_key: ...} (docs/configuration.md#audit)");
    }

    if (out.diags.has_errors())
    {
        return out;
    }
    if (s.audit && open_log)
    {
        std::string why;
        state->audit = audit::writer::open(*s.audit, std::move(*audit_key), audit_instance(*s.audit), why);
        if (!state->audit)
        {
            out.diags.error(s.audit->where, why, "check audit.directory and its permissions");
            return out;
        }
        if (s.audit->forward)
        {
            state->audit_forward = std::make_unique<audit::forwarder>(
                *s.audit->forward, s.audit->directory, audit_instance(*s.audit));
            state->audit_forward->start();
        }
    }
    if (s.auth && users && open_log)
    {
        const auto& a = *s.auth;
        auth::authenticator_options o;
        o.totp.step = std::chrono::duration_cast<std::chrono::seconds>(a.totp.step);
        o.totp.digits = static_cast<int>(a.totp.digits);
        o.totp.window = static_cast<int>(a.totp.window);
        o.lockout = {a.lockout.failures, a.lockout.backoff, a.lockout.max_backoff, a.lockout.duration};
        o.session = {a.session.idle, a.session.max};
        o.workers = a.workers;
        o.queue = a.queue;
        try
        {
            state->auth = std::make_unique<auth::authenticator>(std::move(*users), make_store(s), o);
        }
        catch (const std::exception& e)
        {
            out.diags.error(a.where, std::string("sign-in cannot start: ") + e.what());
            return out;
        }
    }
    for (const auto l : {policy::layer::lgwan, policy::layer::internet})
    {
        if (const auto& proxy = s.egress(l).proxy; proxy && proxy->tls)
        {
            // The proxy's certificate is verified against its own CA file.
            auto ctx = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
            SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
            if (SSL_CTX_load_verify_locations(ctx->native_handle(), proxy->ca_file.c_str(), nullptr) != 1)
            {
                out.diags.error(proxy->where,
                                "cannot read the upstream proxy's CA file " + proxy->ca_file,
                                "check egress." + std::string(policy::to_string(l)) + ".proxy.tls.ca");
                return out;
            }
            SSL_CTX_set_verify(ctx->native_handle(), SSL_VERIFY_PEER, nullptr);
            (l == policy::layer::lgwan ? state->proxy_tls_lgwan : state->proxy_tls_internet) = std::move(ctx);
        }
        if (const auto& dns = s.egress(l).dns)
        {
            (l == policy::layer::lgwan ? state->dns_lgwan : state->dns_internet) =
                std::make_unique<net::dns_cache>(dns->cache_entries, dns->max_ttl, dns->negative_ttl);
        }
    }
    if (open_log)
    {
        try
        {
            state->tunnel_log = log::make_json_lines_sink(s.log.tunnels);
        }
        catch (const std::exception& e)
        {
            out.diags.error({s.file, 0, 0}, e.what(), "check log.tunnels and the directory's permissions");
            return out;
        }
    }
    out.state = std::move(state);
    return out;
}

} // namespace sekisho::app
