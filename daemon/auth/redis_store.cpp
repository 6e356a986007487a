#include "daemon/auth/redis_store.hpp"

#include "daemon/auth/redis_scripts.hpp"
#include "daemon/log/logger.hpp"
#include "daemon/redis/client.hpp"

#include <openssl/evp.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <limits>
#include <mutex>
#include <stop_token>
#include <thread>
#include <unordered_map>

#include <unistd.h>

namespace sekisho::auth {

namespace {

using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

// Sessions with tunnel bookkeeping waiting for the writer thread; more are
// dropped (and counted as errors): it only moves a session's idle end.
constexpr std::size_t max_pending_writes = 100000;
// How long the writer lets a batch of bookkeeping form: one write per
// session per batch, whatever its tunnel rate.
constexpr milliseconds bookkeeping_interval{100};
// Sessions known here before the expired ones are looked for (then twice
// what is left).
constexpr std::size_t known_prune_floor = 1024;
// The store_error warning (an error reply) is logged at most this often.
constexpr milliseconds error_log_interval{10000};
// How long the subscriber waits for a message before it looks at the clock.
constexpr milliseconds subscriber_poll{200};

std::string ms_text(clock::time_point t)
{
    return std::to_string(std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count());
}

std::string ms_text(milliseconds d)
{
    return std::to_string(d.count());
}

clock::time_point from_ms(std::int64_t ms)
{
    return clock::time_point(std::chrono::duration_cast<clock::duration>(milliseconds(ms)));
}

std::int64_t number(const redis::value& v)
{
    if (v.kind == redis::kind::integer)
    {
        return v.integer;
    }
    try
    {
        return v.text.empty() ? 0 : std::stoll(v.text);
    }
    catch (const std::exception&)
    {
        return 0;
    }
}

struct script
{
    std::string text;
    std::string sha; // SHA-1 hex, for EVALSHA

    explicit script(std::string t) : text(std::move(t))
    {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned len = 0;
        EVP_Digest(text.data(), text.size(), md, &len, EVP_sha1(), nullptr);
        static constexpr char hex[] = "0123456789abcdef";
        for (unsigned i = 0; i < len; ++i)
        {
            sha += hex[md[i] >> 4];
            sha += hex[md[i] & 0xf];
        }
    }
};

const script& claim_script()
{
    static const script s(std::string(scripts::session_helpers) + scripts::claim);
    return s;
}
const script& join_script()
{
    static const script s(std::string(scripts::session_helpers) + scripts::join);
    return s;
}
const script& list_script()
{
    static const script s(std::string(scripts::session_helpers) + scripts::list);
    return s;
}
const script& tunnel_script()
{
    static const script s(std::string(scripts::session_helpers) + scripts::tunnel);
    return s;
}
const script& end_script()
{
    static const script s(std::string(scripts::session_helpers) + scripts::end);
    return s;
}
const script& fail_script()
{
    static const script s(scripts::fail);
    return s;
}

// {id, user, device, on, start, last, open, by} from a script's reply,
// from `at`; `here`: this instance's name.
std::optional<session_info> session_from(const redis::value& v, const std::string& here, std::size_t at = 0)
{
    if (v.kind != redis::kind::array || v.items.size() < at + 8)
    {
        return std::nullopt;
    }
    const auto& f = v.items;
    session_info s;
    s.id = f[at].text;
    s.user = f[at + 1].text;
    s.device = f[at + 2].text;
    const auto on = policy::parse_layer(f[at + 3].text);
    if (!on)
    {
        return std::nullopt;
    }
    s.on = *on;
    s.started = from_ms(number(f[at + 4]));
    s.last_used = from_ms(number(f[at + 5]));
    s.open_tunnels = static_cast<unsigned>(std::max<std::int64_t>(0, number(f[at + 6])));
    s.opened_here = f[at + 7].text == here;
    return s;
}

bool expired(const session_info& s, const session_limits& limits, clock::time_point now)
{
    return (s.open_tunnels == 0 && now - s.last_used >= limits.idle) || now - s.started >= limits.max;
}

// Errors after which this connection is the wrong one (a replica, a server
// still loading, a primary cut off from its replicas).
bool wrong_server(const redis::value& v)
{
    return v.is_error() && (v.text.starts_with("READONLY") || v.text.starts_with("LOADING") ||
                            v.text.starts_with("MASTERDOWN"));
}

std::vector<std::string> split_tabs(std::string_view text)
{
    std::vector<std::string> out;
    for (;;)
    {
        const auto tab = text.find('\t');
        out.emplace_back(text.substr(0, tab));
        if (tab == std::string_view::npos)
        {
            return out;
        }
        text.remove_prefix(tab + 1);
    }
}

class redis_store final : public state_store
{
public:
    explicit redis_store(redis_store_options o) : o_(std::move(o)), local_(make_memory_store())
    {
        if (o_.instance.empty())
        {
            char host[256] = {};
            ::gethostname(host, sizeof host - 1);
            o_.instance = std::string(host) + "/" + std::to_string(::getpid());
        }
        if (o_.tls)
        {
            std::string error;
            tls_ = redis::make_tls_context({o_.ca_file, o_.server_name, o_.certificate_file, o_.key_file},
                                           error);
            if (!tls_)
            {
                throw std::runtime_error("auth.store.tls: " + error);
            }
        }
        backoff_ = o_.reconnect_backoff;
        writer_ = std::jthread([this](std::stop_token st) { writer_loop(st); });
    }

