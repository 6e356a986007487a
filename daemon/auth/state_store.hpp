#pragma once
// What authentication must remember across connections: failed attempts and
// lockouts, TOTP steps already used, and telework sessions (user, device,
// layer). Behind one small interface so that several instances can share it:
// memory_store is the embedded default, redis_store (redis_store.hpp) the
// shared one (docs/deployment.md#store).
//
// Every call takes `now`, so that tests control the clock and expiry never
// depends on a timer firing. A shared store may be unreachable: the calls
// that decide a sign-in say so (`unavailable`) rather than guess, and the
// authenticator refuses (fail closed) unless the store falls back to
// per-instance state by its own setting.

#include "policy/model.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::auth {

using clock = std::chrono::system_clock;

struct lockout_policy
{
    unsigned failures = 5;                   // failures before a lockout
    std::chrono::milliseconds backoff{1000}; // wait after the first failure, doubled each time
    std::chrono::milliseconds max_backoff{60000};
    std::chrono::milliseconds duration{15 * 60 * 1000}; // a lockout's length
};

struct attempt_state
{
    unsigned failures = 0;
    clock::time_point retry_after{}; // no attempt is even checked before this (back-off)
    clock::time_point locked_until{};

    bool locked(clock::time_point now) const { return now < locked_until; }
    bool backing_off(clock::time_point now) const { return now < retry_after; }
};

struct session_info
{
    std::string id; // random, for operators (sekishoctl session kill)
    std::string user;
    std::string device;
    policy::layer on = policy::layer::internet;
    std::string credential_tag; // keyed hash of the credentials that opened it
    clock::time_point started{};
    clock::time_point last_used{}; // the last tunnel's start or end
    unsigned open_tunnels = 0;     // a session with open tunnels is never idle
    bool opened_here = true;       // false: another instance opened it (shared store)
};

struct session_limits
{
    std::chrono::milliseconds idle{30 * 60 * 1000};
    std::chrono::milliseconds max{12 * 3600 * 1000};
};

enum class claim_result
{
    created,
    joined,         // the device already had this user's session on this layer
    layer_conflict, // the device has a live session on the other layer
    too_many,       // the user already holds max_sessions sessions (on other devices)
    unavailable     // a shared store cannot be asked: nothing was claimed
};

enum class step_claim
{
    claimed,    // the first use of (user, step)
    replayed,   // used before
    unavailable // a shared store cannot be asked
};

// The keys of attempts(): a user and a device are counted apart.
inline std::string user_key(std::string_view user)
{
    return "user:" + std::string(user);
}
inline std::string device_key(std::string_view device)
{
    return "device:" + std::string(device);
}

// What a store reports about itself (admin status, metrics, doctor).
struct store_health
{
    std::string kind = "memory"; // memory | redis
    bool shared = false;         // several instances see the same state
    bool reachable = true;       // a shared store answers
    bool fallback = false;       // unreachable, and per-instance state is used meanwhile
    std::string server;          // the primary in use ("host:port"), if any
    std::uint64_t errors = 0;    // commands that failed (timeouts, refused connections, errors)
    std::uint64_t reconnects = 0;
    std::uint64_t round_trips = 0;
};

// What a shared store tells the server. Called from the store's own thread.
struct store_events
{
    // Sessions ended on another instance (operator kill, sweep, lockout):
    // close their tunnels here. `cause` as the other instance recorded it.
    std::function<void(std::vector<std::string> ids, std::string cause)> ended_elsewhere;
    // The store became unreachable (`detail`: why) or reachable again.
    std::function<void(bool reachable, std::string detail)> reachability;
};

class state_store
{
public:
    virtual ~state_store() = default;

    // Attempts, keyed user_key() or device_key(); nullopt when a shared
    // store cannot be asked.
    virtual std::optional<attempt_state> attempts(std::string_view key, clock::time_point now) = 0;
    // Counts a failure (and locks at p.failures). A lost count is reported
    // by the store's health, not here: the attempt is refused anyway.
    virtual attempt_state
    record_failure(std::string_view key, clock::time_point now, const lockout_policy& p) = 0;
    virtual void record_success(std::string_view key) = 0;
    virtual void unlock(std::string_view key) = 0;

    // Replay protection: `claimed` the first time (user, step) is claimed,
    // `replayed` ever after (until `forget_after`, when the step can no
    // longer match).
    virtual step_claim claim_totp_step(std::string_view user,
                                       std::int64_t step,
                                       clock::time_point forget_after,
                                       clock::time_point now) = 0;

    // One device, one layer at a time. A live session of the device on the
    // same layer for the same user is joined (and touched); on the other
    // layer it is a conflict; otherwise a new session is created. Expired
    // sessions (idle or max) are dropped first. A new session is refused
    // when the user already holds `max_sessions` (0: no limit).
    virtual claim_result claim_session(const session_info& wanted,
                                       const session_limits& limits,
                                       clock::time_point now,
                                       session_info* out,
                                       unsigned max_sessions = 0) = 0;
    // The live session of a device on a layer, touched; nullopt when none
    // (or when a shared store cannot be asked).
    virtual std::optional<session_info> join_session(std::string_view device,
                                                     policy::layer on,
                                                     const session_limits& limits,
                                                     clock::time_point now) = 0;
    // The same without I/O, for a follow-up CONNECT on an I/O thread: a live
    // session of `user` on `device` and layer `on` that this store can vouch
    // for from memory (neither the user nor the device locked out or backing
    // off, as far as it knows), touched. nullopt sends the caller through
    // full verification, which asks the store itself.
    virtual std::optional<session_info> join_known(std::string_view device,
                                                   std::string_view user,
                                                   policy::layer on,
                                                   const session_limits& limits,
                                                   clock::time_point now) = 0;
    // Bracket each tunnel of a session: idle time counts only while none is open.
    virtual void tunnel_opened(std::string_view id, clock::time_point now) = 0;
    virtual void tunnel_closed(std::string_view id, clock::time_point now) = 0;
    // Ends a session (every instance closes its tunnels); false when it was
    // not there (already ended) or the store cannot be asked.
    virtual bool end_session(std::string_view id, std::string_view cause = "ended") = 0;
    // Every live session (of every instance, for a shared store); empty when
    // a shared store cannot be asked (health() tells).
    virtual std::vector<session_info> sessions(const session_limits& limits, clock::time_point now) = 0;

    // How many live sessions, for status lines and metrics: a shared store
    // answers with one round trip (sessions that expired since the last
    // sessions() call may still be counted).
    virtual std::size_t session_count(const session_limits& limits, clock::time_point now)
    {
        return sessions(limits, now).size();
    }

    virtual store_health health() const { return {}; }
    // Starts reporting to `events` (a shared store's subscriber and
    // reconnection thread); the in-process store has nothing to report.
    virtual void watch(store_events events) { (void)events; }
};

std::unique_ptr<state_store> make_memory_store();

// A new session id: 24 hex digits from libsodium's random source.
std::string new_session_id();

} // namespace sekisho::auth
