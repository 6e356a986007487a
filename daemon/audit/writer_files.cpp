// The audit writer's files: continuing the chain from the last line on
// disk at start-up (cutting a line a crash left half-written), opening
// audit.log, and rotation (seal, rename, continue in a new file).

#include "daemon/audit/line.hpp"
#include "daemon/audit/writer.hpp"
#include "daemon/audit/writer_internal.hpp"
#include "daemon/log/logger.hpp"
#include "daemon/util/fd.hpp"

#include <cstdio>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sekisho::audit {

namespace {

using steady = std::chrono::steady_clock;

// How much of the end of a file is read to find its last line on start-up.
constexpr std::size_t max_tail_bytes = 1 << 20;

// "audit-20261122T100000Z-000000000001.log": the file's start (UTC,
// from the records' own timestamp format) and its first seq, so that names
// sort in chain order.
std::string rotated_name(std::chrono::system_clock::time_point started, std::uint64_t first_seq)
{
    std::string name = "audit-";
    for (const char c : rfc3339_ms(started).substr(0, 19)) // 2026-11-22T10:00:00
    {
        if (c != '-' && c != ':')
        {
            name += c;
        }
    }
    char seq[24];
    std::snprintf(seq, sizeof seq, "Z-%012llu.log", static_cast<unsigned long long>(first_seq));
    return name + seq;
}

void sync_directory(const std::string& dir)
{
    util::fd_guard d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (d.get() >= 0)
    {
        ::fsync(d.get());
    }
}

// Whether the lines before a final checkpoint (`before`, without its last
// line feed) show a run that stopped cleanly: going back, a daemon_stop
// comes before any daemon_start. (A connection the drain had to cut may
// still write its tunnel_closed after daemon_stop.) Neither within the
// window read counts as an unclean end.
bool ended_with_stop(std::string_view before)
{
    while (!before.empty())
    {
        const auto nl = before.rfind('\n');
        const auto line = before.substr(nl == std::string_view::npos ? 0 : nl + 1);
        if (const auto e = read_envelope(line);
            e && (e->event == "daemon_stop" || e->event == "daemon_start"))
        {
            return e->event == "daemon_stop";
        }
        before = before.substr(0, nl == std::string_view::npos ? 0 : nl);
    }
    return false;
}

// The file whose last line the chain continues from: audit.log when it has
// lines, else the newest rotated file (a crash between rotation's rename
// and the new file's first line), else none.
std::string chain_tail_file(const std::string& dir)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto current = dir + "/" + std::string(detail::current_name);
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
    const auto last_nl = tail.rfind('\n');
    const auto last = std::string_view(tail).substr(last_nl == std::string::npos ? 0 : last_nl + 1);
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
    }
    else if (!ended_with_stop(std::string_view(tail).substr(0, last_nl == std::string::npos ? 0 : last_nl)))
    {
        // Sealed, but the run before did not stop: it was killed just after
        // a checkpoint (or a rotation). Still an unclean end to record.
        log::warning("audit_previous_run_not_stopped", {{"file", tail_file}});
    }
    else
    {
        return true;
    }
    if (recovered_note_.empty())
    {
        recovered_note_ = "{\"discarded_bytes\":0}";
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
    compose_line(detail::now_ms(),
                 "\"event\":\"log_continued\",\"previous_file\":" + detail::json_string(name) + "}");
    log::info("audit_log_rotated", {{"file", target}});
    return true;
}

} // namespace sekisho::audit