    ~redis_store() override
    {
        writer_.request_stop();
        subscriber_.request_stop();
        wake_writer_.notify_all();
        if (writer_.joinable())
        {
            writer_.join();
        }
        if (subscriber_.joinable())
        {
            subscriber_.join();
        }
    }

    std::optional<attempt_state> attempts(std::string_view key, clock::time_point now) override
    {
        const auto k = o_.prefix + "att:" + std::string(key);
        const auto r = run({"HMGET", k, "f", "r", "l"});
        if (!r || r->kind != redis::kind::array || r->items.size() != 3)
        {
            return o_.local_fallback ? local_->attempts(key, now) : std::nullopt;
        }
        attempt_state a;
        a.failures = static_cast<unsigned>(number(r->items[0]));
        a.retry_after = from_ms(number(r->items[1]));
        a.locked_until = from_ms(number(r->items[2]));
        if (a.locked_until != clock::time_point{} && !a.locked(now))
        {
            return attempt_state{}; // a lockout that ran out starts the count afresh
        }
        return a;
    }

    attempt_state
    record_failure(std::string_view key, clock::time_point now, const lockout_policy& p) override
    {
        const auto r = eval(fail_script(),
                            {std::string(key),
                             ms_text(now),
                             ms_text(p.backoff),
                             ms_text(p.max_backoff),
                             std::to_string(p.failures),
                             ms_text(p.duration),
                             o_.instance});
        if (!r || r->kind != redis::kind::array || r->items.size() != 3)
        {
            // Counted here at least; Redis's count is lost (health().errors tells).
            return local_->record_failure(key, now, p);
        }
        attempt_state a;
        a.failures = static_cast<unsigned>(number(r->items[0]));
        a.retry_after = from_ms(number(r->items[1]));
        a.locked_until = from_ms(number(r->items[2]));
        if (a.locked(now))
        {
            forget_known(key);
        }
        return a;
    }

    void record_success(std::string_view key) override
    {
        local_->record_success(key);
        run({"DEL", o_.prefix + "att:" + std::string(key)});
    }

    void unlock(std::string_view key) override { record_success(key); }

    step_claim claim_totp_step(std::string_view user,
                               std::int64_t step,
                               clock::time_point forget_after,
                               clock::time_point now) override
    {
        const auto ttl =
            std::max<std::int64_t>(1, std::chrono::duration_cast<milliseconds>(forget_after - now).count());
        const auto r = run({"SET",
                            o_.prefix + "step:" + std::string(user) + ":" + std::to_string(step),
                            o_.instance,
                            "NX",
                            "PX",
                            std::to_string(ttl)});
        if (!r || r->is_error())
        {
            return o_.local_fallback ? local_->claim_totp_step(user, step, forget_after, now)
                                     : step_claim::unavailable;
        }
        return r->kind == redis::kind::null ? step_claim::replayed : step_claim::claimed;
    }

