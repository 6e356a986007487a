// The forwarder's thread and loop (forwarder.hpp): connecting with back-off,
// sending batches of lines from the spool, confirming them by acknowledged
// byte position (a batch is confirmed once every byte up to its end was
// ACKed and the connection stayed up for confirm_settle), the state file
// rewritten at most once a second, the status, and the orderly stop.
// The pieces: forward_connection (the socket and TLS), forward_spool (the
// audit files as a queue, the state file), forward_message (the syslog
// framing).

#include "daemon/audit/forwarder.hpp"

#include "daemon/audit/forward_connection.hpp"
#include "daemon/audit/forward_message.hpp"
#include "daemon/audit/forward_spool.hpp"
#include "daemon/audit/line.hpp"
#include "daemon/log/logger.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <mutex>
#include <thread>

#include <unistd.h>

namespace sekisho::audit {

namespace {

using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

// How often the folder is looked at for new lines when nobody calls notify().
constexpr auto poll_interval = 150ms;
// A line is confirmed when every byte up to it was ACKed and the connection
// is still up this long afterwards: a collector that is stopped with our
// bytes still unread in its socket resets the connection, and the reset
// arrives within this time, so those lines are sent again.
constexpr auto confirm_settle = 500ms;
// The state file is rewritten at most this often (and at stop); a crash
// loses at most this much confirmation, which means lines sent twice.
constexpr auto state_save_interval = 1s;
// The first reconnection delay; doubled up to reconnect_max.
constexpr auto first_backoff = 200ms;
// One write(2) worth of messages.
constexpr std::size_t batch_bytes = 256 * 1024;

} // namespace

struct forwarder::impl
{
    impl(const config::audit_forward_settings& s, std::string directory, std::string host)
        : settings_(s), fallback_host_(detail::syslog_host(std::move(host))),
          procid_(std::to_string(::getpid())),
          collector_(s.address.is_v4() ? s.address.to_string() + ":" + std::to_string(s.port)
                                       : "[" + s.address.to_string() + "]:" + std::to_string(s.port)),
          spool_(std::move(directory))
    {
        load_state();
        shown_.forwarded_seq = confirmed_;
        shown_.sent_seq = confirmed_;
    }

    void run();
    bool cancelled() const
    {
        return stopping_.load() && steady::now().time_since_epoch().count() >= deadline_.load();
    }
    void load_state();
    void save_state(steady::time_point now, bool force);
    void connect(steady::time_point now);
    void disconnect(const std::string& why, steady::time_point now);
    bool pump();
    void check_acks(steady::time_point now);
    void publish();
    void back_off(steady::time_point now)
    {
        backoff_ = backoff_ == milliseconds(0)
                       ? std::min(milliseconds(first_backoff), settings_.reconnect_max)
                       : std::min(backoff_ * 2, settings_.reconnect_max);
        next_attempt_ = now + backoff_;
    }

    const config::audit_forward_settings settings_;
    const std::string fallback_host_;
    const std::string procid_;
    const std::string collector_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool notified_ = false;
    bool stop_called_ = false;
    bool stop_seen_ = false; // the thread has woken for the stop
    forwarder_status shown_;
    std::atomic<bool> stopping_{false};
    std::atomic<steady::rep> deadline_{0};
    std::thread thread_;

