#include "daemon/app/server.hpp"

#include "daemon/admin/admin_server.hpp"
#include "daemon/app/admin_routes.hpp"
#include "daemon/app/session_sweep.hpp"
#include "daemon/auth/secrets.hpp"
#include "daemon/log/logger.hpp"
#include "daemon/metrics/metrics_server.hpp"
#include "daemon/metrics/shard.hpp"
#include "daemon/net/session.hpp"
#include "daemon/net/upstream.hpp"
#include "daemon/tls/crl.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <csignal>
#include <set>
#include <thread>
#include <utility>

#include <unistd.h>

namespace sekisho::app {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using steady = std::chrono::steady_clock;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// How often drain looks at the number of open connections.
constexpr auto drain_poll_interval = std::chrono::milliseconds(50);
// After the drain deadline has closed every socket, how long the sessions
// get to write their records before the process exits regardless.
constexpr auto drain_grace = std::chrono::seconds(2);
// At most one "connection limit reached" line per interval.
constexpr auto limit_log_interval = std::chrono::seconds(1);

// Completion handler for every coroutine the server spawns: an exception
// that escapes is a bug; it is logged, never swallowed (no silent detached).
void log_escaped(const char* what, std::exception_ptr e)
{
    if (!e)
    {
        return;
    }
    try
    {
        std::rethrow_exception(e);
    }
    catch (const std::exception& ex)
    {
        log::error("coroutine_exception", {{"where", what}, {"error", ex.what()}});
    }
}

// Counts events and lets one log line through per interval, so a flood of
// refused connections or accept errors cannot flood the journal.
class log_throttle
{
public:
    // Counts one event; returns how many were counted since the last line
    // when a line may be written now.
    std::optional<std::uint64_t> note()
    {
        ++since_;
        const auto now = steady::now();
        if (now - last_ < limit_log_interval)
        {
            return std::nullopt;
        }
        last_ = now;
        return std::exchange(since_, 0);
    }

private:
    steady::time_point last_{};
    std::uint64_t since_ = 0;
};

std::size_t pick_thread_count(std::uint32_t configured)
{
    if (configured != 0)
    {
        return configured;
    }
    const auto cores = std::thread::hardware_concurrency();
    return cores == 0 ? 1 : cores;
}

} // namespace

server::server(runtime::shared_state& state)
    : state_(state), thread_count_(pick_thread_count(state.settings.threads))
{
    for (std::size_t i = 0; i < thread_count_; ++i)
    {
        // Concurrency hint 1: each context is run by exactly one thread.
        registries_.push_back(std::make_unique<runtime::connection_registry>());
        shards_.push_back(std::make_unique<metrics::shard>());
        contexts_.push_back(std::make_unique<asio::io_context>(1));
        guards_.emplace_back(contexts_.back()->get_executor());
    }
}

server::~server()
{
    unwatch_store();
}

struct server::reload_waiter
{
    explicit reload_waiter(asio::io_context& io) : done(io, asio::steady_timer::time_point::max()) {}
    asio::steady_timer done; // cancelled when `report` is filled
    reload_report report;
};