    claim_result claim_session(const session_info& wanted,
                               const session_limits& limits,
                               clock::time_point now,
                               session_info* out,
                               unsigned max_sessions) override
    {
        const auto r = eval(claim_script(),
                            {ms_text(now),
                             ms_text(limits.idle),
                             ms_text(limits.max),
                             wanted.user,
                             wanted.device,
                             std::string(policy::to_string(wanted.on)),
                             new_session_id(),
                             std::to_string(max_sessions),
                             o_.instance});
        if (!r || r->kind != redis::kind::array || r->items.empty())
        {
            if (!o_.local_fallback)
            {
                return claim_result::unavailable;
            }
            const auto got = local_->claim_session(wanted, limits, now, out, max_sessions);
            if (got == claim_result::created || got == claim_result::joined)
            {
                remember(*out, wanted.credential_tag, limits, now);
            }
            return got;
        }
        const auto& what = r->items[0].text;
        if (what == "too_many")
        {
            return claim_result::too_many;
        }
        auto s = session_from(*r, o_.instance, 1);
        if (!s)
        {
            return claim_result::unavailable;
        }
        *out = *s;
        if (what == "layer_conflict")
        {
            return claim_result::layer_conflict;
        }
        remember(*s, wanted.credential_tag, limits, now);
        out->credential_tag = wanted.credential_tag;
        return what == "created" ? claim_result::created : claim_result::joined;
    }

    std::optional<session_info> join_session(std::string_view device,
                                             policy::layer on,
                                             const session_limits& limits,
                                             clock::time_point now) override
    {
        const auto r = eval(join_script(),
                            {ms_text(now),
                             ms_text(limits.idle),
                             ms_text(limits.max),
                             std::string(device),
                             std::string(policy::to_string(on))});
        if (!r)
        {
            return o_.local_fallback ? local_->join_session(device, on, limits, now) : std::nullopt;
        }
        return session_from(*r, o_.instance);
    }

    std::optional<session_info> join_known(std::string_view device,
                                           std::string_view user,
                                           policy::layer on,
                                           const session_limits& limits,
                                           clock::time_point now) override
    {
        std::lock_guard lock(known_mutex_);
        const auto it = known_.find(known_key(device, user, on));
        if (it == known_.end())
        {
            return std::nullopt;
        }
        if (expired(it->second, limits, now))
        {
            forget_id(it->second.id);
            return std::nullopt;
        }
        it->second.last_used = now;
        return it->second;
    }

    void tunnel_opened(std::string_view id, clock::time_point now) override { tunnel(id, now, +1); }
    void tunnel_closed(std::string_view id, clock::time_point now) override { tunnel(id, now, -1); }

    bool end_session(std::string_view id, std::string_view cause) override
    {
        {
            std::lock_guard lock(known_mutex_);
            forget_id(id);
        }
        const bool here = local_->end_session(id, cause);
        const auto r = eval(end_script(), {std::string(id), o_.instance, std::string(cause)});
        return here || (r && number(*r) == 1);
    }

    std::vector<session_info> sessions(const session_limits& limits, clock::time_point now) override
    {
        const auto r = eval(list_script(), {ms_text(now), ms_text(limits.idle), ms_text(limits.max)});
        std::vector<session_info> out =
            o_.local_fallback ? local_->sessions(limits, now) : std::vector<session_info>{};
        if (r && r->kind == redis::kind::array)
        {
            for (const auto& item : r->items)
            {
                if (auto s = session_from(item, o_.instance))
                {
                    out.push_back(std::move(*s));
                }
            }
        }
        return out;
    }

    std::size_t session_count(const session_limits& limits, clock::time_point now) override
    {
        const auto r = run({"SCARD", o_.prefix + "all"});
        const auto here = o_.local_fallback ? local_->session_count(limits, now) : 0;
        return (r && r->kind == redis::kind::integer
                    ? static_cast<std::size_t>(std::max<std::int64_t>(0, r->integer))
                    : 0) +
               here;
    }

    store_health health() const override
    {
        store_health h;
        h.kind = "redis";
        h.shared = true;
        {
            std::lock_guard lock(state_mutex_);
            h.reachable = reachable_;
            h.server = server_;
        }
        h.fallback = !h.reachable && o_.local_fallback;
        h.errors = errors_.load();
        h.reconnects = reconnects_.load();
        h.round_trips = round_trips_.load();
        return h;
    }

