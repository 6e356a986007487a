#pragma once
// What authentication must remember across connections: failed attempts and
// lockouts, TOTP steps already used, and telework sessions (user, device,
// layer). Behind one small interface so that several instances can share it
// (a Redis implementation is planned); memory_store is the embedded default.
//
// Every call takes `now`, so that tests control the clock and expiry never
// depends on a timer firing.

#include "policy/model.hpp"

#include <chrono>
#include <cstdint>
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
    too_many        // the user already holds max_sessions sessions (on other devices)
};

class state_store
{
public:
    virtual ~state_store() = default;

    // Attempts, keyed "user:<id>" or "device:<fingerprint>".
    virtual attempt_state attempts(std::string_view key, clock::time_point now) = 0;
    virtual attempt_state
    record_failure(std::string_view key, clock::time_point now, const lockout_policy& p) = 0;
    virtual void record_success(std::string_view key) = 0;
    virtual void unlock(std::string_view key) = 0;

    // Replay protection: true the first time (user, step) is claimed, false
    // ever after (until `forget_after`, when the step can no longer match).
    virtual bool claim_totp_step(std::string_view user,
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
    // The live session of a device on a layer, touched; nullopt when none.
    virtual std::optional<session_info> join_session(std::string_view device,
                                                     policy::layer on,
                                                     const session_limits& limits,
                                                     clock::time_point now) = 0;
    // Bracket each tunnel of a session: idle time counts only while none is open.
    virtual void tunnel_opened(std::string_view id, clock::time_point now) = 0;
    virtual void tunnel_closed(std::string_view id, clock::time_point now) = 0;
    virtual bool end_session(std::string_view id) = 0;
    virtual std::vector<session_info> sessions(const session_limits& limits, clock::time_point now) = 0;
};

std::unique_ptr<state_store> make_memory_store();

} // namespace sekisho::auth
