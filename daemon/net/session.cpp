#include "daemon/net/session.hpp"

#include "daemon/audit/events.hpp"
#include "daemon/log/logger.hpp"
#include "daemon/metrics/shard.hpp"
#include "daemon/net/deadline.hpp"
#include "daemon/net/proxy_accept.hpp"
#include "daemon/net/proxy_chain.hpp"
#include "daemon/net/relay.hpp"
#include "daemon/net/upstream.hpp"
#include "daemon/proto/connect_request.hpp"
#include "daemon/proto/reply.hpp"
#include "daemon/runtime/registry.hpp"
#include "daemon/tls/peer_identity.hpp"
#include "daemon/tls/tls_stream.hpp"
#include "policy/decide.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <cerrno>
#include <cstring>

#include <sys/socket.h>

namespace sekisho::net {

namespace {

using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using steady = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// The first byte of every TLS connection: a handshake record.
constexpr unsigned char tls_handshake_record = 0x16;
// Bytes of unread input discarded before closing after an error answer, so
// that the kernel sends FIN rather than RST and the client reads the answer.
constexpr std::size_t max_discard_before_close = 16384;

// Writes the record and releases the connection slot, on every path.
class session_guard
{
public:
    session_guard(runtime::shared_state& s, log::tunnel_record& r)
        : state_(s), record_(r), start_(steady::now())
    {}
    ~session_guard()
    {
        record_.duration = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start_);
        if (record_.end_cause.empty())
        {
            record_.end_cause = "closed";
        }
        if (state_.audit && record_.end_cause != "health_check")
        {
            // Not `required`: the connection is over either way; a record
            // the queue cannot take is counted as lost.
            const auto event = audit::final_event(record_);
            if (record_.audited_allow)
            {
                state_.audit->append_serialized(event, audit::closed_fields(record_), false);
            }
            else
            {
                // (Not a ?: of "deny" and the std::string: that makes a
                // temporary string the view would outlive.)
                std::string_view decision = record_.decision;
                if (event == "tunnel_denied")
                {
                    decision = "deny";
                }
                state_.audit->append_serialized(
                    event, audit::decision_fields(record_, decision, record_.reason), false);
            }
        }
        state_.tunnel_log->record(record_);
        metrics::note([this](metrics::shard& m) { m.connection_ended(record_); });
        state_.active.fetch_sub(1, std::memory_order_relaxed);
    }
    session_guard(const session_guard&) = delete;
    session_guard& operator=(const session_guard&) = delete;

private:
    runtime::shared_state& state_;
    log::tunnel_record& record_;
    steady::time_point start_;
};

asio::awaitable<error_code> wait_readable(tcp::socket& s)
{
    auto [ec] = co_await s.async_wait(tcp::socket::wait_read, use_tuple);
    co_return ec;
}

asio::awaitable<error_code> write_plain(tcp::socket& s, std::string text)
{
    auto [ec, n] = co_await asio::async_write(s, asio::buffer(text), use_tuple);
    co_return ec;
}

void discard_pending_input(tcp::socket& s)
{
    char sink[4096];
    std::size_t total = 0;
    error_code ec;
    s.non_blocking(true, ec);
    while (!ec && total < max_discard_before_close)
    {
        total += s.read_some(asio::buffer(sink), ec);
    }
}

// A tunnel of a telework session: counted in the store while this
// connection lives, so an open tunnel keeps its session from idling out.
struct session_tunnel
{
    auth::state_store& store;
    std::string id;
    session_tunnel(auth::state_store& s, std::string i) : store(s), id(std::move(i))
    {
        store.tunnel_opened(id, auth::clock::now());
    }
    ~session_tunnel() { store.tunnel_closed(id, auth::clock::now()); }
    session_tunnel(const session_tunnel&) = delete;
    session_tunnel& operator=(const session_tunnel&) = delete;
};

struct head_outcome
{
    proto::connect_parser::state state = proto::connect_parser::state::failed;
    proto::connect_request request;
    proto::request_error error;
    std::string leftover; // bytes after the head: the start of the tunnel payload
    error_code ec;        // transport error or end of stream before a full head
};

asio::awaitable<head_outcome> read_head(tls::tls_stream& client, std::size_t limit)
{
    head_outcome out;
    proto::connect_parser parser(limit);
    std::string buf;
    for (;;)
    {
        const std::size_t old = buf.size();
        buf.resize(limit);
        const auto r = client.try_read(buf.data() + old, limit - old);
        buf.resize(old + r.bytes);
        if (r.would_block)
        {
            if (auto ec = co_await client.wait_readable())
            {
                out.ec = ec;
                co_return out;
            }
            continue;
        }
        if (r.ec)
        {
            out.ec = r.ec;
            co_return out;
        }
        out.state = parser.parse(buf);
        if (out.state == proto::connect_parser::state::need_more)
        {
            continue;
        }
        if (out.state == proto::connect_parser::state::done)
        {
            out.request = parser.request();
            out.leftover = buf.substr(parser.head_size());
        }
        else
        {
            out.error = parser.error();
        }
        co_return out;
    }
}

asio::awaitable<error_code> send_to_client(tls::tls_stream& client, std::string text)
{
    co_return co_await client.write_all(text.data(), text.size());
}

asio::awaitable<error_code> close_notify(tls::tls_stream& client)
{
    co_return co_await client.shutdown();
}

class session
{
public:
    session(runtime::shared_state& state, std::size_t listener_index, const tcp::endpoint& peer)
        : state_(state), listener_(state.listeners[listener_index]), snapshot_(state.policy.load()),
          limits_(state.settings.limit), timeouts_(state.settings.timeout), peer_(peer)
    {
        record_.id = state.next_id.fetch_add(1, std::memory_order_relaxed);
        record_.started = std::chrono::system_clock::now();
        record_.listener = listener_.settings.id;
        record_.layer = std::string(policy::to_string(listener_.settings.layer));
        record_.policy_hash = snapshot_->hash();
        record_.decision = "error";
    }