    void watch(store_events events) override
    {
        bool any = false;
        {
            // Waits for a call in progress: after watch({}) returns, the old
            // receiver is never called again.
            std::lock_guard lock(events_mutex_);
            events_ = std::move(events);
            any = events_.ended_elsewhere || events_.reachability;
        }
        if (any && !subscriber_.joinable())
        {
            subscriber_ = std::jthread([this](std::stop_token st) { subscriber_loop(st); });
        }
    }

private:
    // One command on the shared command connection; nullopt when Redis
    // cannot be asked (down and waiting for the next attempt, or this call
    // failed), or answered with an error.
    // With command_mutex_ held: a connection to the primary, unless Redis
    // is down and the next attempt is not due yet.
    bool connected()
    {
        if (command_)
        {
            return true;
        }
        if (steady::now() < next_attempt_)
        {
            return false; // down: fail at once until the next attempt
        }
        std::string error;
        command_ = open_primary(error);
        if (!command_)
        {
            failed(error);
            return false;
        }
        backoff_ = o_.reconnect_backoff;
        return true;
    }

    std::optional<redis::value> run(std::span<const std::string_view> args)
    {
        std::unique_lock lock(command_mutex_);
        if (!connected())
        {
            return std::nullopt;
        }
        std::string error;
        redis::value reply;
        ++round_trips_;
        if (!command_->call(args, reply, error) || wrong_server(reply))
        {
            failed(error.empty() ? command_->peer().text() + ": " + reply.text : error);
            return std::nullopt;
        }
        const auto server = command_->peer().text();
        lock.unlock();
        reached(server);
        if (reply.is_error())
        {
            ++errors_; // e.g. NOSCRIPT: the caller decides
            if (!reply.text.starts_with("NOSCRIPT"))
            {
                refused(server, reply.text);
            }
        }
        return reply;
    }

    // Commands already encoded, `count` of them, sent in one write; their
    // replies in order, or nullopt when the connection failed.
    std::optional<std::vector<redis::value>> pipeline(std::string_view bytes, std::size_t count)
    {
        std::unique_lock lock(command_mutex_);
        if (!connected())
        {
            return std::nullopt;
        }
        std::string error;
        round_trips_ += count;
        std::vector<redis::value> replies(count);
        bool ok = command_->send(bytes, error);
        for (std::size_t i = 0; ok && i < count; ++i)
        {
            ok = command_->read(replies[i], o_.command_timeout, error) == redis::io_status::ok &&
                 !wrong_server(replies[i]);
        }
        if (!ok)
        {
            failed(error.empty() ? command_->peer().text() + ": a write was refused" : error);
            return std::nullopt;
        }
        const auto server = command_->peer().text();
        lock.unlock();
        reached(server);
        return replies;
    }

    std::optional<redis::value> run(std::initializer_list<std::string_view> args)
    {
        return run(std::span<const std::string_view>(args.begin(), args.size()));
    }

    // Redis answers, but with an error (an ACL without a command, memory
    // full): sign-ins fail closed while the store looks up; said in the log
    // at most once per error_log_interval.
    void refused(const std::string& server, const std::string& error)
    {
        const auto now = steady::now().time_since_epoch().count();
        auto last = last_error_log_.load();
        const auto gap = std::chrono::duration_cast<steady::duration>(error_log_interval).count();
        if (now - last >= gap && last_error_log_.compare_exchange_strong(last, now))
        {
            log::warning("store_error", {{"server", server}, {"error", error}});
        }
    }

    // EVALSHA, and EVAL when the server does not have the script yet (a new
    // primary after a fail-over, a restart). Error replies are nullopt.
    std::optional<redis::value> eval(const script& s, const std::vector<std::string>& args)
    {
        std::vector<std::string_view> cmd{"EVALSHA", s.sha, "0", o_.prefix};
        cmd.insert(cmd.end(), args.begin(), args.end());
        auto r = run(std::span<const std::string_view>(cmd));
        if (r && r->is_error() && r->text.starts_with("NOSCRIPT"))
        {
            --errors_;
            cmd[0] = "EVAL";
            cmd[1] = s.text;
            r = run(std::span<const std::string_view>(cmd));
        }
        if (r && r->is_error())
        {
            return std::nullopt;
        }
        return r;
    }

    // With command_mutex_ held: the connection is dropped and the next
    // attempt waits, doubling up to reconnect_backoff_max.
    void failed(const std::string& error)
    {
        command_.reset();
        ++errors_;
        next_attempt_ = steady::now() + backoff_;
        backoff_ = std::min(backoff_ * 2, o_.reconnect_backoff_max);
        unreachable(error);
    }

