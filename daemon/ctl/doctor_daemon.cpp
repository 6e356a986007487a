// `sekishoctl doctor`'s checks of what runs: `listeners`, whether each
// listener of sekisho.yaml accepts a TCP connection (on loopback for one on
// every address), and `daemon`, what sekishod says of itself on its admin
// socket (GET /v1/status): its policy against the file on disk, draining,
// the audit log's health and lost events.

#include "daemon/ctl/admin_client.hpp"
#include "daemon/ctl/common.hpp"
#include "daemon/ctl/doctor.hpp"
#include "daemon/i18n/catalog.hpp"
#include "daemon/util/fd.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <array>
#include <cerrno>

#include <unistd.h>

namespace sekisho::ctl::doctor {

namespace {

namespace listen_text {
constexpr const char* listening = "{id} {address}:{port} listening";
constexpr const char* any_port = "{id} port chosen at start";
constexpr const char* silent = "nothing answers on {address}:{port} ({id}): {why}";
constexpr const char* silent_do = "is sekishod running? systemctl status sekishod";
constexpr const char* timed_out = "no answer within {ms} ms";
} // namespace listen_text

namespace daemon_text {
constexpr const char* no_admin = "not checked: {config} has no admin: section";
constexpr const char* no_admin_do =
    "add admin: {socket: /run/sekisho/admin.sock} to {config}, then systemctl "
    "restart sekishod (docs/admin-api.md)";
constexpr const char* denied = "cannot use the admin socket {socket}: permission denied";
constexpr const char* denied_do = "run as root or a member of admin.group: sudo sekishoctl doctor";
constexpr const char* silent = "nothing answers on the admin socket {socket}: {why}";
constexpr const char* silent_do = listen_text::silent_do;
constexpr const char* refused = "sekishod answered {status}: {why}";
constexpr const char* running = "sekishod {version} up {uptime}, policy {policy}";
constexpr const char* changed = "; the policy file changed since it was loaded (on disk {disk})";
constexpr const char* changed_do = "the policy file changed since it was loaded: run sekishoctl reload";
constexpr const char* draining = "; stopping (draining)";
constexpr const char* draining_do =
    "sekishod is stopping: systemctl status sekishod (start it again once stopped)";
constexpr const char* unhealthy = "; the audit log cannot be written: {error}";
constexpr const char* unhealthy_do = "see audit_disk above and journalctl -u sekishod";
constexpr const char* store_down = "; the session store is unreachable{fallback}";
constexpr const char* fallback_local = " (signing in per instance: local_fallback)";
constexpr const char* fallback_closed = " (new sign-ins are refused: fail_closed)";
constexpr const char* store_down_do = "see store below and journalctl -u sekishod -g store_unavailable";
constexpr const char* lost = "; {lost} audit event(s) lost";
constexpr const char* lost_do = "audit events were lost (queue full or the log not writable): journalctl -u "
                                "sekishod -g audit_lost";
} // namespace daemon_text

// "" when something accepts a TCP connection on address:port within the timeout.
std::string try_connect(const policy::ip_address& address, std::uint16_t port)
{
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    boost::system::error_code ec = boost::asio::error::timed_out;
    socket.async_connect({boost::asio::ip::make_address(address.to_string()), port},
                         [&](const boost::system::error_code& e) { ec = e; });
    io.run_for(listener_connect_timeout);
    const auto limit = std::to_string(listener_connect_timeout.count());
    return ec ? (ec == boost::asio::error::timed_out ? fill(listen_text::timed_out, {{"ms", limit}})
                                                     : ec.message())
              : std::string();
}

} // namespace

finding check_listeners(const inputs& in)
{
    if (!in.settings_valid)
    {
        return not_checked("listeners");
    }
    finding f{"listeners", status::ok, {}, {}, {}};
    std::vector<std::string> parts;
    for (const auto& l : in.settings->listeners)
    {
        auto address = l.address;
        // A listener on every address answers on loopback too.
        if (address == policy::ip_address::v4({0, 0, 0, 0}))
        {
            address = policy::ip_address::v4({127, 0, 0, 1});
        }
        else if (address == policy::ip_address::v6({}))
        {
            std::array<std::uint8_t, 16> one{};
            one[15] = 1;
            address = policy::ip_address::v6(one);
        }
        const std::string shown = address.is_v4() ? address.to_string() : "[" + address.to_string() + "]";
        if (l.port == 0)
        {
            parts.push_back(fill(listen_text::any_port, {{"id", l.id}}));
            continue;
        }
        const auto why = try_connect(address, l.port);
        const fields values = {
            {"id", l.id}, {"address", shown}, {"port", std::to_string(l.port)}, {"why", why}};
        parts.push_back(fill(why.empty() ? listen_text::listening : listen_text::silent, values));
        if (!why.empty() && f.level != status::fail)
        {
            f.level = status::fail;
            f.actions.push_back(listen_text::silent_do);
        }
    }
    f.message = join(parts, "; ");
    return f;
}

finding check_daemon(const inputs& in)
{
    finding f{"daemon", status::ok, {}, {}, {}};
    if (in.admin_socket.empty())
    {
        if (in.settings == nullptr)
        {
            return not_checked("daemon");
        }
        f.level = status::warn;
        f.message = fill(daemon_text::no_admin, {{"config", in.config_path}});
        f.actions.push_back(fill(daemon_text::no_admin_do, {{"config", in.config_path}}));
        return f;
    }
    const auto& socket = in.admin_socket;
    const int access_error = ::access(socket.c_str(), W_OK) == 0 ? 0 : errno;
    if (access_error == EACCES)
    {
        f.level = status::fail;
        f.message = fill(daemon_text::denied, {{"socket", socket}});
        f.actions.push_back(daemon_text::denied_do);
        return f;
    }
    if (access_error != 0)
    {
        f.level = status::fail;
        f.message = fill(daemon_text::silent, {{"socket", socket}, {"why", util::error_text(access_error)}});
        f.actions.push_back(daemon_text::silent_do);
        return f;
    }
    const auto r = call_admin(socket, "GET", "/v1/status");
    if (!r.ok() || !r.body.is_object())
    {
        f.level = status::fail;
        // Not reached: the admin client's reason (a socket nobody serves).
        f.message = r.reached ? fill(daemon_text::refused,
                                     {{"status", std::to_string(r.status)}, {"why", r.message()}})
                              : r.error;
        f.actions.push_back(daemon_text::silent_do);
        return f;
    }
    const auto& o = r.body.as_object();
    const auto running = json_text(o, "policy");
    const auto* uptime = o.if_contains("uptime_seconds");
    f.message = fill(
        daemon_text::running,
        {{"version", json_text(o, "version")},
         {"uptime",
          uptime != nullptr && uptime->is_int64() ? duration_text(std::chrono::seconds(uptime->as_int64()))
                                                  : "-"},
         {"policy", running.substr(0, 16)}});
    if (in.policy && in.policy->hash() != running)
    {
        f.level = status::warn;
        f.message += fill(daemon_text::changed, {{"disk", in.policy->hash().substr(0, 16)}});
        f.actions.push_back(daemon_text::changed_do);
    }
    if (const auto* d = o.if_contains("draining"); d != nullptr && d->is_bool() && d->as_bool())
    {
        f.level = status::warn;
        f.message += i18n::text(daemon_text::draining);
        f.actions.push_back(daemon_text::draining_do);
    }
    if (const auto* st = o.if_contains("store"); st != nullptr && st->is_object())
    {
        const auto& store = st->as_object();
        if (const auto* up = store.if_contains("reachable"); up != nullptr && up->is_bool() && !up->as_bool())
        {
            const auto* fb = store.if_contains("fallback");
            const bool fallback = fb != nullptr && fb->is_bool() && fb->as_bool();
            // fail_closed refuses every new sign-in meanwhile.
            f.level = fallback ? std::max(f.level, status::warn) : status::fail;
            f.message += fill(daemon_text::store_down,
                              {{"fallback",
                                std::string(i18n::text(fallback ? daemon_text::fallback_local
                                                                : daemon_text::fallback_closed))}});
            f.actions.push_back(daemon_text::store_down_do);
        }
    }
    if (const auto* a = o.if_contains("audit"); a != nullptr && a->is_object())
    {
        const auto& audit = a->as_object();
        const auto* healthy = audit.if_contains("healthy");
        if (healthy != nullptr && healthy->is_bool() && !healthy->as_bool())
        {
            f.level = status::warn;
            f.message += fill(daemon_text::unhealthy, {{"error", json_text(audit, "error")}});
            f.actions.push_back(daemon_text::unhealthy_do);
        }
        const auto lost = json_text(audit, "lost");
        if (lost != "0" && lost != "-")
        {
            f.level = status::warn;
            f.message += fill(daemon_text::lost, {{"lost", lost}});
            f.actions.push_back(daemon_text::lost_do);
        }
    }
    return f;
}

} // namespace sekisho::ctl::doctor