bool server::bind()
{
    auto& ctx = *contexts_[0];
    for (auto& l : state_.listeners)
    {
        const tcp::endpoint ep(net::to_asio(l.settings.address), l.settings.port);
        tcp::acceptor acc(ctx);
        error_code ec;
        const char* step = "open";
        acc.open(ep.protocol(), ec);
        if (!ec)
        {
            step = "set SO_REUSEADDR on";
            acc.set_option(tcp::acceptor::reuse_address(true), ec);
        }
        if (!ec && ep.address().is_v6())
        {
            step = "set IPV6_V6ONLY on";
            acc.set_option(asio::ip::v6_only(true), ec);
        }
        if (!ec)
        {
            step = "bind";
            acc.bind(ep, ec);
        }
        if (!ec)
        {
            step = "listen on";
            acc.listen(tcp::acceptor::max_listen_connections, ec);
        }
        if (ec)
        {
            log::error("listener_failed",
                       {{"listener", l.settings.id},
                        {"address", net::endpoint_text(ep.address(), ep.port())},
                        {"step", step},
                        {"error", ec.message()}});
            return false;
        }
        l.bound_port = acc.local_endpoint().port();
        log::info("listening",
                  {{"listener", l.settings.id},
                   {"layer", std::string(policy::to_string(l.settings.layer))},
                   {"address", net::endpoint_text(ep.address(), l.bound_port)}});
        acceptors_.push_back(std::move(acc));
    }
    if (state_.settings.admin)
    {
        admin_routes_ = std::make_unique<admin_routes>(*this);
        admin_ = std::make_unique<admin::admin_server>(
            *contexts_[0], *state_.settings.admin, *admin_routes_, state_.settings.limit.accept_backoff);
        std::string why;
        if (!admin_->bind(&why))
        {
            log::error("admin_failed", {{"socket", state_.settings.admin->socket}, {"error", why}});
            return false;
        }
    }
    if (state_.settings.metrics)
    {
        metrics_ = std::make_unique<metrics::metrics_server>(
            *contexts_[0],
            *state_.settings.metrics,
            [this] { return metrics_text(); },
            state_.settings.limit.accept_backoff);
        std::string why;
        if (!metrics_->bind(&why))
        {
            log::error("metrics_failed", {{"error", why}});
            return false;
        }
    }
    return true;
}

asio::awaitable<void> server::accept_loop(std::size_t listener_index)
{
    auto& acc = acceptors_[listener_index];
    const auto backoff = state_.settings.limit.accept_backoff;
    const auto max_connections = state_.settings.limit.max_connections;
    log_throttle refused;
    log_throttle accept_failures;
    for (;;)
    {
        auto& target = *contexts_[next_context_];
        next_context_ = (next_context_ + 1) % contexts_.size();
        tcp::endpoint peer;
        auto [ec, socket] = co_await acc.async_accept(target, peer, use_tuple);
        if (!acc.is_open() || ec == asio::error::operation_aborted)
        {
            co_return;
        }
        if (ec)
        {
            // EMFILE/ENFILE/ENOBUFS: back off instead of spinning, keep serving
            // the connections we have. Logged at most once per interval.
            if (const auto n = accept_failures.note())
            {
                log::warning("accept_failed",
                             {{"listener", state_.listeners[listener_index].settings.id},
                              {"error", ec.message()},
                              {"failures", std::to_string(*n)},
                              {"backoff", std::to_string(backoff.count()) + "ms"}});
            }
            asio::steady_timer t(co_await asio::this_coro::executor);
            t.expires_after(backoff);
            co_await t.async_wait(use_tuple);
            continue;
        }
        if (state_.active.load(std::memory_order_relaxed) >= max_connections)
        {
            if (const auto n = refused.note())
            {
                log::warning(
                    "connection_limit",
                    {{"max_connections", std::to_string(max_connections)}, {"refused", std::to_string(*n)}});
            }
            error_code ignored;
            socket.close(ignored);
            continue;
        }
        state_.active.fetch_add(1, std::memory_order_relaxed);
        asio::co_spawn(target,
                       net::run_session(state_, listener_index, std::move(socket), peer),
                       [](std::exception_ptr e) { log_escaped("session", e); });
    }
}

asio::awaitable<void> server::signal_loop()
{
    for (;;)
    {
        auto [ec, sig] = co_await signals_->async_wait(use_tuple);
        if (ec)
        {
            co_return;
        }
        if (sig == SIGHUP)
        {
            if (!draining_)
            {
                start_reload();
            }
            continue;
        }
        if (draining_)
        {
            log::warning("drain_forced", {{"signal", std::to_string(sig)}});
            kill_all();
            continue;
        }
        draining_ = true;
        notify_.send("STOPPING=1\nSTATUS=draining " + std::to_string(state_.active.load()) +
                     " connection(s)");
        log::info("drain_started",
                  {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"},
                   {"open_connections", std::to_string(state_.active.load())},
                   {"deadline", std::to_string(state_.settings.timeout.drain.count()) + "ms"}});
        for (auto& acc : acceptors_)
        {
            error_code ignored;
            acc.close(ignored);
        }
        asio::co_spawn(*contexts_[0], drain(), [](std::exception_ptr e) { log_escaped("drain", e); });
    }
}