    redis::connect_options options_for(bool sentinel) const
    {
        redis::connect_options c;
        c.tls = tls_;
        c.server_name = o_.server_name;
        c.username = sentinel ? o_.sentinel_username : o_.username;
        c.password = sentinel ? o_.sentinel_password : o_.password;
        c.database = sentinel ? 0 : o_.database;
        c.connect_timeout = o_.connect_timeout;
        c.command_timeout = o_.command_timeout;
        return c;
    }

    // The primary: asked of the sentinels in turn, or the first configured
    // server that says it is one.
    std::unique_ptr<redis::connection> open_primary(std::string& error)
    {
        std::vector<redis::endpoint> candidates;
        for (const auto& s : o_.servers)
        {
            candidates.push_back({s.host, s.port});
        }
        std::string why;
        for (const auto& s : o_.sentinels)
        {
            std::string e;
            auto c = redis::connection::open({s.host, s.port}, options_for(true), e);
            redis::value r;
            if (c && c->call({"SENTINEL", "get-master-addr-by-name", o_.master_name}, r, e))
            {
                if (auto primary = redis::primary_from_sentinel(r))
                {
                    candidates.push_back(std::move(*primary));
                    break;
                }
            }
            why += (why.empty() ? "" : "; ") + (e.empty()
                                                    ? "sentinel " + redis::endpoint{s.host, s.port}.text() +
                                                          " does not know master `" + o_.master_name + "`"
                                                    : e);
        }
        for (const auto& at : candidates)
        {
            std::string e;
            auto c = redis::connection::open({at.host, at.port}, options_for(false), e);
            redis::value r;
            // ROLE says whether this is the primary. An ACL user without
            // +role cannot ask: then a replica shows itself by READONLY
            // replies (wrong_server) instead.
            if (c && c->call({"ROLE"}, r, e) &&
                ((r.kind == redis::kind::array && !r.items.empty() && r.items[0].text == "master") ||
                 (r.is_error() && r.text.starts_with("NOPERM"))))
            {
                ++reconnects_;
                return c;
            }
            why += (why.empty() ? "" : "; ") + (e.empty() ? at.text() + " is not a primary" : e);
        }
        error = why.empty() ? "no Redis server configured" : why;
        return nullptr;
    }

    void unreachable(const std::string& detail)
    {
        {
            std::lock_guard lock(state_mutex_);
            if (!reachable_)
            {
                return;
            }
            reachable_ = false;
        }
        std::lock_guard lock(events_mutex_);
        if (events_.reachability)
        {
            events_.reachability(false, detail);
        }
    }

    void reached(const std::string& server)
    {
        {
            std::lock_guard lock(state_mutex_);
            server_ = server;
            if (reachable_)
            {
                return;
            }
            reachable_ = true;
        }
        std::lock_guard lock(events_mutex_);
        if (events_.reachability)
        {
            events_.reachability(true, server);
        }
    }

    void ended_elsewhere(std::vector<std::string> ids, const std::string& cause)
    {
        std::lock_guard lock(events_mutex_);
        if (events_.ended_elsewhere)
        {
            events_.ended_elsewhere(std::move(ids), cause);
        }
    }

    static std::string known_key(std::string_view device, std::string_view user, policy::layer on)
    {
        std::string k(device);
        k += '\0';
        k += user;
        k += '\0';
        k += policy::to_string(on);
        return k;
    }

    void remember(const session_info& s,
                  const std::string& tag,
                  const session_limits& limits,
                  clock::time_point now)
    {
        std::lock_guard lock(known_mutex_);
        // Sessions that ended by time without another CONNECT here are
        // dropped now and then, so that memory follows the live sessions.
        if (known_.size() >= prune_at_)
        {
            std::erase_if(known_, [&](const auto& kv) {
                const bool gone = expired(kv.second, limits, now);
                if (gone)
                {
                    known_ids_.erase(kv.second.id);
                }
                return gone;
            });
            prune_at_ = std::max(known_prune_floor, known_.size() * 2);
        }
        const auto key = known_key(s.device, s.user, s.on);
        if (auto old = known_.find(key); old != known_.end() && old->second.id != s.id)
        {
            known_ids_.erase(old->second.id);
        }
        auto& k = known_[key];
        k = s;
        k.credential_tag = tag;
        known_ids_[s.id] = key;
    }

    // With known_mutex_ held.
    session_info* known_by_id(std::string_view id)
    {
        const auto at = known_ids_.find(std::string(id));
        if (at == known_ids_.end())
        {
            return nullptr;
        }
        const auto it = known_.find(at->second);
        return it == known_.end() ? nullptr : &it->second;
    }

