// The in-process state store: one mutex, hash maps, expiry checked on access
// (and swept on each call that scans sessions), so memory stays bounded by
// live users, devices and sessions.

#include "daemon/auth/state_store.hpp"

#include <sodium.h>

#include <algorithm>
#include <mutex>
#include <unordered_map>

namespace sekisho::auth {

std::string new_session_id()
{
    static const bool initialised = sodium_init() >= 0;
    (void)initialised;
    unsigned char bytes[12];
    randombytes_buf(bytes, sizeof bytes);
    static constexpr char hex[] = "0123456789abcdef";
    std::string id;
    for (unsigned char b : bytes)
    {
        id += hex[b >> 4];
        id += hex[b & 0xf];
    }
    return id;
}

namespace {

bool expired(const session_info& s, const session_limits& limits, clock::time_point now)
{
    return (s.open_tunnels == 0 && now - s.last_used >= limits.idle) || now - s.started >= limits.max;
}

class memory_store final : public state_store
{
public:
    std::optional<attempt_state> attempts(std::string_view key, clock::time_point now) override
    {
        std::lock_guard lock(mutex_);
        auto it = attempts_.find(std::string(key));
        if (it == attempts_.end())
        {
            return attempt_state{};
        }
        if (!it->second.locked(now) && it->second.locked_until != clock::time_point{})
        {
            // A lockout that ran out starts the count afresh.
            attempts_.erase(it);
            return attempt_state{};
        }
        return it->second;
    }

    attempt_state
    record_failure(std::string_view key, clock::time_point now, const lockout_policy& p) override
    {
        std::lock_guard lock(mutex_);
        auto& a = attempts_[std::string(key)];
        ++a.failures;
        auto delay = p.backoff;
        for (unsigned i = 1; i < a.failures && delay < p.max_backoff; ++i)
        {
            delay *= 2;
        }
        a.retry_after = now + std::min(delay, p.max_backoff);
        if (a.failures >= p.failures)
        {
            a.locked_until = now + p.duration;
        }
        return a;
    }

    void record_success(std::string_view key) override
    {
        std::lock_guard lock(mutex_);
        attempts_.erase(std::string(key));
    }

    void unlock(std::string_view key) override { record_success(key); }

    step_claim claim_totp_step(std::string_view user,
                               std::int64_t step,
                               clock::time_point forget_after,
                               clock::time_point now) override
    {
        std::lock_guard lock(mutex_);
        std::erase_if(used_steps_, [&](const auto& kv) { return kv.second <= now; });
        return used_steps_.emplace(std::string(user) + "#" + std::to_string(step), forget_after).second
                   ? step_claim::claimed
                   : step_claim::replayed;
    }

    claim_result claim_session(const session_info& wanted,
                               const session_limits& limits,
                               clock::time_point now,
                               session_info* out,
                               unsigned max_sessions) override
    {
        std::lock_guard lock(mutex_);
        sweep(limits, now);
        unsigned held = 0;
        const auto [first, last] = by_device_.equal_range(wanted.device);
        for (auto d = first; d != last; ++d)
        {
            auto& s = sessions_.at(d->second);
            if (s.on != wanted.on)
            {
                *out = s;
                return claim_result::layer_conflict;
            }
            if (s.user == wanted.user)
            {
                s.last_used = now;
                s.credential_tag = wanted.credential_tag;
                *out = s;
                return claim_result::joined;
            }
        }
        for (const auto& [id, s] : sessions_)
        {
            held += s.user == wanted.user ? 1U : 0U;
        }
        if (max_sessions != 0 && held >= max_sessions)
        {
            return claim_result::too_many;
        }
        session_info s = wanted;
        s.id = new_session_id();
        s.started = now;
        s.last_used = now;
        sessions_.emplace(s.id, s);
        by_device_.emplace(s.device, s.id);
        *out = s;
        return claim_result::created;
    }

    std::optional<session_info> join_session(std::string_view device,
                                             policy::layer on,
                                             const session_limits& limits,
                                             clock::time_point now) override
    {
        std::lock_guard lock(mutex_);
        // Indexed by device: a follow-up CONNECT costs one lookup, whatever
        // the number of sessions.
        const auto [first, last] = by_device_.equal_range(std::string(device));
        for (auto d = first; d != last; ++d)
        {
            auto& s = sessions_.at(d->second);
            if (s.on != on)
            {
                continue;
            }
            if (expired(s, limits, now))
            {
                erase(std::string(d->second)); // a copy: erase() drops the index entry
                return std::nullopt;
            }
            s.last_used = now;
            return s;
        }
        return std::nullopt;
    }

    std::optional<session_info> join_known(std::string_view device,
                                           std::string_view user,
                                           policy::layer on,
                                           const session_limits& limits,
                                           clock::time_point now) override
    {
        // Everything is in memory here: the lockout state too.
        for (const auto& key : {user_key(user), device_key(device)})
        {
            const auto a = attempts(key, now);
            if (a->locked(now) || a->backing_off(now))
            {
                return std::nullopt;
            }
        }
        auto s = join_session(device, on, limits, now);
        return s && s->user == user ? s : std::nullopt;
    }

    void tunnel_opened(std::string_view id, clock::time_point now) override
    {
        std::lock_guard lock(mutex_);
        if (auto it = sessions_.find(std::string(id)); it != sessions_.end())
        {
            ++it->second.open_tunnels;
            it->second.last_used = now;
        }
    }

    void tunnel_closed(std::string_view id, clock::time_point now) override
    {
        std::lock_guard lock(mutex_);
        if (auto it = sessions_.find(std::string(id)); it != sessions_.end() && it->second.open_tunnels > 0)
        {
            --it->second.open_tunnels;
            it->second.last_used = now;
        }
    }

    bool end_session(std::string_view id, std::string_view /*cause*/) override
    {
        std::lock_guard lock(mutex_);
        return erase(std::string(id));
    }

    std::vector<session_info> sessions(const session_limits& limits, clock::time_point now) override
    {
        std::lock_guard lock(mutex_);
        sweep(limits, now);
        std::vector<session_info> out;
        out.reserve(sessions_.size());
        for (const auto& [id, s] : sessions_)
        {
            out.push_back(s);
        }
        return out;
    }

private:
    void sweep(const session_limits& limits, clock::time_point now)
    {
        std::vector<std::string> gone;
        for (const auto& [id, s] : sessions_)
        {
            if (expired(s, limits, now))
            {
                gone.push_back(id);
            }
        }
        for (const auto& id : gone)
        {
            erase(id);
        }
    }

    // Removes a session and its device index entry; false if there was none.
    bool erase(const std::string& id)
    {
        const auto it = sessions_.find(id);
        if (it == sessions_.end())
        {
            return false;
        }
        const auto [first, last] = by_device_.equal_range(it->second.device);
        for (auto d = first; d != last; ++d)
        {
            if (d->second == id)
            {
                by_device_.erase(d);
                break;
            }
        }
        sessions_.erase(it);
        return true;
    }

    std::mutex mutex_;
    std::unordered_map<std::string, attempt_state> attempts_;
    std::unordered_map<std::string, clock::time_point> used_steps_; // "user#step" → forget after
    std::unordered_map<std::string, session_info> sessions_;        // id → session
    std::unordered_multimap<std::string, std::string> by_device_;   // device → session ids
};

} // namespace

std::unique_ptr<state_store> make_memory_store()
{
    return std::make_unique<memory_store>();
}

} // namespace sekisho::auth