    // The thread's own.
    detail::forward_connection link_;
    detail::forward_spool spool_;
    std::uint64_t confirmed_ = 0;
    std::string confirmed_hash_; // of line confirmed_; empty: nothing forwarded yet
    std::uint64_t saved_ = 0;
    std::string saved_hash_;
    steady::time_point last_save_{};
    std::uint64_t sent_ = 0;
    std::string sent_hash_;
    // Batches written, by the socket byte position where each ends, until
    // ACKed; then ACKed batches waiting out confirm_settle.
    struct batch
    {
        std::uint64_t end = 0;
        std::uint64_t seq = 0;
        std::string hash;
        steady::time_point acked_at{};
    };
    std::deque<batch> in_flight_;
    std::deque<batch> acked_;
    std::string out_;
    std::string last_error_;
    std::string logged_error_;
    std::uint64_t reconnects_ = 0;
    bool ever_connected_ = false;
    milliseconds backoff_{0};
    steady::time_point next_attempt_{};
};

void forwarder::impl::load_state()
{
    auto p = detail::load_forward_state(settings_.state_file);
    confirmed_ = p.seq;
    confirmed_hash_ = std::move(p.hash);
    saved_ = confirmed_;
    saved_hash_ = confirmed_hash_;
}

void forwarder::impl::save_state(steady::time_point now, bool force)
{
    if ((confirmed_ == saved_ && confirmed_hash_ == saved_hash_) ||
        (!force && now < last_save_ + state_save_interval))
    {
        return;
    }
    last_save_ = now;
    std::string why;
    if (!detail::save_forward_state(settings_.state_file, {confirmed_, confirmed_hash_}, why))
    {
        if (why != logged_error_)
        {
            log::error("audit_forward_state_unwritable", {{"file", settings_.state_file}, {"error", why}});
            logged_error_ = why;
        }
        last_error_ = "state file: " + why;
        return;
    }
    saved_ = confirmed_;
    saved_hash_ = confirmed_hash_;
}

void forwarder::impl::connect(steady::time_point now)
{
    std::string why;
    if (!link_.connect(
            settings_, [this] { return cancelled(); }, why))
    {
        link_.close();
        last_error_ = why;
        back_off(now);
        if (why != logged_error_)
        {
            log::warning("audit_forward_connect_failed",
                         {{"collector", collector_},
                          {"error", why},
                          {"retry_ms", std::to_string(backoff_.count())},
                          {"forwarded_seq", std::to_string(confirmed_)}});
            logged_error_ = why;
        }
        return;
    }
    if (ever_connected_)
    {
        ++reconnects_;
    }
    ever_connected_ = true;
    logged_error_.clear();
    // Everything not confirmed is sent again.
    spool_.rewind(confirmed_hash_.empty() ? 0 : confirmed_ + 1, confirmed_hash_);
    sent_ = confirmed_;
    sent_hash_ = confirmed_hash_;
    in_flight_.clear();
    acked_.clear();
    log::info("audit_forward_connected",
              {{"collector", collector_},
               {"transport", settings_.tls ? "tls" : "tcp"},
               {"from_seq", std::to_string(confirmed_ + 1)}});
}

void forwarder::impl::disconnect(const std::string& why, steady::time_point now)
{
    link_.close();
    in_flight_.clear();
    acked_.clear();
    last_error_ = why;
    back_off(now);
    logged_error_ = why;
    log::warning("audit_forward_disconnected",
                 {{"collector", collector_},
                  {"error", why},
                  {"forwarded_seq", std::to_string(confirmed_)},
                  {"sent_seq", std::to_string(sent_)},
                  {"retry_ms", std::to_string(backoff_.count())}});
}

bool forwarder::impl::pump()
{
    out_.clear();
    std::uint64_t last_seq = 0;
    std::size_t last_at = 0;
    std::size_t last_size = 0;
    const auto given = spool_.read(batch_bytes, [&](const envelope& e, std::string_view line) {
        detail::append_message(out_, e, line, fallback_host_, settings_.app_name, procid_);
        last_seq = e.seq;
        last_at = out_.size() - line.size();
        last_size = line.size();
    });
    if (out_.empty())
    {
        return false;
    }
    std::string why;
    if (!link_.write_all(
            out_, [this] { return cancelled(); }, why))
    {
        disconnect(why, steady::now());
        return false;
    }
    sent_ = last_seq;
    sent_hash_ = to_hex(line_hash(std::string_view(out_).substr(last_at, last_size)));
    in_flight_.push_back({link_.bytes_out(), sent_, sent_hash_, {}});
    return given >= batch_bytes;
}

void forwarder::impl::check_acks(steady::time_point now)
{
    const auto acked = link_.acked();
    if (!acked)
    {
        return; // not established any more: the next read reports why
    }
    while (!in_flight_.empty() && in_flight_.front().end <= *acked)
    {
        in_flight_.front().acked_at = now;
        acked_.push_back(std::move(in_flight_.front()));
        in_flight_.pop_front();
    }
    while (!acked_.empty() && now >= acked_.front().acked_at + confirm_settle)
    {
        confirmed_ = acked_.front().seq;
        confirmed_hash_ = std::move(acked_.front().hash);
        acked_.pop_front();
        backoff_ = milliseconds(0); // this connection works
    }
}

void forwarder::impl::publish()
{
    std::lock_guard lock(mutex_);
    shown_.connected = link_.open();
    shown_.forwarded_seq = confirmed_;
    shown_.sent_seq = sent_;
    shown_.last_error = last_error_;
    shown_.reconnects = reconnects_;
}

void forwarder::impl::run()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    spool_.rewind(confirmed_hash_.empty() ? 0 : confirmed_ + 1, confirmed_hash_);
    for (;;)
    {
        auto now = steady::now();
        const bool stopping = stopping_.load();
        const auto deadline = steady::time_point(steady::duration(deadline_.load()));
        if (stopping && (now >= deadline || (!link_.open() && next_attempt_ >= deadline)))
        {
            break;
        }
        if (!link_.open() && now >= next_attempt_)
        {
            connect(now);
        }
        bool busy = false;
        if (link_.open())
        {
            check_acks(now);
            busy = pump();
            std::string why;
            if (link_.open() && !link_.peer_alive(why))
            {
                disconnect(why, steady::now());
            }
            now = steady::now();
            if (link_.open())
            {
                check_acks(now);
            }
            if (stopping && link_.open() && !busy)
            {
                // Everything written is sent: end the connection in order;
                // the collector's close confirms all of it at once.
                if (link_.finish(deadline))
                {
                    confirmed_ = sent_;
                    confirmed_hash_ = sent_hash_;
                }
                link_.close();
                break;
            }
        }
        save_state(now, false);
        publish();
        if (!busy)
        {
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, stopping ? milliseconds(20) : milliseconds(poll_interval), [this] {
                return notified_ || (stopping_.load() && !stop_seen_);
            });
            notified_ = false;
            stop_seen_ = stopping_.load();
        }
    }
    link_.close();
    save_state(steady::now(), true);
    publish();
    log::info("audit_forward_stopped",
              {{"collector", collector_},
               {"forwarded_seq", std::to_string(confirmed_)},
               {"sent_seq", std::to_string(sent_)}});
}