    // With known_mutex_ held.
    void forget_id(std::string_view id)
    {
        const auto at = known_ids_.find(std::string(id));
        if (at != known_ids_.end())
        {
            known_.erase(at->second);
            known_ids_.erase(at);
        }
    }

    // A lockout of "user:<id>" or "device:<id>": its sessions are no longer
    // joined from memory (full verification says `locked`).
    void forget_known(std::string_view key)
    {
        const bool user = key.starts_with("user:");
        const auto name = key.substr(key.find(':') + 1);
        std::lock_guard lock(known_mutex_);
        std::erase_if(known_, [&](const auto& kv) {
            const bool match = (user ? kv.second.user : kv.second.device) == name;
            if (match)
            {
                known_ids_.erase(kv.second.id);
            }
            return match;
        });
    }

    void tunnel(std::string_view id, clock::time_point now, int delta)
    {
        // The per-instance store knows only sessions of a fallback.
        delta > 0 ? local_->tunnel_opened(id, now) : local_->tunnel_closed(id, now);
        {
            std::lock_guard lock(known_mutex_);
            if (auto* k = known_by_id(id))
            {
                auto& s = *k;
                s.open_tunnels =
                    delta > 0 ? s.open_tunnels + 1 : (s.open_tunnels > 0 ? s.open_tunnels - 1 : 0);
                s.last_used = now;
            }
        }
        {
            // Coalesced per session until the writer's next batch.
            std::lock_guard lock(writes_mutex_);
            auto it = writes_.find(std::string(id));
            if (it == writes_.end())
            {
                if (writes_.size() >= max_pending_writes)
                {
                    ++errors_;
                    return;
                }
                it = writes_.emplace(std::string(id), pending_write{}).first;
            }
            it->second.delta += delta;
            it->second.at = std::max(it->second.at, now);
        }
        wake_writer_.notify_one();
    }

    struct pending_write
    {
        std::int64_t delta = 0; // tunnels opened less tunnels closed
        clock::time_point at;   // the latest open or close
    };
    using write_batch = std::unordered_map<std::string, pending_write>;

    // Tunnel bookkeeping: batches of at most one write per session, every
    // bookkeeping_interval, pipelined in one send. It only moves a session's
    // idle end, so a batch may wait; a stop flushes what is left.
    void writer_loop(std::stop_token st)
    {
        for (;;)
        {
            write_batch batch;
            {
                std::unique_lock lock(writes_mutex_);
                wake_writer_.wait(lock, st, [&] { return !writes_.empty(); });
                if (!st.stop_requested())
                {
                    wake_writer_.wait_for(lock, st, bookkeeping_interval, [] { return false; });
                }
                batch.swap(writes_);
            }
            flush(batch);
            if (st.stop_requested())
            {
                return;
            }
        }
    }

    void flush(const write_batch& batch)
    {
        if (batch.empty())
        {
            return;
        }
        const auto& script = tunnel_script();
        std::string bytes;
        for (const auto& [id, w] : batch)
        {
            const auto delta = std::to_string(w.delta);
            const auto at = ms_text(w.at);
            bytes += redis::encode_command({"EVALSHA", script.sha, "0", o_.prefix, id, delta, at});
        }
        const auto replies = pipeline(bytes, batch.size());
        if (!replies)
        {
            return; // lost with the connection (counted): a session's idle end moves less
        }
        std::size_t i = 0;
        for (const auto& [id, w] : batch)
        {
            // A server without the script yet (restarted, promoted): once more with EVAL.
            if ((*replies)[i++].text.starts_with("NOSCRIPT"))
            {
                eval(script, {id, std::to_string(w.delta), ms_text(w.at)});
            }
        }
    }