asio::awaitable<void> server::drain()
{
    asio::steady_timer t(co_await asio::this_coro::executor);
    const auto deadline = steady::now() + state_.settings.timeout.drain;
    bool killed = false;
    auto hard_stop = deadline + drain_grace;
    while (state_.active.load() > 0)
    {
        if (!killed && steady::now() >= deadline)
        {
            log::warning("drain_deadline", {{"closing", std::to_string(state_.active.load())}});
            kill_all();
            killed = true;
            hard_stop = steady::now() + state_.settings.timeout.tls_shutdown + drain_grace;
        }
        if (killed && steady::now() >= hard_stop)
        {
            log::error("drain_incomplete", {{"still_open", std::to_string(state_.active.load())}});
            break;
        }
        t.expires_after(drain_poll_interval);
        co_await t.async_wait(use_tuple);
    }
    log::info("stopped", {{"open_connections", std::to_string(state_.active.load())}});
    state_.audit_event(
        "daemon_stop",
        {{"open_connections", state_.active.load()},
         {"uptime_s",
          std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - started_at_)
              .count()}});
    stop();
}

void server::start_reload()
{
    if (reload_running_)
    {
        reload_pending_ = true;
        return;
    }
    reload_running_ = true;
    log::info("reload_started", {{"policy_file", state_.settings.policy_file}});
    notify_.send("RELOADING=1\n" + monotonic_usec_field() + "\nSTATUS=reloading " +
                 state_.settings.policy_file);
    waiting_running_ = std::move(waiting_next_);
    waiting_next_.clear();
    asio::post(reload_thread_, [this] {
        check_crls(true);
        reload_report report;
        reload_secrets(report);
        auto result = load_policy_snapshot(state_.settings.policy_file, state_.policy_inputs);
        asio::post(*contexts_[0], [this, r = std::move(result), rep = std::move(report)]() mutable {
            finish_reload(std::move(r), std::move(rep));
        });
    });
}

asio::awaitable<reload_report> server::reload_and_wait()
{
    auto w = std::make_shared<reload_waiter>(*contexts_[0]);
    waiting_next_.push_back(w);
    start_reload();
    co_await w->done.async_wait(use_tuple);
    co_return w->report;
}

void server::reload_secrets(reload_report& report)
{
    // New passwords and TOTP keys take effect for new sign-ins; sessions of
    // users locked or removed end. A broken file keeps the one in force.
    if (!state_.auth || !state_.settings.auth)
    {
        return;
    }
    report.secrets_configured = true;
    const auto& file = state_.settings.auth->secrets_file;
    auto loaded = auth::load_secrets_file(file);
    for (const auto& d : loaded.diags.items())
    {
        (d.level == policy::severity::error ? log::error : log::warning)("secrets_diagnostic",
                                                                         {{"text", policy::format(d)}});
        report.secrets_diagnostics.push_back(policy::format(d));
    }
    report.secrets_ok = loaded.value && !loaded.diags.has_errors();
    if (!report.secrets_ok)
    {
        log::error("secrets_rejected",
                   {{"file", file}, {"errors", std::to_string(loaded.diags.error_count())}});
        return;
    }
    const auto users = loaded.value->users.size();
    state_.auth->replace_secrets(std::move(*loaded.value));
    log::info("secrets_reloaded", {{"file", file}, {"users", std::to_string(users)}});
    end_withdrawn_sessions("secrets");
}

void server::end_sessions(const std::vector<std::string>& ids, const char* cause)
{
    std::set<std::string, std::less<>> ended;
    if (!state_.auth)
    {
        return;
    }
    const auto now = auth::clock::now();
    const auto snap = state_.policy.load();
    for (const auto& s : state_.auth->store().sessions(state_.auth->options().session, now))
    {
        if (std::find(ids.begin(), ids.end(), s.id) != ids.end() &&
            state_.auth->store().end_session(s.id, cause))
        {
            audit_session_closed(state_, *snap, s, cause, now);
            ended.insert(s.id);
        }
    }
    close_session_tunnels(std::move(ended), cause);
}