forwarder::forwarder(const config::audit_forward_settings& settings, std::string directory, std::string host)
    : impl_(std::make_unique<impl>(settings, std::move(directory), std::move(host)))
{}

forwarder::~forwarder()
{
    stop(milliseconds(0));
}

void forwarder::start()
{
    std::lock_guard lock(impl_->mutex_);
    if (!impl_->thread_.joinable() && !impl_->stop_called_)
    {
        impl_->thread_ = std::thread([p = impl_.get()] { p->run(); });
    }
}

void forwarder::notify()
{
    std::lock_guard lock(impl_->mutex_);
    impl_->notified_ = true;
    impl_->wake_.notify_one();
}

void forwarder::stop(std::chrono::milliseconds catch_up)
{
    {
        std::lock_guard lock(impl_->mutex_);
        if (impl_->stop_called_)
        {
            return;
        }
        impl_->stop_called_ = true;
        impl_->deadline_ = (steady::now() + catch_up).time_since_epoch().count();
        impl_->stopping_ = true;
        impl_->wake_.notify_one();
    }
    if (impl_->thread_.joinable())
    {
        impl_->thread_.join();
    }
}

forwarder_status forwarder::status() const
{
    std::lock_guard lock(impl_->mutex_);
    return impl_->shown_;
}

} // namespace sekisho::audit