    // Holds the subscription to the events channel; reconnects with
    // back-off. On every (re)subscription, sessions this instance knows
    // that Redis no longer has (ended while the subscription was down, or
    // opened per instance during a fallback) are ended here too.
    void subscriber_loop(std::stop_token st)
    {
        auto wait = o_.reconnect_backoff;
        std::mutex m;
        std::condition_variable_any cv;
        while (!st.stop_requested())
        {
            std::string error;
            auto c = open_primary(error);
            redis::value r;
            if (c && !(c->call({"SUBSCRIBE", o_.prefix + "events"}, r, error) && !r.is_error()))
            {
                error = error.empty() ? c->peer().text() + ": SUBSCRIBE refused: " + r.text : error;
                c.reset();
            }
            if (!c)
            {
                ++errors_;
                unreachable(error);
                std::unique_lock lock(m);
                cv.wait_for(lock, st, wait, [] { return false; });
                wait = std::min(wait * 2, o_.reconnect_backoff_max);
                continue;
            }
            wait = o_.reconnect_backoff;
            {
                // The server answers again: commands need not wait out
                // their own back-off.
                std::lock_guard lock(command_mutex_);
                next_attempt_ = {};
                backoff_ = o_.reconnect_backoff;
            }
            reached(c->peer().text());
            bool reconciled = false;
            while (!st.stop_requested())
            {
                reconciled = reconciled || reconcile();
                const auto got = c->read(r, subscriber_poll, error);
                if (got == redis::io_status::failed)
                {
                    ++errors_;
                    unreachable(error);
                    break;
                }
                if (got == redis::io_status::ok && r.kind == redis::kind::array && r.items.size() == 3 &&
                    r.items[0].text == "message")
                {
                    on_message(r.items[2].text);
                }
            }
        }
    }

    void on_message(const std::string& text)
    {
        const auto parts = split_tabs(text);
        if (parts.size() >= 3 && parts[0] == "lock")
        {
            forget_known(parts[2]);
            return;
        }
        if (parts.size() < 4 || parts[0] != "end")
        {
            return;
        }
        {
            std::lock_guard lock(known_mutex_);
            forget_id(parts[2]);
        }
        if (parts[1] == o_.instance)
        {
            return; // ended here: its tunnels are closed already
        }
        local_->end_session(parts[2], parts[3]);
        ended_elsewhere({parts[2]}, parts[3]);
    }

    // false when Redis could not be asked (the subscriber tries again).
    bool reconcile()
    {
        std::vector<std::string> ids;
        {
            std::lock_guard lock(known_mutex_);
            for (const auto& [id, key] : known_ids_)
            {
                ids.push_back(id);
            }
        }
        if (ids.empty())
        {
            return true;
        }
        std::vector<std::string_view> cmd{"SMISMEMBER"};
        const auto all = o_.prefix + "all";
        cmd.push_back(all);
        cmd.insert(cmd.end(), ids.begin(), ids.end());
        const auto r = run(std::span<const std::string_view>(cmd));
        if (!r || r->kind != redis::kind::array || r->items.size() != ids.size())
        {
            return false;
        }
        std::vector<std::string> gone;
        for (std::size_t i = 0; i < ids.size(); ++i)
        {
            if (number(r->items[i]) == 0)
            {
                gone.push_back(ids[i]);
                local_->end_session(ids[i], "store_recovered");
            }
        }
        if (gone.empty())
        {
            return true;
        }
        {
            std::lock_guard lock(known_mutex_);
            for (const auto& id : gone)
            {
                forget_id(id);
            }
        }
        ended_elsewhere(std::move(gone), "store_reconciled");
        return true;
    }

    redis_store_options o_;
    std::shared_ptr<SSL_CTX> tls_;
    std::unique_ptr<state_store> local_; // local_fallback, and what was counted while unreachable

    std::mutex command_mutex_;
    std::unique_ptr<redis::connection> command_;
    steady::time_point next_attempt_{};
    milliseconds backoff_{};

    mutable std::mutex state_mutex_;
    bool reachable_ = true;
    std::string server_;
    std::mutex events_mutex_; // held while events_ is called
    store_events events_;

    std::mutex known_mutex_;
    // Sessions joined or opened here, with their credential tags, by
    // (device, user, layer); and their keys by session id.
    std::unordered_map<std::string, session_info> known_;
    std::unordered_map<std::string, std::string> known_ids_;
    std::size_t prune_at_ = known_prune_floor;

    std::mutex writes_mutex_;
    std::condition_variable_any wake_writer_;
    write_batch writes_;

    std::atomic<std::uint64_t> errors_{0};
    std::atomic<steady::rep> last_error_log_{std::numeric_limits<steady::rep>::min() / 2};
    std::atomic<std::uint64_t> reconnects_{0};
    std::atomic<std::uint64_t> round_trips_{0};

    std::jthread subscriber_;
    std::jthread writer_;
};

} // namespace

std::unique_ptr<state_store> make_redis_store(redis_store_options options)
{
    return std::make_unique<redis_store>(std::move(options));
}

} // namespace sekisho::auth
