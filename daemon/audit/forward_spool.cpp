// The forwarder's spool: finding the audit file that holds a given seq
// (audit.log opened before the folder is listed, rotated files ordered by
// the first seq in their names), reading complete lines from it in seq order
// while the writer appends and rotates, reporting gaps and new chains; and
// the state file with the last confirmed position.

#include "daemon/audit/forward_spool.hpp"

#include "daemon/log/logger.hpp"
#include "daemon/util/fd.hpp"
#include "daemon/util/replace_file.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sekisho::audit::detail {

namespace {

constexpr std::size_t read_chunk = 64 * 1024;
// As the writer's limit: a longer line was not written by this version.
constexpr std::size_t max_line_bytes = 1 << 20;

constexpr std::string_view current_name = "audit.log";

struct spool_file
{
    std::string path;
    std::uint64_t first = 0;
    int fd = -1; // audit.log only: opened before the listing
};

void gap(std::uint64_t from, std::uint64_t to)
{
    log::warning(
        "audit_forward_gap",
        {{"missing_from", std::to_string(from)},
         {"missing_to", std::to_string(to - 1)},
         {"detail", "these lines are not in the audit folder (removed before they were forwarded)"}});
}

// The seq of the first (or last) complete line of an open file; 0 when it has none.
std::uint64_t edge_seq(int fd, bool last)
{
    struct stat st
    {};
    if (::fstat(fd, &st) != 0 || st.st_size == 0)
    {
        return 0;
    }
    const auto size = static_cast<std::size_t>(st.st_size);
    const auto len = std::min(size, max_line_bytes);
    const auto from = last ? size - len : 0;
    std::string text(len, '\0');
    const auto n = ::pread(fd, text.data(), len, static_cast<off_t>(from));
    text.resize(static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
    std::string_view line;
    if (last)
    {
        const auto end = text.rfind('\n');
        if (end == std::string::npos)
        {
            return 0;
        }
        const auto begin = text.rfind('\n', end == 0 ? 0 : end - 1);
        line = std::string_view(text).substr(begin == std::string::npos || end == 0 ? 0 : begin + 1);
        line = line.substr(0, line.find('\n'));
    }
    else
    {
        const auto end = text.find('\n');
        if (end == std::string::npos)
        {
            return 0;
        }
        line = std::string_view(text).substr(0, end);
    }
    const auto e = read_envelope(line);
    return e ? e->seq : 0;
}

// The files of the folder in seq order. audit.log is opened first, so
// that a rotation meanwhile shows up in the listing that follows.
std::vector<spool_file> list(const std::string& dir)
{
    std::vector<spool_file> out;
    const auto current = dir + "/" + std::string(current_name);
    const int cfd = ::open(current.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat cst
    {};
    bool have_current = false;
    if (cfd >= 0)
    {
        ::fstat(cfd, &cst);
        if (const auto first = edge_seq(cfd, false); first != 0)
        {
            out.push_back({current, first, cfd});
            have_current = true;
        }
        else
        {
            ::close(cfd);
        }
    }
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    {
        const auto name = entry.path().filename().string();
        const auto dash = name.rfind('-');
        if (!name.starts_with("audit-") || !name.ends_with(".log") || dash == std::string::npos)
        {
            continue;
        }
        const auto digits = std::string_view(name).substr(dash + 1, name.size() - dash - 1 - 4);
        std::uint64_t first = 0;
        const auto [p, err] = std::from_chars(digits.data(), digits.data() + digits.size(), first);
        struct stat st
        {};
        if (err != std::errc{} || p != digits.data() + digits.size() || first == 0 ||
            ::stat(entry.path().c_str(), &st) != 0 ||
            (have_current && st.st_ino == cst.st_ino && st.st_dev == cst.st_dev))
        {
            continue;
        }
        out.push_back({entry.path().string(), first, -1});
    }
    std::sort(
        out.begin(), out.end(), [](const spool_file& a, const spool_file& b) { return a.first < b.first; });
    return out;
}

} // namespace

void forward_spool::rewind(std::uint64_t seq, std::string prev_hex)
{
    close();
    next_seq_ = seq;
    expect_prev_ = std::move(prev_hex);
}

std::size_t forward_spool::read(std::size_t max_bytes,
                                const std::function<void(const envelope&, std::string_view)>& fn)
{
    std::size_t given = 0;
    if (fd_ < 0 && !locate())
    {
        return 0;
    }
    for (;;)
    {
        std::size_t nl = 0;
        while (given < max_bytes && (nl = buf_.find('\n', pos_)) != std::string::npos)
        {
            const auto line = std::string_view(buf_).substr(pos_, nl - pos_);
            pos_ = nl + 1;
            if (skipping_)
            {
                skipping_ = false;
                continue;
            }
            const auto e = read_envelope(line);
            if (!e)
            {
                if (!unreadable_logged_)
                {
                    log::warning("audit_forward_line_skipped",
                                 {{"file", path_}, {"reason", "not a sekisho audit record"}});
                    unreadable_logged_ = true;
                }
                continue;
            }
            if (e->seq < next_seq_)
            {
                continue;
            }
            if (!expect_prev_.empty() && e->seq == next_seq_ && e->prev != expect_prev_)
            {
                log::warning("audit_forward_new_chain",
                             {{"file", path_},
                              {"seq", std::to_string(e->seq)},
                              {"detail",
                               "the line after the last one forwarded does not chain from it: "
                               "sending the folder from its oldest line"}});
                rewind(0, {});
                return given;
            }
            expect_prev_.clear();
            if (e->seq > next_seq_)
            {
                gap(next_seq_, e->seq);
            }
            fn(*e, line);
            given += line.size() + 1;
            next_seq_ = e->seq + 1;
        }
        if (given >= max_bytes)
        {
            return given;
        }
        buf_.erase(0, pos_);
        pos_ = 0;
        if (buf_.size() > max_line_bytes)
        {
            log::warning("audit_forward_line_skipped", {{"file", path_}, {"reason", "longer than 1 MiB"}});
            buf_.clear();
            skipping_ = true;
        }
        const auto old = buf_.size();
        buf_.resize(old + read_chunk);
        const auto n = ::pread(fd_, buf_.data() + old, read_chunk, offset_);
        buf_.resize(old + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
        if (n > 0)
        {
            offset_ += n;
            continue;
        }
        if (n < 0)
        {
            log::error("audit_forward_read_failed", {{"file", path_}, {"error", util::error_text(errno)}});
            close();
            return given;
        }
        if (struct stat st{}; ::fstat(fd_, &st) == 0 && st.st_size < offset_)
        {
            // Cut shorter under us (not by this version's writer, which
            // only ever removes a partial line at start-up): read again.
            log::warning("audit_forward_file_truncated", {{"file", path_}});
            close();
            return given;
        }
        if (current_)
        {
            // audit.log still ours: wait for the writer. Renamed (rotated):
            // read what was written before the rename, then go on.
            struct stat st
            {};
            if (::stat((dir_ + "/" + std::string(current_name)).c_str(), &st) == 0 && st.st_ino == ino_ &&
                st.st_dev == dev_)
            {
                return given;
            }
            current_ = false;
            continue;
        }
        close();
        if (!locate())
        {
            return given;
        }
    }
}

void forward_spool::close()
{
    if (fd_ >= 0)
    {
        ::close(fd_);
        fd_ = -1;
    }
    buf_.clear();
    pos_ = 0;
    offset_ = 0;
    skipping_ = false;
}

bool forward_spool::locate(int depth)
{
    if (depth > 4)
    {
        return false;
    }
    auto files = list(dir_);
    const auto release = [&](std::size_t keep) {
        for (std::size_t i = 0; i < files.size(); ++i)
        {
            if (i != keep && files[i].fd >= 0)
            {
                ::close(files[i].fd);
            }
        }
    };
    if (files.empty())
    {
        return false;
    }
    if (next_seq_ == 0)
    {
        next_seq_ = files.front().first;
        expect_prev_.clear();
    }
    std::size_t idx = 0;
    while (idx + 1 < files.size() && files[idx + 1].first <= next_seq_)
    {
        ++idx;
    }
    if (files[idx].first > next_seq_)
    {
        gap(next_seq_, files[idx].first);
        next_seq_ = files[idx].first;
        expect_prev_.clear();
    }
    int fd = files[idx].fd >= 0 ? files[idx].fd : ::open(files[idx].path.c_str(), O_RDONLY | O_CLOEXEC);
    files[idx].fd = fd;
    if (fd < 0)
    {
        log::error("audit_forward_read_failed",
                   {{"file", files[idx].path}, {"error", util::error_text(errno)}});
        release(files.size());
        return false;
    }
    const auto last = edge_seq(fd, true);
    if (last != 0 && last < next_seq_)
    {
        if (idx + 1 < files.size())
        {
            gap(next_seq_, files[idx + 1].first);
            next_seq_ = files[idx + 1].first;
            expect_prev_.clear();
            release(files.size());
            return locate(depth + 1);
        }
        if (last + 1 < next_seq_)
        {
            log::warning("audit_forward_new_chain",
                         {{"file", files[idx].path},
                          {"seq", std::to_string(last)},
                          {"detail",
                           "the newest line is older than the last one forwarded: sending the "
                           "folder from its oldest line"}});
            next_seq_ = 0;
            expect_prev_.clear();
            release(files.size());
            return locate(depth + 1);
        }
        release(files.size());
        return false; // the next line is not written yet
    }
    release(idx);
    fd_ = fd;
    struct stat st
    {};
    ::fstat(fd_, &st);
    ino_ = st.st_ino;
    dev_ = st.st_dev;
    path_ = files[idx].path;
    current_ = files[idx].path == dir_ + "/" + std::string(current_name);
    unreadable_logged_ = false;
    return true;
}

forward_position load_forward_state(const std::string& path)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
    {
        return {}; // never forwarded: from the oldest line in the folder
    }
    std::string text;
    util::fd_guard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    char buf[1024];
    ssize_t n = 0;
    while (fd.get() >= 0 && (n = ::read(fd.get(), buf, sizeof buf)) > 0 && text.size() < 4096)
    {
        text.append(buf, static_cast<std::size_t>(n));
    }
    boost::system::error_code jec;
    const auto v = boost::json::parse(text, jec);
    const auto* o = jec ? nullptr : v.if_object();
    const auto* seq = o != nullptr ? o->if_contains("forwarded_seq") : nullptr;
    const auto* hash = o != nullptr ? o->if_contains("line_hash") : nullptr;
    if (fd.get() < 0 || seq == nullptr || !seq->is_number() || hash == nullptr || !hash->is_string())
    {
        log::error("audit_forward_state_unreadable",
                   {{"file", path},
                    {"error", fd.get() < 0 ? util::error_text(errno) : "not a forwarding state file"},
                    {"detail", "sending the audit folder from its oldest line"}});
        return {};
    }
    forward_position p{seq->to_number<std::uint64_t>(jec), std::string(hash->get_string())};
    if (jec)
    {
        return {};
    }
    return p;
}

bool save_forward_state(const std::string& path, const forward_position& p, std::string& why)
{
    const auto text = "{\"forwarded_seq\":" + std::to_string(p.seq) + ",\"line_hash\":\"" + p.hash + "\"}\n";
    return util::replace_file(path, text, {.mode = 0640}, &why);
}

} // namespace sekisho::audit::detail