    asio::awaitable<void> run(tcp::socket socket);

private:
    asio::awaitable<bool> take_proxy_header(tcp::socket& socket);
    asio::awaitable<bool> expect_tls(tcp::socket& socket);
    asio::awaitable<void> answer(tls::tls_stream& client, unsigned status, std::string text);
    asio::awaitable<void> tunnel(tls::tls_stream& client, head_outcome head);
    asio::awaitable<bool> sign_in(tls::tls_stream& client,
                                  const head_outcome& head,
                                  policy::request& req,
                                  std::optional<session_tunnel>& in_session);
    void audit_sign_in(const auth::auth_outcome& outcome);
    bool audit_allowed(const std::vector<policy::ip_address>& addresses);
    void end(std::string cause, std::string reason = {})
    {
        record_.end_cause = std::move(cause);
        if (!reason.empty())
        {
            record_.reason = std::move(reason);
        }
    }

    runtime::shared_state& state_;
    const runtime::listener_runtime& listener_;
    std::shared_ptr<const policy::snapshot> snapshot_;
    const config::limits& limits_;
    const config::timeouts& timeouts_;
    log::tunnel_record record_;
    runtime::connection_entry entry_;
    tcp::endpoint peer_; // as accept() reported it
    steady::time_point accepted_ = steady::now();
    // One deadline from accept for the PROXY header and the TLS handshake.
    steady::time_point handshake_deadline_ = accepted_ + timeouts_.tls_handshake;
    bool health_check_ = false; // a PROXY v2 LOCAL header: the load balancer's own probe
};

// Behind a load balancer (listeners[].proxy_protocol): only a trusted sender,
// and its header names the client that policy and audit see.
asio::awaitable<bool> session::take_proxy_header(tcp::socket& socket)
{
    using result = proxy_outcome::result;
    const auto got =
        co_await accept_proxy_header(socket, peer_, *listener_.settings.proxy_protocol, handshake_deadline_);
    if (got.what == result::ok)
    {
        if (!got.header.local && got.header.source)
        {
            record_.via = record_.peer;
            record_.peer = endpoint_text(to_asio(*got.header.source), got.header.source_port);
        }
        health_check_ = got.header.local;
        co_return true;
    }
    metrics::note([](metrics::shard& m) { m.proxy_refused(); });
    switch (got.what)
    {
        case result::untrusted:
            end("proxy_untrusted", "proxy_untrusted");
            record_.detail = "the sender is not in proxy_protocol.trusted";
            break;
        case result::timeout:
            end("proxy_header_timeout", "proxy_header_timeout");
            break;
        case result::closed:
            end("client_closed");
            record_.detail = got.error;
            co_return false;
        default:
            end("proxy_invalid", "proxy_invalid");
            record_.detail = got.error;
            break;
    }
    log_proxy_refusal(record_.end_cause, listener_.settings.id, record_.peer, record_.detail);
    co_return false;
}

// A client that speaks plain HTTP to a TLS port gets a plain answer saying so.
asio::awaitable<bool> session::expect_tls(tcp::socket& socket)
{
    unsigned char first = 0;
    for (;;)
    {
        auto ready = co_await with_deadline(wait_readable(socket), handshake_deadline_ - steady::now());
        if (!ready || *ready)
        {
            end(ready ? "client_error" : "tls_handshake_timeout", ready ? "" : "tls_handshake_timeout");
            co_return false;
        }
        const auto n = ::recv(socket.native_handle(), &first, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 1)
        {
            break;
        }
        if (n == 0)
        {
            end("client_closed");
            co_return false;
        }
        // A readiness report without data (EAGAIN) is not an end of stream:
        // wait again, within the same handshake deadline.
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        {
            record_.detail = std::strerror(errno);
            end("client_error");
            co_return false;
        }
    }
    if (first != tls_handshake_record)
    {
        discard_pending_input(socket);
        co_await with_deadline(write_plain(socket, proto::reply_plaintext_on_tls_port()),
                               timeouts_.tls_shutdown);
        record_.status = 400;
        end("not_tls", "not_tls");
        co_return false;
    }
    co_return true;
}

asio::awaitable<void> session::answer(tls::tls_stream& client, unsigned status, std::string text)
{
    record_.status = status;
    co_await with_deadline(send_to_client(client, std::move(text)), timeouts_.request);
    co_await with_deadline(close_notify(client), timeouts_.tls_shutdown);
    discard_pending_input(client.socket());
}

asio::awaitable<void> session::run(tcp::socket socket)
{
    co_await asio::this_coro::throw_if_cancelled(false);
    session_guard guard(state_, record_);
    runtime::registry_link link(entry_);
    record_.peer = endpoint_text(peer_.address(), peer_.port());
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    socket.set_option(asio::socket_base::keep_alive(true), ignored);
    entry_.client = &socket;

    if (listener_.settings.proxy_protocol && !co_await take_proxy_header(socket))
    {
        co_return;
    }
    if (!co_await expect_tls(socket))
    {
        // A load balancer's probe (v2 LOCAL) closes, or resets, unread.
        if (health_check_ && (record_.end_cause == "client_closed" || record_.end_cause == "client_error"))
        {
            end("health_check");
        }
        co_return;
    }
    tls::tls_stream client(std::move(socket), listener_.tls->native_handle());
    entry_.client = &client.socket();
    entry_.tls = client.native_handle();
    if (!client.valid())
    {
        end("internal_error", "tls_setup_failed");
        co_return;
    }

    // TLS 1.3 handshake with the device certificate.
    // One deadline for the whole handshake, counted from accept.
    const auto handshake_left = handshake_deadline_ - steady::now();
    auto hs = handshake_left > steady::duration::zero()
                  ? co_await with_deadline(client.handshake(), handshake_left)
                  : std::optional<error_code>{};
    if (!hs)
    {
        end("tls_handshake_timeout", "tls_handshake_timeout");
        co_return;
    }
    // The device: the verified certificate, or the one that was refused
    // (revoked, expired, other CA), so the record says who tried.
    const auto id = tls::identify_peer(client.native_handle());
    record_.device_subject = id.subject_cn;
    record_.device_fingerprint = id.fingerprint_sha256;
    record_.device_serial = id.serial_hex;
    if (*hs)
    {
        const bool ssl = hs->category() == asio::error::get_ssl_category();
        record_.reason = tls::handshake_failure_reason(client.native_handle(),
                                                       ssl ? static_cast<unsigned long>(hs->value()) : 0UL);
        record_.detail = hs->message();
        end("tls_handshake_failed");
        co_return;
    }
    record_.tls_resumed = SSL_session_reused(client.native_handle()) == 1;

    // The CONNECT request head.
    auto head = co_await with_deadline(read_head(client, limits_.request_head_bytes), timeouts_.request);
    if (!head)
    {
        co_await answer(
            client, 408, proto::reply_error(408, "request_timeout", "no complete request in time"));
        end("request_timeout", "request_timeout");
        co_return;
    }
    if (head->ec)
    {
        end(head->ec == asio::error::eof ? "client_closed" : "client_error");
        record_.detail = head->ec.message();
        co_return;
    }
    if (head->state != proto::connect_parser::state::done)
    {
        const auto& e = head->error;
        co_await answer(client, e.status, proto::reply_error(e.status, e.reason, e.text));
        end("bad_request", e.reason);
        co_return;
    }
    co_await tunnel(client, std::move(*head));
}

// Sign-in (auth:): the credentials name the user; two factors on top of the
// device certificate. False when the connection got its answer (407, 403,
// 429, 503) and ends here.
asio::awaitable<bool> session::sign_in(tls::tls_stream& client,
                                       const head_outcome& head,
                                       policy::request& req,
                                       std::optional<session_tunnel>& in_session)
{
    auto outcome = co_await state_.auth->authenticate(
        head.request.proxy_authorization, req.device, listener_.settings.layer, snapshot_.get());
    record_.user = outcome.user;
    record_.session = outcome.session.id;
    audit_sign_in(outcome);
    switch (outcome.result)
    {
        case auth::auth_result::ok:
        case auth::auth_result::joined:
            req.user = outcome.user;
            req.mfa = true;
            in_session.emplace(state_.auth->store(), outcome.session.id);
            entry_.session_id = outcome.session.id;
            co_return true;
        case auth::auth_result::busy:
            co_await answer(
                client, 503, proto::reply_error(503, "auth_busy", "sign-in is busy; try again in a moment"));
            end("limited", "auth_busy");
            co_return false;
        case auth::auth_result::store_unavailable:
            // Fail closed: without the shared store, one device one layer
            // and replay protection cannot be promised.
            metrics::note([&](metrics::shard& m) { m.auth_failed("store_unavailable"); });
            co_await answer(client,
                            503,
                            proto::reply_error(503,
                                               "session_store_unavailable",
                                               "sign-in is unavailable for a moment; try again shortly"));
            end("limited", "session_store_unavailable");
            co_return false;
        case auth::auth_result::too_many:
            co_await answer(
                client,
                429,
                proto::reply_error(429, "session_limit", "your roles allow no more telework sessions"));
            end("limited", "session_limit");
            co_return false;
        case auth::auth_result::layer_conflict:
            record_.decision = "deny";
            co_await answer(
                client, 403, proto::reply_denied("layer_conflict", "session:" + outcome.session.id));
            end("denied", "layer_conflict");
            co_return false;
        default:
            if (outcome.result != auth::auth_result::missing)
            {
                metrics::note([&](metrics::shard& m) { m.auth_failed(auth::to_string(outcome.result)); });
            }
            record_.decision = "deny";
            co_await answer(client, 407, proto::reply_auth_required());
            end("auth_required", std::string(auth::to_string(outcome.result)));
            co_return false;
    }
}

// tunnel_allowed, queued before anything is dialled; false when the audit
// log refuses it (fail_closed and unwritable, or its queue full).
bool session::audit_allowed(const std::vector<policy::ip_address>& addresses)
{
    if (!state_.audit)
    {
        return true;
    }
    for (const auto& a : addresses)
    {
        if (!record_.resolved.empty())
        {
            record_.resolved += ',';
        }
        record_.resolved += a.to_string();
    }
    if (!state_.audit->append_serialized(
            "tunnel_allowed", audit::decision_fields(record_, "allow", "allowed"), true))
    {
        return false;
    }
    record_.audited_allow = true;
    return true;
}

// session_opened for a new telework session; auth_failed / auth_locked for
// refused credentials (a first CONNECT without any is a challenge, not a
// failure).
void session::audit_sign_in(const auth::auth_outcome& outcome)
{
    using auth::auth_result;
    if (!state_.audit || outcome.result == auth_result::missing || outcome.result == auth_result::joined ||
        outcome.result == auth_result::busy || (outcome.result == auth_result::ok && !outcome.new_session))
    {
        return;
    }
    boost::json::object f;
    f["user"] = outcome.user.empty() ? boost::json::value(nullptr) : boost::json::value(outcome.user);
    if (const auto* u = snapshot_->find_user(outcome.user))
    {
        f["department"] = u->department;
    }
    f["device"] = record_.device;
    f["layer"] = record_.layer;
    f["peer"] = record_.peer;
    if (!record_.via.empty())
    {
        f["via"] = record_.via;
    }
    if (outcome.result == auth_result::ok)
    {
        f["session"] = outcome.session.id;
        state_.audit->append("session_opened", f);
        return;
    }
    if (outcome.result == auth_result::layer_conflict || outcome.result == auth_result::too_many)
    {
        return; // signed in, then refused: the tunnel_denied record says why
    }
    f["result"] = std::string(auth::to_string(outcome.result));
    state_.audit->append(outcome.result == auth_result::locked ? "auth_locked" : "auth_failed", f);
}

asio::awaitable<void> session::tunnel(tls::tls_stream& client, head_outcome head)
{
    const auto& dest = head.request.dest;
    record_.target = policy::to_string(dest);
    // Who: the device inventory entry of the certificate and its owner, with
    // one factor; with `auth:`, sign_in() names the user and adds two.
    policy::request req{listener_.settings.layer, dest, {}, {}, false};
    const auto serial = policy::normalise_serial(record_.device_serial).value_or("");
    if (const auto* dv = snapshot_->find_device_by_certificate(record_.device_fingerprint, serial))
    {
        req.device = dv->id;
        req.user = dv->owner;
        record_.device = dv->id;
        record_.user = dv->owner;
    }
    // Holds the session's tunnel count while this connection lives.
    std::optional<session_tunnel> in_session;
    if (state_.auth && !req.device.empty() && !co_await sign_in(client, head, req, in_session))
    {
        co_return;
    }
    // The user's entry (null for an unregistered device): department for
    // the record, and the per-user tunnel limit below.
    const auto* user_entry = snapshot_->find_user(req.user);
    if (user_entry != nullptr)
    {
        record_.department = user_entry->department;
    }
    const auto decide_started = steady::now();
    auto decision = policy::decide(*snapshot_, req, std::chrono::system_clock::now());
    metrics::note([&](metrics::shard& m) { m.decided(steady::now() - decide_started); });
    // The class of the catalogued service the target matched, as decide()
    // found it (not looked up a second time).
    if (decision.service != nullptr)
    {
        record_.data_class = std::string(policy::to_string(decision.service->max_class));
    }

    auto deny = [&](const policy::decision& d) -> asio::awaitable<void> {
        record_.decision = "deny";
        record_.reason = std::string(policy::to_string(d.why));
        record_.rule = d.rule_id;
        record_.zone = std::string(policy::to_string(d.dest_zone));
        record_.service = d.service_id;
        record_.role = d.role_id;
        record_.detail = d.detail;
        co_await answer(client, 403, proto::reply_denied(record_.reason, record_.rule));
        end("denied");
    };
    if (!decision.allowed())
    {
        co_await deny(decision);
        co_return;
    }
    record_.rule = decision.rule_id;
    record_.zone = std::string(policy::to_string(decision.dest_zone));
    record_.service = decision.service_id;
    record_.role = decision.role_id;
    if (decision.report_only())
    {
        record_.would_deny = std::string(policy::to_string(decision.would_deny));
    }
    record_.exception = decision.exception_id;

    std::optional<runtime::device_slot> slot;
    if (!state_.devices.acquire(record_.device_fingerprint, limits_.tunnels_per_device))
    {
        co_await answer(
            client,
            429,
            proto::reply_error(429, "device_tunnel_limit", "this device has too many open tunnels"));
        end("limited", "device_tunnel_limit");
        co_return;
    }
    slot.emplace(state_.devices, record_.device_fingerprint);
    // The user's limit is the largest of their roles' (limits.tunnels_per_user).
    std::optional<runtime::device_slot> user_slot;
    // Allowed implies a registered user (decide() checks identity first).
    if (const auto max = snapshot_->tunnels_per_user(*user_entry); max > 0)
    {
        if (!state_.users.acquire(req.user, max))
        {
            co_await answer(
                client,
                429,
                proto::reply_error(429, "user_tunnel_limit", "this user has too many open tunnels"));
            end("limited", "user_tunnel_limit");
            co_return;
        }
        user_slot.emplace(state_.users, req.user);
    }

    // Resolve names ourselves and vet every address before dialling any
    // (unless the layer's upstream proxy resolves: egress.<layer>.proxy.resolve).
    const auto& proxy = state_.settings.egress(listener_.settings.layer).proxy;
    std::vector<policy::ip_address> addresses;
    if (dest.type == policy::target::kind::ip)
    {
        addresses.push_back(dest.address);
    }
    else if (!proxy || proxy->resolve_locally)
    {
        const auto& layer_dns = state_.settings.egress(listener_.settings.layer).dns;
        auto r = co_await resolve(dest.host,
                                  dest.port,
                                  state_.settings.hosts,
                                  timeouts_.dns,
                                  layer_dns ? &*layer_dns : nullptr,
                                  state_.dns_cache_of(listener_.settings.layer));
        if (!r.error.empty())
        {
            const unsigned status = r.error == "dns_timeout" ? 504 : 502;
            record_.detail = r.detail;
            co_await answer(
                client, status, proto::reply_error(status, r.error, "the destination could not be resolved"));
            end("upstream_failed", r.error);
            co_return;
        }
        decision = policy::vet_resolved(*snapshot_, req, decision, r.addresses);
        if (!decision.allowed())
        {
            co_await deny(decision);
            co_return;
        }
        addresses = std::move(r.addresses);
    }
    if (entry_.killed)
    {
        end(entry_.kill_cause);
        co_return;
    }
    // The tunnel opens only once its record is queued (fail_closed).
    if (!audit_allowed(addresses))
    {
        co_await answer(
            client,
            503,
            proto::reply_error(503, "audit_unavailable", "the audit log cannot be written; try again later"));
        end("limited", "audit_unavailable");
        co_return;
    }

    // (No co_await inside ?: and no braced temporaries as coroutine
    // arguments: GCC 12 miscompiles both.)
    std::vector<policy::ip_address> dial = addresses;
    std::uint16_t dial_port = dest.port;
    if (proxy)
    {
        dial.assign(1, proxy->address);
        dial_port = proxy->port;
    }
    auto c = co_await connect(dial, dial_port, timeouts_.connect);
    record_.upstream = proxy ? "proxy " + c.dialled : c.dialled;
    if (!c.socket)
    {
        const unsigned status = c.error == "upstream_timeout" ? 504 : 502;
        record_.detail = proxy ? "upstream proxy: " + c.detail : c.detail;
        co_await answer(
            client, status, proto::reply_error(status, c.error, "the destination did not accept the tunnel"));
        end("upstream_failed", c.error);
        co_return;
    }
    // TLS to the upstream proxy (egress.<layer>.proxy.tls): the socket moves
    // into the stream, which verifies the proxy's certificate.
    std::optional<tls::tls_stream> proxy_tls;
    if (proxy && proxy->tls)
    {
        proxy_tls.emplace(std::move(*c.socket),
                          state_.proxy_tls_of(listener_.settings.layer)->native_handle(),
                          proxy->server_name);
        entry_.upstream = &proxy_tls->socket();
        std::optional<error_code> shaken;
        if (proxy_tls->valid())
        {
            shaken = co_await with_deadline(proxy_tls->handshake(), timeouts_.tls_handshake);
        }
        if (!proxy_tls->valid() || !shaken || *shaken)
        {
            record_.detail =
                "TLS to the upstream proxy failed: " + (!proxy_tls->valid() ? std::string("cannot set up TLS")
                                                        : !shaken ? std::string("handshake timed out")
                                                                  : shaken->message());
            entry_.upstream = nullptr;
            co_await answer(
                client, 502, proto::reply_error(502, "proxy_tls_failed", "the upstream proxy's TLS failed"));
            end("upstream_failed", "proxy_tls_failed");
            co_return;
        }
    }
    tcp::socket& upstream = proxy_tls ? proxy_tls->socket() : *c.socket;
    entry_.upstream = &upstream;
    // Chained through the layer's upstream proxy: it is asked for the name
    // (or address) the client asked for, after sekisho's own decision.
    std::string from_proxy;
    if (proxy)
    {
        chain_outcome chained;
        if (proxy_tls)
        {
            chained = co_await chain_through(*proxy_tls, policy::to_string(dest), *proxy, timeouts_.connect);
        }
        else
        {
            chained = co_await chain_through(upstream, policy::to_string(dest), *proxy, timeouts_.connect);
        }
        if (!chained.error.empty())
        {
            const unsigned status = chained.error == "proxy_timeout" ? 504 : 502;
            record_.detail = chained.detail;
            co_await answer(
                client,
                status,
                proto::reply_error(status, chained.error, "the upstream proxy did not open the tunnel"));
            end("upstream_failed", chained.error);
            co_return;
        }
        from_proxy = std::move(chained.leftover);
    }
    // What a reload re-checks: this request, to the address actually dialled
    // (through a proxy: the addresses vetted, none when the proxy resolves).
    entry_.request = req;
    if (proxy)
    {
        entry_.addresses = addresses;
    }
    else
    {
        entry_.addresses.assign(1, c.address);
    }
    // Unlinks the upstream socket from the registry before it is destroyed.
    struct unlink
    {
        runtime::connection_entry& e;
        ~unlink()
        {
            e.upstream = nullptr;
            e.request.reset();
        }
    } unlink_upstream{entry_};
    error_code ignored;
    upstream.set_option(tcp::no_delay(true), ignored);
    upstream.set_option(asio::socket_base::keep_alive(true), ignored);

    record_.decision = "allow";
    record_.reason = "allowed";
    record_.status = 200;
    metrics::note([this](metrics::shard& m) { m.tunnel_opened(record_.layer, steady::now() - accepted_); });
    auto established =
        co_await with_deadline(send_to_client(client, proto::reply_established()), timeouts_.request);
    if (!established || *established)
    {
        end("client_error");
        co_return;
    }
    // The destination's first bytes, if the proxy passed them with its answer.
    if (!from_proxy.empty())
    {
        record_.bytes_down += from_proxy.size();
        auto sent = co_await with_deadline(send_to_client(client, std::move(from_proxy)), timeouts_.request);
        if (!sent || *sent)
        {
            end("client_error");
            co_return;
        }
    }
    // Payload the client sent right behind its CONNECT head.
    if (!head.leftover.empty())
    {
        std::optional<error_code> sent;
        if (proxy_tls)
        {
            sent = co_await with_deadline(proxy_tls->write_all(head.leftover.data(), head.leftover.size()),
                                          timeouts_.connect);
        }
        else
        {
            sent = co_await with_deadline(write_plain(upstream, head.leftover), timeouts_.connect);
        }
        if (!sent || *sent)
        {
            end("upstream_error");
            co_return;
        }
        record_.bytes_up += head.leftover.size();
    }

    const relay_limits limits{timeouts_.idle, steady::now() + timeouts_.tunnel_lifetime};
    relay_result result;
    if (proxy_tls)
    {
        result = co_await relay(client, *proxy_tls, limits, entry_);
    }
    else
    {
        result = co_await relay(client, upstream, limits, entry_);
    }
    record_.bytes_up += result.bytes_up;
    record_.bytes_down += result.bytes_down;
    record_.detail = result.detail;
    end(result.end_cause);
    if (result.end_cause == "policy_withdrawn")
    {
        // Closed by a re-check: the record names the new policy's verdict.
        const auto& d = entry_.withdrawn_by;
        record_.reason = std::string(policy::to_string(d.why));
        record_.rule = d.rule_id;
        record_.detail = "withdrawn by policy " + state_.policy.load()->hash().substr(0, 16);
    }
    co_await with_deadline(close_notify(client), timeouts_.tls_shutdown);
}

} // namespace

asio::awaitable<void>
run_session(runtime::shared_state& state, std::size_t listener_index, tcp::socket socket, tcp::endpoint peer)
{
    session s(state, listener_index, peer);
    co_await s.run(std::move(socket));
}

} // namespace sekisho::net
