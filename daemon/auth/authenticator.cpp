#include "daemon/auth/authenticator.hpp"

#include "daemon/auth/credentials.hpp"
#include "daemon/auth/password.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sodium.h>

#include <stdexcept>
#include <thread>

namespace sekisho::auth {

namespace asio = boost::asio;

namespace {

// Runs f() on the pool and resumes the awaiting coroutine on its own
// executor. Plain functions and named types only: GCC 12 mis-moves objects
// captured by init-capture inside a coroutine frame.
template <typename R>
struct pool_initiation
{
    asio::thread_pool* pool;

    template <typename Handler, typename F>
    void operator()(Handler handler, F f) const
    {
        asio::post(*pool, [handler = std::move(handler), f = std::move(f)]() mutable {
            R r = f();
            auto ex = asio::get_associated_executor(handler);
            asio::dispatch(ex, [handler = std::move(handler), r = std::move(r)]() mutable {
                std::move(handler)(std::move(r));
            });
        });
    }
};

template <typename R, typename F>
asio::awaitable<R> run_on(asio::thread_pool& pool, F f)
{
    return asio::async_initiate<decltype(asio::use_awaitable), void(R)>(
        pool_initiation<R>{&pool}, asio::use_awaitable, std::move(f));
}

// One password + TOTP check, run on the worker pool.
struct verify_job
{
    std::string hash;
    std::vector<std::uint8_t> key;
    std::string password;
    std::string code;
    clock::time_point now;
    totp_params params;
    bool known = false;

    std::pair<bool, std::int64_t> operator()()
    {
        const bool password_ok = verify_password(hash, password);
        const auto step = totp_match(key, code, now, params);
        sodium_memzero(password.data(), password.size());
        return {known && password_ok && step.has_value(), step.value_or(0)};
    }
};

// The pool's side of authenticate(): a plain named type (see run_on).
struct check_job
{
    authenticator* self;
    check_input in;

    auth_outcome operator()() { return self->full_check(in); }
};

std::string random_bytes(std::size_t n)
{
    std::string out(n, '\0');
    randombytes_buf(out.data(), out.size());
    return out;
}

} // namespace

std::string_view to_string(auth_result r)
{
    switch (r)
    {
        case auth_result::ok:
            return "ok";
        case auth_result::joined:
            return "joined";
        case auth_result::missing:
            return "auth_missing";
        case auth_result::failed:
            return "auth_failed";
        case auth_result::locked:
            return "auth_locked";
        case auth_result::disabled:
            return "user_locked";
        case auth_result::backing_off:
            return "auth_backoff";
        case auth_result::replayed:
            return "totp_replayed";
        case auth_result::busy:
            return "auth_busy";
        case auth_result::layer_conflict:
            return "layer_conflict";
        case auth_result::store_unavailable:
            return "store_unavailable";
        case auth_result::too_many:
            break;
    }
    return "session_limit";
}

authenticator::authenticator(secrets users, std::unique_ptr<state_store> store, authenticator_options options)
    : users_(std::make_shared<const secrets>(std::move(users))), store_(std::move(store)), options_(options),
      pool_(options.workers)
{
    if (sodium_init() < 0)
    {
        throw std::runtime_error("libsodium cannot be initialised");
    }
    tag_key_ = random_bytes(crypto_generichash_KEYBYTES);
    // Unknown users are checked against this, so that timing does not tell
    // who exists; without it that promise would not hold: refuse to start.
    auto dummy = hash_password(random_bytes(16));
    if (!dummy)
    {
        throw std::runtime_error("cannot hash a password with argon2id (out of memory?)");
    }
    dummy_hash_ = std::move(*dummy);
}

authenticator::~authenticator()
{
    pool_.join();
}

bool authenticator::locked_by_operator(std::string_view user) const
{
    const auto users = users_.load();
    const auto it = users->users.find(std::string(user));
    return it != users->users.end() && it->second.locked;
}

bool authenticator::may_keep_session(std::string_view user) const
{
    const auto users = users_.load();
    const auto it = users->users.find(std::string(user));
    return it != users->users.end() && !it->second.locked && !it->second.totp_key.empty();
}

void authenticator::replace_secrets(secrets users)
{
    users_.store(std::make_shared<const secrets>(std::move(users)));
}

std::string
authenticator::tag_of(std::string_view user, std::string_view password, std::string_view device) const
{
    crypto_generichash_state st;
    crypto_generichash_init(&st,
                            reinterpret_cast<const unsigned char*>(tag_key_.data()),
                            tag_key_.size(),
                            crypto_generichash_BYTES);
    for (auto part : {user, password, device})
    {
        const auto len = static_cast<std::uint32_t>(part.size());
        crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(&len), sizeof len);
        crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(part.data()), part.size());
    }
    std::string out(crypto_generichash_BYTES, '\0');
    crypto_generichash_final(&st, reinterpret_cast<unsigned char*>(out.data()), out.size());
    return out;
}