void server::close_session_tunnels(std::set<std::string, std::less<>> ids, const char* cause)
{
    if (ids.empty())
    {
        return;
    }
    auto shared = std::make_shared<const std::set<std::string, std::less<>>>(std::move(ids));
    for (std::size_t i = 0; i < contexts_.size(); ++i)
    {
        asio::post(*contexts_[i], [r = registries_[i].get(), shared, cause] {
            r->kill_if([&](const runtime::connection_entry& e) { return shared->count(e.session_id) != 0; },
                       cause);
        });
    }
}

void server::end_withdrawn_sessions(const char* after)
{
    if (!state_.auth)
    {
        return;
    }
    const auto snap = state_.policy.load();
    std::set<std::string, std::less<>> ended;
    const auto now = auth::clock::now();
    for (const auto& e : sweep_sessions(*state_.auth, *snap, now))
    {
        audit_session_closed(state_, *snap, e.session, e.cause, now);
        log::info("session_ended",
                  {{"session", e.session.id},
                   {"user", e.session.user},
                   {"device", e.session.device},
                   {"layer", std::string(policy::to_string(e.session.on))},
                   {"cause", e.cause},
                   {"after", after}});
        ended.insert(e.session.id);
    }
    close_session_tunnels(std::move(ended), "session_ended");
}

void server::finish_reload(reload_result result, reload_report report)
{
    reload_running_ = false;
    for (const auto& d : result.diags.items())
    {
        (d.level == policy::severity::error ? log::error : log::warning)("policy_diagnostic",
                                                                         {{"text", policy::format(d)}});
        report.policy_diagnostics.push_back(policy::format(d));
    }
    const auto old = state_.policy.load();
    audit_policy(result, "reload", old->hash());
    if (!result.snapshot)
    {
        // The last good policy stays in force; nothing else changes.
        log::error(
            "policy_rejected",
            {{"errors", std::to_string(result.diags.error_count())}, {"kept", old->hash().substr(0, 16)}});
    }
    else if (result.snapshot->hash() == old->hash())
    {
        log::info("policy_unchanged", {{"policy", old->hash().substr(0, 16)}});
    }
    else
    {
        state_.policy.store(result.snapshot);
        log::info(
            "policy_reloaded",
            {{"policy", result.snapshot->hash().substr(0, 16)}, {"previous", old->hash().substr(0, 16)}});
        recheck_all(result.snapshot, "reload");
        end_withdrawn_sessions("policy");
    }
    report.policy_ok = result.snapshot != nullptr;
    report.policy_changed = result.snapshot && result.snapshot->hash() != old->hash();
    report.policy_hash = state_.policy.load()->hash();
    report.finished = std::chrono::system_clock::now();
    last_reload_ = report;
    if (report.policy_ok && report.secrets_ok)
    {
        ++reloads_ok_;
        last_reload_ok_ = report.finished;
    }
    else
    {
        ++reloads_rejected_;
    }
    if (report.policy_changed)
    {
        policy_loaded_at_ = report.finished;
    }
    // Back to READY either way: a rejected file leaves the last good one in
    // force. Not once stopping: systemd must not see READY after STOPPING.
    if (!draining_)
    {
        notify_.send("READY=1\nSTATUS=" + status_line());
    }
    for (auto& w : waiting_running_)
    {
        w->report = report;
        w->done.cancel();
    }
    waiting_running_.clear();
    if (reload_pending_ && !draining_)
    {
        reload_pending_ = false;
        start_reload();
    }
}

