#include "daemon/audit/writer.hpp"

#include "daemon/audit/line.hpp"
#include "daemon/log/logger.hpp"
#include "daemon/util/fd.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sekisho::audit {

namespace {

using steady = std::chrono::steady_clock;
using std::chrono::duration_cast;
using std::chrono::microseconds;

constexpr std::string_view current_name = "audit.log";
// How much of the end of a file is read to find its last line on start-up.
constexpr std::size_t max_tail_bytes = 1 << 20;

std::string json_string(std::string_view s)
{
    return boost::json::serialize(boost::json::value(s));
}

std::string rotated_name(std::chrono::system_clock::time_point started, std::uint64_t first_seq)
{
    const auto t = std::chrono::system_clock::to_time_t(started);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[96];
    std::snprintf(buf,
                  sizeof buf,
                  "audit-%04d%02d%02dT%02d%02d%02dZ-%012llu.log",
                  tm.tm_year + 1900,
                  tm.tm_mon + 1,
                  tm.tm_mday,
                  tm.tm_hour,
                  tm.tm_min,
                  tm.tm_sec,
                  static_cast<unsigned long long>(first_seq));
    return buf;
}

void sync_directory(const std::string& dir)
{
    util::fd_guard d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (d.get() >= 0)
    {
        ::fsync(d.get());
    }
}

// The file whose last line the chain continues from: audit.log when it has
// lines, else the newest rotated file (a crash between rotation's rename
// and the new file's first line), else none.
std::string chain_tail_file(const std::string& dir)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto current = dir + "/" + std::string(current_name);
    if (fs::file_size(current, ec) > 0 && !ec)
    {
        return current;
    }
    std::string newest;
    for (const auto& e : fs::directory_iterator(dir, ec))
    {
        const auto name = e.path().filename().string();
        if (name.starts_with("audit-") && name.ends_with(".log") && name > newest)
        {
            newest = name;
        }
    }
    return newest.empty() ? std::string() : dir + "/" + newest;
}

} // namespace

writer::writer(const config::audit_settings& s, signing_key key, std::string host)
    : settings_(s), key_(std::move(key)), key_id_(key_.public_half().id()), host_json_(json_string(host)),
      current_path_(s.directory + "/" + std::string(current_name))
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

bool writer::resume(std::string& error)
{
    std::error_code ec;
    std::filesystem::create_directories(settings_.directory, ec);
    if (ec)
    {
        error = "cannot create the audit folder " + settings_.directory + ": " + ec.message();
        return false;
    }
    const auto tail_file = chain_tail_file(settings_.directory);
    if (tail_file.empty())
    {
        return true; // a new chain
    }
    const bool is_current = tail_file == current_path_;
    util::fd_guard fd(::open(tail_file.c_str(), (is_current ? O_RDWR : O_RDONLY) | O_CLOEXEC));
    struct stat st
    {};
    if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0)
    {
        error = "cannot open the audit log " + tail_file + ": " + util::error_text(errno);
        return false;
    }
    const auto size = static_cast<std::size_t>(st.st_size);
    const auto from = size > max_tail_bytes ? size - max_tail_bytes : 0;
    std::string tail(size - from, '\0');
    if (::pread(fd.get(), tail.data(), tail.size(), static_cast<off_t>(from)) !=
        static_cast<ssize_t>(tail.size()))
    {
        error = "cannot read the end of the audit log " + tail_file + ": " + util::error_text(errno);
        return false;
    }
    // A line without its newline was never acknowledged (a crash while
    // writing): it is cut off, and the cut recorded in the chain.
    if (!tail.empty() && tail.back() != '\n')
    {
        const auto nl = tail.rfind('\n');
        const auto keep = nl == std::string::npos ? 0 : nl + 1;
        if (keep == 0 && from != 0)
        {
            error = "the audit log " + tail_file + " ends with a line longer than " +
                    std::to_string(max_tail_bytes) + " bytes; it is not an audit log this version wrote";
            return false;
        }
        const auto discarded = tail.size() - keep;
        if (!is_current || ::ftruncate(fd.get(), static_cast<off_t>(from + keep)) != 0)
        {
            error = "cannot remove the incomplete last line of " + tail_file + ": " +
                    (is_current ? util::error_text(errno) : "it is a rotated file");
            return false;
        }
        ::fsync(fd.get());
        tail.resize(keep);
        recovered_note_ = "{\"discarded_bytes\":" + std::to_string(discarded) + "}";
        log::warning("audit_partial_line_removed",
                     {{"file", tail_file}, {"bytes", std::to_string(discarded)}});
    }
    if (tail.empty())
    {
        return true;
    }
    tail.pop_back(); // the last newline
    const auto last =
        std::string_view(tail).substr(tail.rfind('\n') == std::string::npos ? 0 : tail.rfind('\n') + 1);
    const auto e = read_envelope(last);
    if (!e)
    {
        error = "the last line of " + tail_file +
                " is not a sekisho audit record, so the chain cannot be continued; check the file with "
                "sekisho-audit verify and move it aside to start a new chain";
        return false;
    }
    seq_ = e->seq;
    written_seq_ = seq_;
    shown_.durable_seq = seq_; // on disk before this start
    prev_hex_ = to_hex(line_hash(last));
    if (e->event != "checkpoint")
    {
        // Lines the last run did not seal (it was killed): the first
        // checkpoint of this run seals them.
        since_checkpoint_ = 1;
        first_unsealed_ = steady::now();
        if (recovered_note_.empty())
        {
            recovered_note_ = "{\"discarded_bytes\":0}";
        }
    }
    return true;
}

