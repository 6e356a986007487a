#pragma once
// The process: one io_context per I/O thread (no strands, no locks on the data
// path), the listeners and their accept loops, signals and drain.
//
// Accepting runs on thread 0 and hands each connection to the next thread in
// turn. SIGTERM/SIGINT drain: stop accepting, let tunnels finish for up to
// timeouts.drain, then close what is left and exit. A second signal closes
// everything at once. SIGHUP reloads the policy and every listener's CRL;
// the CRL files are also checked every timeouts.crl_check.

#include "daemon/app/audit_watch.hpp"
#include "daemon/app/notify.hpp"
#include "daemon/app/reload.hpp"
#include "daemon/runtime/registry.hpp"
#include "daemon/runtime/runtime.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sekisho::tls {
class crl_set;
} // namespace sekisho::tls

namespace sekisho::admin {
class admin_server;
} // namespace sekisho::admin

namespace sekisho::metrics {
class metrics_server;
class shard;
} // namespace sekisho::metrics

namespace sekisho::app {

class admin_routes;

class server
{
public:
    explicit server(runtime::shared_state& state);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds every listener; false (with the reason logged) when one cannot be.
    bool bind();
    // Runs until drained; returns the process exit code.
    int run();
    // The Prometheus exposition of everything below (metrics_text.cpp);
    // thread 0 (the metrics endpoint and the admin API run there).
    std::string metrics_text() const;

private:
    friend class admin_routes; // the admin API reads state and asks for reloads

    using work_guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

    boost::asio::awaitable<void> accept_loop(std::size_t listener_index);
    boost::asio::awaitable<void> signal_loop();
    boost::asio::awaitable<void> drain();
    void kill_all();
    // systemd: WATCHDOG=1 while every I/O thread answers; STATUS= lines.
    boost::asio::awaitable<void> watchdog_loop();
    boost::asio::awaitable<void> status_loop();
    std::string status_line() const;
    // SIGHUP, on the reload thread: the secrets file (auth.secrets) again.
    void reload_secrets(reload_report& report);
    // Re-decides every open tunnel under snap (after a reload, and every
    // timeouts.policy_recheck for time-bound rules).
    void recheck_all(const std::shared_ptr<const policy::snapshot>& snap, const char* cause);
    boost::asio::awaitable<void> recheck_loop();
    // Ends the telework sessions that may not go on (session_sweep.hpp) and
    // closes their tunnels. Any thread; `after` names what prompted it.
    void end_withdrawn_sessions(const char* after);
    void stop();
    // SIGHUP: load on the reload thread, then finish_reload() on thread 0.
    void start_reload();
    void finish_reload(reload_result result, reload_report report);
    // The admin API's reload: a waiter is told the report of the first
    // reload that starts after it asked (thread 0 only).
    struct reload_waiter;
    boost::asio::awaitable<reload_report> reload_and_wait();
    // The policy_loaded / policy_rejected audit event of a load or reload.
    void audit_policy(const reload_result& result, const char* trigger, const std::string& previous);
    // Ends sessions (admin `session kill`) and closes their tunnels.
    void end_sessions(const std::vector<std::string>& ids, const char* cause);
    // A shared session store (server_store.cpp): sessions ended at another
    // instance close here; unreachable / recovered is logged and audited.
    // unwatch_store() waits for a call in progress and stops them.
    void watch_store();
    void unwatch_store();
    // Closes, on every I/O thread, the tunnels of these sessions.
    void close_session_tunnels(std::set<std::string, std::less<>> ids, const char* cause);
    // CRLs (daemon/tls/crl.hpp): every timeouts.crl_check the loop has the
    // reload thread look at each listener's file; SIGHUP forces a re-read.
    boost::asio::awaitable<void> crl_loop();
    void check_crls(bool forced); // reload thread only
    // Closes the open tunnels whose certificate `set` revokes.
    void withdraw_revoked(const std::shared_ptr<const tls::crl_set>& set, const std::string& listener);

    runtime::shared_state& state_;
    // Sessions ended by time, certifications expiring: ticked on thread 0,
    // or on the reload thread with a shared store.
    audit_watch audit_watch_{state_};
    std::size_t thread_count_;
    // Registries outlive the contexts: destroying a context destroys the
    // sessions still suspended in it, and they unlink from their registry.
    std::vector<std::unique_ptr<runtime::connection_registry>> registries_;
    // One per I/O thread (metrics::shard::current() there); they too
    // outlive the contexts, whose sessions count into them as they end.
    std::vector<std::unique_ptr<metrics::shard>> shards_;
    std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
    std::vector<std::optional<work_guard>> guards_;
    std::vector<boost::asio::ip::tcp::acceptor> acceptors_;
    // Installed before `ready` is announced: a signal that arrives the moment
    // the daemon says it is ready must find the handlers in place.
    std::optional<boost::asio::signal_set> signals_;
    std::size_t next_context_ = 0;
    bool draining_ = false;
    // Policy loading and compiling happen here, off the I/O threads. The
    // flags are touched on thread 0 only: a SIGHUP during a reload queues one
    // more reload instead of running two at once.
    boost::asio::thread_pool reload_thread_{1};
    bool reload_running_ = false;
    bool reload_pending_ = false;
    // A periodic CRL check is waiting for the reload thread: skip the next.
    std::atomic<bool> crl_check_queued_{false};
    std::vector<std::shared_ptr<reload_waiter>> waiting_next_;    // for the next reload to start
    std::vector<std::shared_ptr<reload_waiter>> waiting_running_; // for the one running
    std::optional<reload_report> last_reload_;                    // thread 0
    std::chrono::system_clock::time_point started_at_ = std::chrono::system_clock::now();
    std::chrono::system_clock::time_point policy_loaded_at_ = started_at_; // the policy in force
    std::optional<std::chrono::system_clock::time_point> last_reload_ok_;  // thread 0
    std::uint64_t reloads_ok_ = 0;                                         // thread 0
    std::uint64_t reloads_rejected_ = 0;                                   // thread 0
    systemd_notify notify_;                                                // thread 0
    std::unique_ptr<metrics::metrics_server> metrics_;                     // metrics:, on thread 0
    // The admin API (admin:), on thread 0.
    std::unique_ptr<admin_routes> admin_routes_;
    std::unique_ptr<admin::admin_server> admin_;
};

} // namespace sekisho::app