void server::audit_policy(const reload_result& result, const char* trigger, const std::string& previous)
{
    if (!state_.audit || (result.snapshot && result.snapshot->hash() == previous))
    {
        return;
    }
    boost::json::object f;
    f["trigger"] = trigger;
    f["file"] = state_.settings.policy_file;
    if (result.snapshot)
    {
        const auto& doc = result.snapshot->document();
        f["hash"] = result.snapshot->hash();
        f["previous"] = previous;
        f["services"] = doc.services.size();
        f["users"] = doc.users.size();
        f["devices"] = doc.devices.size();
        f["warnings"] = result.diags.items().size();
        state_.audit_event("policy_loaded", f);
        return;
    }
    f["kept"] = previous;
    f["errors"] = result.diags.error_count();
    boost::json::array first;
    for (const auto& d : result.diags.items())
    {
        if (d.level == policy::severity::error && first.size() < 5)
        {
            first.emplace_back(policy::format(d));
        }
    }
    f["first_errors"] = std::move(first);
    state_.audit_event("policy_rejected", f);
}

void server::recheck_all(const std::shared_ptr<const policy::snapshot>& snap, const char* cause)
{
    // Every I/O thread decides its open tunnels again and closes those the
    // snapshot no longer allows at this moment.
    const auto now = policy::clock::now();
    for (std::size_t i = 0; i < contexts_.size(); ++i)
    {
        asio::post(*contexts_[i], [r = registries_[i].get(), snap, now, cause] {
            if (const auto closed = r->recheck(*snap, now); closed > 0)
            {
                log::info("tunnels_withdrawn", {{"closed", std::to_string(closed)}, {"cause", cause}});
            }
        });
    }
}

asio::awaitable<void> server::recheck_loop()
{
    // Time withdraws permission too: hours end, users and devices expire.
    asio::steady_timer t(co_await asio::this_coro::executor);
    while (!draining_)
    {
        t.expires_after(state_.settings.timeout.policy_recheck);
        auto [ec] = co_await t.async_wait(use_tuple);
        if (ec || draining_)
        {
            break;
        }
        recheck_all(state_.policy.load(), "time");
        if (state_.auth && state_.auth->store().health().shared)
        {
            // Listing a shared store's sessions is a round trip over every
            // instance's sessions: on the reload thread, not an I/O thread.
            asio::post(reload_thread_, [this] {
                end_withdrawn_sessions("time");
                audit_watch_.tick(*state_.policy.load(), auth::clock::now());
            });
            continue;
        }
        end_withdrawn_sessions("time");
        audit_watch_.tick(*state_.policy.load(), auth::clock::now());
    }
}

asio::awaitable<void> server::crl_loop()
{
    // At once (a CRL that went stale while the daemon was down is reported
    // right away), then every timeouts.crl_check.
    asio::steady_timer t(co_await asio::this_coro::executor);
    while (!draining_)
    {
        if (!crl_check_queued_.exchange(true))
        {
            asio::post(reload_thread_, [this] {
                crl_check_queued_ = false;
                check_crls(false);
            });
        }
        t.expires_after(state_.settings.timeout.crl_check);
        auto [ec] = co_await t.async_wait(use_tuple);
        if (ec)
        {
            break;
        }
    }
}

void server::check_crls(bool forced)
{
    // On the reload thread: nothing may escape it (it would end the daemon).
    try
    {
        // The session ticket key file too (a new secret: older tickets end
        // in full handshakes).
        if (state_.tickets)
        {
            state_.tickets->check(forced);
        }
        for (const auto& l : state_.listeners)
        {
            auto* source = l.tls ? tls::crl_source_of(l.tls->native_handle()) : nullptr;
            if (source == nullptr)
            {
                continue;
            }
            if (auto installed = source->check(l.settings.id, forced))
            {
                withdraw_revoked(installed, l.settings.id);
            }
        }
    }
    catch (const std::exception& e)
    {
        log::error("crl_check_failed", {{"error", e.what()}});
    }
}

void server::withdraw_revoked(const std::shared_ptr<const tls::crl_set>& set, const std::string& listener)
{
    // Each I/O thread looks at its own sessions (an SSL object is only ever
    // touched by the thread that owns it).
    for (std::size_t i = 0; i < contexts_.size(); ++i)
    {
        asio::post(*contexts_[i], [r = registries_[i].get(), set, listener] {
            const auto closed = r->kill_if(
                [&](const runtime::connection_entry& e) { return e.tls != nullptr && set->revokes(e.tls); },
                "certificate_revoked");
            if (closed > 0)
            {
                log::info("tunnels_withdrawn",
                          {{"closed", std::to_string(closed)}, {"cause", "crl"}, {"listener", listener}});
            }
        });
    }
}