bool writer::open_current(std::string& error)
{
    fd_ = ::open(current_path_.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    struct stat st
    {};
    if (fd_ < 0 || ::fstat(fd_, &st) != 0)
    {
        error = "cannot open the audit log " + current_path_ + ": " + util::error_text(errno);
        return false;
    }
    file_bytes_ = static_cast<std::uint64_t>(st.st_size);
    file_first_seq_ = seq_ + 1;
    if (file_bytes_ > 0)
    {
        // Continued after a restart: the file's own first line names it.
        std::string head(4096, '\0');
        const auto n = ::pread(fd_, head.data(), head.size(), 0);
        head.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
        if (const auto e = read_envelope(std::string_view(head).substr(0, head.find('\n'))))
        {
            file_first_seq_ = e->seq;
        }
    }
    file_started_ = std::chrono::system_clock::now();
    file_opened_ = steady::now();
    sync_directory(settings_.directory);
    shown_.file = current_path_;
    return true;
}

bool writer::append(std::string_view event, const boost::json::object& fields, bool required)
{
    return append_serialized(event, boost::json::serialize(fields), required);
}

bool writer::append_serialized(std::string_view event, std::string_view fields_json, bool required)
{
    pending p;
    p.ts = std::chrono::system_clock::now();
    p.body.reserve(event.size() + fields_json.size() + 16);
    p.body += "\"event\":\"";
    p.body += event;
    p.body += '"';
    if (fields_json.size() > 2)
    {
        p.body += ',';
        p.body += fields_json.substr(1);
    }
    else
    {
        p.body += '}';
    }
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
    queue_.push_back(std::move(p));
    ++queued_total_;
    if (was_empty)
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

void writer::compose_line(std::chrono::system_clock::time_point ts, std::string_view body)
{
    ++seq_;
    const auto start = out_.size();
    append_envelope(out_, seq_, rfc3339_ms(ts), host_json_, prev_hex_);
    out_ += body;
    prev_hex_ = to_hex(line_hash(std::string_view(out_).substr(start)));
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
    prev_hex_ = to_hex(line_hash(std::string_view(out_).substr(start)));
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
    shown_.durable_seq = written_seq_;
    ++shown_.fsyncs;
    shown_.last_fsync = took;
    shown_.max_fsync = std::max(shown_.max_fsync, took);
    flushed_.notify_all();
    return true;
}

bool writer::rotate()
{
    if (since_checkpoint_ > 0)
    {
        compose_checkpoint();
    }
    if (!write_out() || !sync())
    {
        return false;
    }
    const auto name = rotated_name(file_started_, file_first_seq_);
    const auto target = settings_.directory + "/" + name;
    if (::rename(current_path_.c_str(), target.c_str()) != 0)
    {
        set_unhealthy("rename to " + name + ": " + util::error_text(errno));
        return false;
    }
    ::close(fd_);
    fd_ = -1;
    std::string error;
    if (!open_current(error))
    {
        set_unhealthy(error);
        return false;
    }
    compose_line(std::chrono::system_clock::now(),
                 "\"event\":\"log_continued\",\"previous_file\":" + json_string(name) + "}");
    log::info("audit_log_rotated", {{"file", target}});
    return true;
}

void writer::run()
{
    std::vector<pending> batch;
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
            compose_line(std::chrono::system_clock::now(),
                         "\"event\":\"audit_recovered\"," + recovered_note_.substr(1));
            recovered_note_.clear();
        }
        if (lost > lost_reported_ && !batch.empty())
        {
            compose_line(std::chrono::system_clock::now(),
                         "\"event\":\"audit_lost\",\"count\":" + std::to_string(lost - lost_reported_) + "}");
            lost_reported_ = lost;
        }
        for (const auto& p : batch)
        {
            compose_line(p.ts, p.body);
            ++composed_total_;
        }
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
        if (ok && dirty_ && (stop || flush_now || !healthy_ || now >= last_write_ + settings_.fsync_interval))
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
