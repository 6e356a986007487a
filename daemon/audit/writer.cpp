#include "daemon/audit/writer.hpp"

#include "daemon/audit/line.hpp"
#include "daemon/audit/writer_internal.hpp"
#include "daemon/log/logger.hpp"
#include "daemon/util/fd.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <unistd.h>

namespace sekisho::audit {

namespace {

using steady = std::chrono::steady_clock;
using std::chrono::duration_cast;

// Queued events that wake the writer before its group commit is due.
constexpr std::size_t early_write_events = 4096;

constexpr std::size_t record_head = sizeof(std::int64_t) + sizeof(std::uint32_t);
using std::chrono::microseconds;

} // namespace

void writer::event_queue::push(std::int64_t ts_ms, std::string_view event, std::string_view fields_json)
{
    const auto at = buffer_.size();
    buffer_.resize(at + record_head);
    buffer_ += "\"event\":\"";
    buffer_ += event;
    buffer_ += '"';
    if (fields_json.size() > 2)
    {
        buffer_ += ',';
        buffer_ += fields_json.substr(1);
    }
    else
    {
        buffer_ += '}';
    }
    const auto length = static_cast<std::uint32_t>(buffer_.size() - at - record_head);
    std::memcpy(buffer_.data() + at, &ts_ms, sizeof ts_ms);
    std::memcpy(buffer_.data() + at + sizeof ts_ms, &length, sizeof length);
    ++count_;
}

template <typename Fn>
void writer::event_queue::for_each(Fn&& fn) const
{
    std::size_t at = 0;
    while (at + record_head <= buffer_.size())
    {
        std::int64_t ts_ms = 0;
        std::uint32_t length = 0;
        std::memcpy(&ts_ms, buffer_.data() + at, sizeof ts_ms);
        std::memcpy(&length, buffer_.data() + at + sizeof ts_ms, sizeof length);
        fn(ts_ms, std::string_view(buffer_).substr(at + record_head, length));
        at += record_head + length;
    }
}

writer::writer(const config::audit_settings& s, signing_key key, std::string host)
    : settings_(s), key_(std::move(key)), key_id_(key_.public_half().id()),
      host_json_(detail::json_string(host)),
      current_path_(s.directory + "/" + std::string(detail::current_name))
{
    shown_.fail_closed = s.fail_closed;
    shown_.queue_capacity = s.queue_events;
    prev_hex_ = genesis_prev();
}

std::unique_ptr<writer>
writer::open(const config::audit_settings& settings, signing_key key, std::string host, std::string& error)
{
    std::unique_ptr<writer> w(new writer(settings, std::move(key), std::move(host)));
    if (!w->resume(error) || !w->open_current(error))
    {
        return nullptr;
    }
    w->thread_ = std::thread([p = w.get()] { p->run(); });
    return w;
}

writer::~writer()
{
    close();
}

bool writer::append(std::string_view event, const boost::json::object& fields, bool required)
{
    return append_serialized(event, boost::json::serialize(fields), required);
}

bool writer::append_serialized(std::string_view event, std::string_view fields_json, bool required)
{
    const auto ts_ms = detail::now_ms();
    bool wake = false;
    {
        std::lock_guard lock(mutex_);
        // fail_closed refuses what must be recorded before it happens (the
        // caller then does not act, and records that refusal); anything else
        // that finds no room is lost, and counted.
        const bool full = closed_ || queue_.size() >= settings_.queue_events;
        if (required && settings_.fail_closed && (full || !healthy_))
        {
            return false;
        }
        if (full)
        {
            ++lost_;
            return true;
        }
        const bool was_empty = queue_.empty();
        queue_.push(ts_ms, event, fields_json);
        ++queued_total_;
        // One wake-up per group commit: when the queue stops being empty
        // (the writer then gathers for fsync_interval), and early when it
        // fills up.
        if (was_empty)
        {
            first_queued_ = steady::now();
        }
        wake = was_empty || queue_.size() == early_write_events;
    }
    // Outside the lock, so that the writer does not wake only to wait for it.
    if (wake)
    {
        wake_.notify_one();
    }
    return true;
}

bool writer::accepting() const
{
    std::lock_guard lock(mutex_);
    return !settings_.fail_closed || (healthy_ && !closed_ && queue_.size() < settings_.queue_events);
}

writer_status writer::status() const
{
    std::lock_guard lock(mutex_);
    auto s = shown_;
    s.healthy = healthy_;
    s.queue_depth = queue_.size();
    s.lost = lost_;
    return s;
}

bool writer::flush(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(mutex_);
    const auto target = queued_total_;
    flush_now_ = true;
    wake_.notify_one();
    return flushed_.wait_for(lock, timeout, [&] { return durable_total_ >= target || closed_; }) &&
           durable_total_ >= target;
}

void writer::close()
{
    {
        std::lock_guard lock(mutex_);
        if (stopping_)
        {
            return;
        }
        stopping_ = true;
        wake_.notify_one();
    }
    if (thread_.joinable())
    {
        thread_.join();
    }
    if (fd_ >= 0)
    {
        ::close(fd_);
        fd_ = -1;
    }
}

void writer::set_unhealthy(std::string why)
{
    next_retry_ = steady::now() + settings_.retry_interval;
    std::lock_guard lock(mutex_);
    if (healthy_)
    {
        log::error("audit_log_unwritable",
                   {{"file", current_path_},
                    {"error", why},
                    {"mode", settings_.fail_closed ? "fail_closed" : "best_effort"}});
    }
    healthy_ = false;
    shown_.last_error = std::move(why);
}

void writer::set_healthy()
{
    std::lock_guard lock(mutex_);
    if (!healthy_)
    {
        log::info("audit_log_writable", {{"file", current_path_}});
    }
    healthy_ = true;
    shown_.last_error.clear();
}

void writer::set_prev(std::string_view line)
{
    const auto d = line_hash(line);
    prev_hex_.resize(d.size() * 2);
    hex_into(d.data(), d.size(), prev_hex_.data());
}

std::string_view writer::timestamp(std::int64_t ms)
{
    // The text up to the second changes once a second: kept, and only the
    // milliseconds written per line.
    const auto second = ms / 1000;
    if (second != ts_second_ || ts_text_.empty())
    {
        ts_text_ = rfc3339_ms(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
        ts_second_ = second;
    }
    const auto milli = static_cast<int>(ms % 1000);
    ts_text_[ts_text_.size() - 4] = static_cast<char>('0' + milli / 100);
    ts_text_[ts_text_.size() - 3] = static_cast<char>('0' + milli / 10 % 10);
    ts_text_[ts_text_.size() - 2] = static_cast<char>('0' + milli % 10);
    return ts_text_;
}

void writer::compose_line(std::int64_t ts, std::string_view body)
{
    ++seq_;
    const auto start = out_.size();
    append_envelope(out_, seq_, timestamp(ts), host_json_, prev_hex_);
    out_ += body;
    set_prev(std::string_view(out_).substr(start));
    out_ += '\n';
    out_last_seq_ = seq_;
    if (since_checkpoint_++ == 0)
    {
        first_unsealed_ = steady::now();
    }
    if (since_checkpoint_ >= settings_.checkpoint_events)
    {
        compose_checkpoint();
    }
}

void writer::compose_checkpoint()
{
    ++seq_;
    const auto start = out_.size();
    append_envelope(out_, seq_, rfc3339_ms(std::chrono::system_clock::now()), host_json_, prev_hex_);
    out_ += "\"event\":\"checkpoint\",\"key\":\"";
    out_ += key_id_;
    out_ += "\",\"covers\":";
    out_ += std::to_string(since_checkpoint_);
    const auto sig = key_.sign_hex(std::string_view(out_).substr(start));
    out_ += signature_marker;
    out_ += sig;
    out_ += "\"}";
    set_prev(std::string_view(out_).substr(start));
    out_ += '\n';
    out_last_seq_ = seq_;
    since_checkpoint_ = 0;
    ++checkpoints_;
}

bool writer::write_out()
{
    std::size_t done = 0;
    while (done < out_.size())
    {
        const auto n = ::write(fd_, out_.data() + done, out_.size() - done);
        if (n < 0 && errno == EINTR)
        {
            continue;
        }
        if (n <= 0)
        {
            const auto why = "write: " + util::error_text(n == 0 ? EIO : errno);
            out_.erase(0, done);
            file_bytes_ += done;
            set_unhealthy(why);
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    file_bytes_ += done;
    out_.clear();
    written_seq_ = out_last_seq_;
    written_total_ = out_last_total_;
    if (!dirty_)
    {
        last_write_ = steady::now();
    }
    dirty_ = true;
    set_healthy();
    return true;
}

bool writer::sync()
{
    const auto t0 = steady::now();
    if (::fdatasync(fd_) != 0)
    {
        set_unhealthy("fsync: " + util::error_text(errno));
        return false;
    }
    const auto took = duration_cast<microseconds>(steady::now() - t0);
    dirty_ = false;
    std::lock_guard lock(mutex_);
    durable_total_ = written_total_;
    // Both at once: a status() taken as soon as flush() returns never shows
    // more lines durable than written.
    shown_.written_seq = written_seq_;
    shown_.durable_seq = written_seq_;
    ++shown_.fsyncs;
    shown_.last_fsync = took;
    shown_.max_fsync = std::max(shown_.max_fsync, took);
    flushed_.notify_all();
    return true;
}

void writer::run()
{
    event_queue batch;
    std::unique_lock lock(mutex_);
    for (;;)
    {
        // While the log is unwritable only the retry timer runs, so that
        // past deadlines do not spin the thread.
        auto deadline = steady::now() + std::chrono::hours(1);
        if (!healthy_)
        {
            deadline = next_retry_;
        }
        else
        {
            if (file_bytes_ > 0)
            {
                deadline = std::min(deadline, file_opened_ + settings_.rotate_interval);
            }
            if (dirty_)
            {
                deadline = std::min(deadline, last_write_ + settings_.fsync_interval);
            }
            if (since_checkpoint_ > 0)
            {
                deadline = std::min(deadline, first_unsealed_ + settings_.checkpoint_interval);
            }
        }
        wake_.wait_until(lock, deadline, [&] {
            return stopping_ || flush_now_ || (healthy_ && !queue_.empty() && out_.empty());
        });
        // Group commit: the events of one fsync_interval are written and
        // synced together, so that a busy gateway pays for one write(2) and
        // one fdatasync per interval, not per event. Nobody waits for this:
        // an event counts as queued when append() returns.
        bool gathered = false;
        if (healthy_ && out_.empty() && !queue_.empty() && settings_.fsync_interval.count() > 0)
        {
            wake_.wait_until(lock, first_queued_ + settings_.fsync_interval, [&] {
                return stopping_ || flush_now_ || queue_.size() >= early_write_events;
            });
            gathered = true;
        }
        const bool stop = stopping_;
        const bool flush_now = flush_now_;
        flush_now_ = false;
        if (out_.empty())
        {
            batch.swap(queue_);
        }
        const auto lost = lost_;
        lock.unlock();

        if (!recovered_note_.empty())
        {
            compose_line(detail::now_ms(), "\"event\":\"audit_recovered\"," + recovered_note_.substr(1));
            recovered_note_.clear();
        }
        if (lost > lost_reported_ && !batch.empty())
        {
            compose_line(detail::now_ms(),
                         "\"event\":\"audit_lost\",\"count\":" + std::to_string(lost - lost_reported_) + "}");
            lost_reported_ = lost;
        }
        batch.for_each([&](std::int64_t ts_ms, std::string_view body) {
            compose_line(ts_ms, body);
            ++composed_total_;
        });
        out_last_total_ = composed_total_;
        batch.clear();

        const auto now = steady::now();
        if (since_checkpoint_ > 0 && (stop || now >= first_unsealed_ + settings_.checkpoint_interval))
        {
            compose_checkpoint();
        }
        const bool may_try = healthy_ || now >= next_retry_ || stop;
        bool ok = may_try;
        if (ok && !out_.empty())
        {
            ok = write_out();
        }
        // An fsync that failed is tried again like a write.
        if (ok && dirty_ &&
            (stop || flush_now || gathered || !healthy_ || now >= last_write_ + settings_.fsync_interval))
        {
            ok = sync();
        }
        if (ok && healthy_ && out_.empty() && file_bytes_ > 0 &&
            (file_bytes_ >= settings_.rotate_bytes || now >= file_opened_ + settings_.rotate_interval))
        {
            rotate();
        }

        lock.lock();
        shown_.written_seq = written_seq_;
        shown_.checkpoints = checkpoints_;
        // Stopping: done when everything is written, or at once when the log
        // cannot be written (this iteration tried once more); what is left
        // is counted as lost and reported.
        if (stop && (!healthy_ || (queue_.empty() && out_.empty())))
        {
            if (!out_.empty() || !queue_.empty())
            {
                const auto unwritten =
                    static_cast<std::uint64_t>(std::count(out_.begin(), out_.end(), '\n')) + queue_.size();
                lost_ += unwritten;
                log::error("audit_records_lost_at_stop",
                           {{"records", std::to_string(unwritten)}, {"error", shown_.last_error}});
            }
            closed_ = true;
            flushed_.notify_all();
            return;
        }
    }
}

} // namespace sekisho::audit