void server::kill_all()
{
    for (std::size_t i = 0; i < contexts_.size(); ++i)
    {
        asio::post(*contexts_[i], [r = registries_[i].get()] { r->kill_all(); });
    }
}

void server::stop()
{
    if (admin_)
    {
        admin_->stop();
    }
    if (metrics_)
    {
        metrics_->stop();
    }
    reload_thread_.stop();
    for (auto& g : guards_)
    {
        g.reset();
    }
    for (auto& c : contexts_)
    {
        c->stop();
    }
}

int server::run()
{
    for (std::size_t i = 0; i < acceptors_.size(); ++i)
    {
        asio::co_spawn(*contexts_[0], accept_loop(i), [](std::exception_ptr e) { log_escaped("accept", e); });
    }
    if (admin_)
    {
        admin_->start();
    }
    if (metrics_)
    {
        metrics_->start();
    }
    watch_store();
    signals_.emplace(*contexts_[0], SIGTERM, SIGINT, SIGHUP);
    asio::co_spawn(*contexts_[0], signal_loop(), [](std::exception_ptr e) { log_escaped("signals", e); });
    asio::co_spawn(*contexts_[0], recheck_loop(), [](std::exception_ptr e) { log_escaped("recheck", e); });
    bool any_crl = false;
    for (const auto& l : state_.listeners)
    {
        any_crl = any_crl || (l.tls && tls::crl_source_of(l.tls->native_handle()) != nullptr);
    }
    if (any_crl)
    {
        asio::co_spawn(*contexts_[0], crl_loop(), [](std::exception_ptr e) { log_escaped("crl", e); });
    }

    std::string summary;
    for (const auto& l : state_.listeners)
    {
        summary += (summary.empty() ? "" : ",") + l.settings.id + "@" +
                   net::endpoint_text(net::to_asio(l.settings.address), l.bound_port);
    }
    if (state_.audit)
    {
        boost::json::array listeners;
        for (const auto& l : state_.listeners)
        {
            listeners.push_back({{"id", l.settings.id},
                                 {"layer", std::string(policy::to_string(l.settings.layer))},
                                 {"address", l.settings.address.to_string()},
                                 {"port", l.bound_port}});
        }
        const auto snap = state_.policy.load();
        state_.audit_event(
            "daemon_start",
            {{"version", SEKISHO_VERSION},
             {"pid", static_cast<std::int64_t>(::getpid())},
             {"config", state_.settings.file},
             {"listeners", std::move(listeners)},
             {"audit_mode", state_.settings.audit->fail_closed ? "fail_closed" : "best_effort"}});
        reload_result initial;
        initial.snapshot = snap;
        audit_policy(initial, "start", "");
        audit_watch_.tick(*snap, auth::clock::now());
    }
    log::info("ready",
              {{"listeners", summary},
               {"threads", std::to_string(thread_count_)},
               {"policy", state_.policy.load()->hash().substr(0, 16)}});
    // The listeners are bound and the signal handlers installed: connections
    // queue in the kernel until the loops below take them.
    notify_.send("READY=1\nSTATUS=" + status_line());
    if (notify_.watchdog_interval())
    {
        asio::co_spawn(
            *contexts_[0], watchdog_loop(), [](std::exception_ptr e) { log_escaped("watchdog", e); });
    }
    if (notify_.enabled())
    {
        asio::co_spawn(*contexts_[0], status_loop(), [](std::exception_ptr e) { log_escaped("status", e); });
    }

    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < contexts_.size(); ++i)
    {
        threads.emplace_back([this, i] {
            runtime::connection_registry::current() = registries_[i].get();
            metrics::shard::current() = shards_[i].get();
            contexts_[i]->run();
        });
    }
    runtime::connection_registry::current() = registries_[0].get();
    metrics::shard::current() = shards_[0].get();
    contexts_[0]->run();
    for (auto& t : threads)
    {
        t.join();
    }
    return 0;
}

} // namespace sekisho::app