asio::awaitable<auth_outcome> authenticator::authenticate(std::optional<std::string> header,
                                                          std::string device,
                                                          policy::layer on,
                                                          const policy::snapshot* policy)
{
    auth_outcome out;
    auto creds = header ? parse_proxy_authorization(*header, options_.totp.digits) : std::nullopt;
    if (!creds)
    {
        out.result = auth_result::missing;
        co_return out;
    }
    out.user = creds->user;
    const auto now = clock::now();

    // A follow-up CONNECT of a live session: same user, same password, same
    // device, compared through the keyed tag in constant time. Answered
    // from memory, on this I/O thread: no hashing, no store round trip.
    const auto tag = tag_of(creds->user, creds->password, device);
    if (auto s = store_->join_known(device, creds->user, on, options_.session, now);
        s && !locked_by_operator(s->user) && s->credential_tag.size() == tag.size() &&
        sodium_memcmp(s->credential_tag.data(), tag.data(), tag.size()) == 0)
    {
        sodium_memzero(creds->password.data(), creds->password.size());
        out.result = auth_result::joined;
        out.session = *s;
        co_return out;
    }

    if (pending_.load() >= options_.queue)
    {
        out.result = auth_result::busy;
        co_return out;
    }
    // Everything else (the store, argon2id) runs on the worker pool: a
    // shared store's round trips never hold an I/O thread.
    check_input in;
    in.user = std::move(creds->user);
    in.password = std::move(creds->password);
    in.code = std::move(creds->code);
    in.device = std::move(device);
    in.on = on;
    in.tag = tag;
    in.now = now;
    in.policy = policy;
    // Named, not a braced temporary: GCC 12 mis-handles those as arguments
    // inside a coroutine.
    check_job job{this, std::move(in)};
    ++pending_;
    out = co_await run_on<auth_outcome>(pool_, std::move(job));
    --pending_;
    co_return out;
}

bool authenticator::opened_meanwhile(const check_input& in)
{
    for (unsigned i = 0; i < replay_recheck_tries; ++i)
    {
        if (i > 0)
        {
            std::this_thread::sleep_for(replay_recheck_wait);
        }
        if (auto s = store_->join_session(in.device, in.on, options_.session, clock::now());
            s && s->user == in.user)
        {
            return true;
        }
    }
    return false;
}

