#pragma once
// User authentication for one CONNECT: `Proxy-Authorization: Basic` with
// user:password followed by the TOTP code, checked against the secrets file,
// with back-off and lockout per user and per device, replay protection for
// TOTP codes, and telework sessions (one device, one layer at a time).
//
// argon2id runs on a bounded worker pool, never on an I/O thread; when the
// pool's queue is full the answer is `busy` (503) at once. Follow-up
// CONNECTs of a live session with the same credentials join it without
// hashing: the session keeps a keyed BLAKE2b tag of (user, password, device),
// compared in constant time, and the tag dies with the session.

#include "daemon/auth/secrets.hpp"
#include "daemon/auth/state_store.hpp"
#include "daemon/auth/totp.hpp"
#include "policy/snapshot.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sekisho::auth {

struct authenticator_options
{
    totp_params totp;
    lockout_policy lockout;
    session_limits session;
    unsigned workers = 2;
    std::size_t queue = 64;
};

enum class auth_result
{
    ok,               // a new session, or a new tunnel of a session after full verification
    joined,           // a live session's credentials matched: no hashing
    missing,          // no (or malformed) Proxy-Authorization
    failed,           // wrong user, password or code (never said which)
    locked,           // too many failures: locked until the lockout ends or an operator unlocks
    disabled,         // locked by an operator (`locked: true` in the secrets file)
    backing_off,      // too soon after a failure
    replayed,         // a TOTP code that already opened a session
    busy,             // the hashing queue is full
    layer_conflict,   // the device has a session on the other layer
    too_many,         // the user's roles allow no more sessions (limits.sessions_per_user)
    store_unavailable // the shared session store cannot be asked (fail closed)
};
std::string_view to_string(auth_result r);

struct auth_outcome
{
    auth_result result = auth_result::missing;
    std::string user;         // the user named in the credentials (also on failure, for the record)
    session_info session;     // on ok / joined / layer_conflict
    bool new_session = false; // ok: this sign-in created the session
};

// What the worker pool checks for one sign-in (authenticate()).
struct check_input
{
    std::string user;
    std::string password; // wiped once checked
    std::string code;
    std::string device;
    policy::layer on = policy::layer::internet;
    std::string tag;
    clock::time_point now;
    const policy::snapshot* policy = nullptr;
};

class authenticator
{
public:
    authenticator(secrets users, std::unique_ptr<state_store> store, authenticator_options options);
    ~authenticator();
    authenticator(const authenticator&) = delete;
    authenticator& operator=(const authenticator&) = delete;

    // `header`: the Proxy-Authorization value, if any. `device`: the device's
    // inventory id (the caller refuses unregistered devices before asking).
    // `policy` (kept alive by the caller while this runs) gives the user's
    // session limit (limits.sessions_per_user of their roles).
    boost::asio::awaitable<auth_outcome> authenticate(std::optional<std::string> header,
                                                      std::string device,
                                                      policy::layer on,
                                                      const policy::snapshot* policy);

    // A reloaded secrets file (SIGHUP): new sign-ins use it. The server then
    // ends the sessions of users it locks or no longer lists (session_sweep).
    void replace_secrets(secrets users);

    // `locked: true` in the secrets file in force.
    bool locked_by_operator(std::string_view user) const;
    // The user is in the secrets file, enrolled and not locked: their
    // sessions may go on (a reload that removes or locks them ends them).
    bool may_keep_session(std::string_view user) const;

    state_store& store() { return *store_; }
    const authenticator_options& options() const { return options_; }
    std::size_t pending() const { return pending_.load(); }

    // On a worker thread: lockout, password and code, then the session
    // claim, all against the store.
    auth_outcome full_check(check_input& in);

private:
    std::string tag_of(std::string_view user, std::string_view password, std::string_view device) const;
    // After `replayed`: whether the device's session with this user appeared
    // meanwhile (another CONNECT with the same code opened it), looked for
    // replay_recheck_tries times, replay_recheck_wait apart (worker thread).
    bool opened_meanwhile(const check_input& in);
    static constexpr unsigned replay_recheck_tries = 3;
    static constexpr std::chrono::milliseconds replay_recheck_wait{10};

    std::atomic<std::shared_ptr<const secrets>> users_; // swapped by a reload
    std::unique_ptr<state_store> store_;
    authenticator_options options_;
    boost::asio::thread_pool pool_;
    std::atomic<std::size_t> pending_{0};
    std::string tag_key_;    // per-process random key for credential tags
    std::string dummy_hash_; // hashed for unknown users, so timing does not tell
};

} // namespace sekisho::auth