auth_outcome authenticator::full_check(check_input& in)
{
    auth_outcome out;
    out.user = in.user;
    const auto wipe = [&] {
        sodium_memzero(in.password.data(), in.password.size());
    };
    const auto ukey = user_key(in.user);
    const auto dkey = device_key(in.device);
    const auto ua = store_->attempts(ukey, in.now);
    const auto da = ua ? store_->attempts(dkey, in.now) : std::nullopt;
    if (!ua || !da)
    {
        wipe();
        out.result = auth_result::store_unavailable;
        return out;
    }
    if (ua->locked(in.now) || da->locked(in.now))
    {
        wipe();
        out.result = auth_result::locked;
        return out;
    }
    if (ua->backing_off(in.now) || da->backing_off(in.now))
    {
        wipe();
        out.result = auth_result::backing_off;
        return out;
    }

    const auto users = users_.load();
    const auto it = users->users.find(in.user);
    // A user without a TOTP key is not enrolled yet: never signed in (an
    // empty HMAC key would make every code computable).
    const bool known = it != users->users.end() && !it->second.totp_key.empty();
    const bool locked = known && it->second.locked;
    // Unknown users cost a hash too, so that timing does not tell who exists.
    verify_job job{known ? it->second.password_hash : dummy_hash_,
                   known ? it->second.totp_key : std::vector<std::uint8_t>(20, 0),
                   std::move(in.password),
                   in.code,
                   in.now,
                   options_.totp,
                   known};
    const auto [ok, step] = job();

    if (!ok)
    {
        store_->record_failure(ukey, in.now, options_.lockout);
        store_->record_failure(dkey, in.now, options_.lockout);
        out.result = auth_result::failed;
        return out;
    }
    if (locked)
    {
        // The right credentials of a user an operator locked: refused, but
        // not counted as a failure (it is not a guess).
        out.result = auth_result::disabled;
        return out;
    }
    // A code opens one session only. It can match until `window` steps after
    // its own step has passed; after that it is forgotten.
    const auto step_len = options_.totp.step;
    const auto forget_after = clock::time_point(step_len * (step + 1 + options_.totp.window));
    session_info wanted;
    wanted.user = in.user;
    wanted.device = in.device;
    wanted.on = in.on;
    wanted.credential_tag = in.tag;
    session_info got;
    claim_result claimed = claim_result::unavailable;
    // Joining (same device, user and layer) needs no fresh code: only a new
    // session consumes one.
    if (auto live = store_->join_session(in.device, in.on, options_.session, in.now);
        live && live->user == in.user)
    {
        claimed = store_->claim_session(wanted, options_.session, in.now, &got);
    }
    else
    {
        switch (store_->claim_totp_step(in.user, step, forget_after, in.now))
        {
            case step_claim::unavailable:
                out.result = auth_result::store_unavailable;
                return out;
            case step_claim::replayed:
                // Two first CONNECTs of one device at once (a browser's
                // parallel connections) carry the same code: the other one
                // may be opening the session right now. Join it once it is.
                if (opened_meanwhile(in))
                {
                    claimed = store_->claim_session(wanted, options_.session, in.now, &got);
                    break;
                }
                store_->record_failure(ukey, in.now, options_.lockout);
                store_->record_failure(dkey, in.now, options_.lockout);
                out.result = auth_result::replayed;
                return out;
            case step_claim::claimed: {
                const auto* u = in.policy != nullptr ? in.policy->find_user(in.user) : nullptr;
                const unsigned limit = u != nullptr ? in.policy->sessions_per_user(*u) : 0U;
                claimed = store_->claim_session(wanted, options_.session, in.now, &got, limit);
                break;
            }
        }
    }
    out.session = got;
    switch (claimed)
    {
        case claim_result::unavailable:
            out.result = auth_result::store_unavailable;
            return out;
        case claim_result::layer_conflict:
            out.result = auth_result::layer_conflict;
            return out;
        case claim_result::too_many:
            out.result = auth_result::too_many;
            return out;
        case claim_result::created:
        case claim_result::joined:
            break;
    }
    // Only a count there is to forget costs a store call.
    if (ua->failures != 0 || ua->retry_after != clock::time_point{})
    {
        store_->record_success(ukey);
    }
    if (da->failures != 0 || da->retry_after != clock::time_point{})
    {
        store_->record_success(dkey);
    }
    out.result = auth_result::ok;
    out.new_session = claimed == claim_result::created;
    return out;
}

} // namespace sekisho::auth
