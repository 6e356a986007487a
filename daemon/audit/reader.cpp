#include "daemon/audit/reader.hpp"

#include "daemon/audit/line.hpp"
#include "daemon/util/fd.hpp"
#include "policy/yaml_reader.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sekisho::audit {

namespace {

bool is_audit_file_name(const std::string& name)
{
    return name == "audit.log" || (name.starts_with("audit-") && name.ends_with(".log"));
}

std::uint64_t first_seq_of(std::string_view text)
{
    const auto end = text.find('\n');
    const auto e = read_envelope(text.substr(0, end));
    return e ? e->seq : 0;
}

// The file mapped read-only (pre-faulted from the page cache); a file that
// cannot be mapped (empty, or not a regular file) is read instead. So is the
// live audit.log: sekishod may cut a crash's half-written last line at
// start, and a mapping shrunk under the reader would kill it with SIGBUS.
// Rotated files are never written again.
bool map_file(log_file& lf, std::string& error)
{
    const bool live = std::filesystem::path(lf.path).filename() == "audit.log";
    util::fd_guard fd(::open(lf.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    struct stat st
    {};
    if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0)
    {
        error = "cannot read " + lf.path + ": " + util::error_text(errno);
        return false;
    }
    if (!live && S_ISREG(st.st_mode) && st.st_size > 0)
    {
        const auto size = static_cast<std::size_t>(st.st_size);
        void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd.get(), 0);
        if (p != MAP_FAILED)
        {
            lf.storage = std::shared_ptr<const void>(
                p, [size](const void* q) { ::munmap(const_cast<void*>(q), size); });
            lf.text = std::string_view(static_cast<const char*>(p), size);
            return true;
        }
    }
    std::string why;
    auto text = policy::read_text_file(lf.path, &why);
    if (!text)
    {
        error = "cannot read " + lf.path + ": " + why;
        return false;
    }
    auto owned = std::make_shared<const std::string>(std::move(*text));
    lf.text = *owned;
    lf.storage = std::move(owned);
    return true;
}

} // namespace

bool read_log_files(const std::vector<std::string>& paths, std::vector<log_file>& out, std::string& error)
{
    namespace fs = std::filesystem;
    std::vector<std::string> files;
    for (const auto& p : paths)
    {
        std::error_code ec;
        if (fs::is_directory(p, ec))
        {
            std::vector<std::string> found;
            for (const auto& entry : fs::directory_iterator(p, ec))
            {
                if (entry.is_regular_file() && is_audit_file_name(entry.path().filename().string()))
                {
                    found.push_back(entry.path().string());
                }
            }
            if (ec)
            {
                error = "cannot list " + p + ": " + ec.message();
                return false;
            }
            std::sort(found.begin(), found.end());
            files.insert(files.end(), found.begin(), found.end());
        }
        else
        {
            files.push_back(p);
        }
    }
    for (const auto& f : files)
    {
        log_file lf;
        lf.path = f;
        if (!map_file(lf, error))
        {
            return false;
        }
        lf.first_seq = first_seq_of(lf.text);
        out.push_back(std::move(lf));
    }
    std::stable_sort(out.begin(), out.end(), [](const log_file& a, const log_file& b) {
        return a.first_seq < b.first_seq;
    });
    return true;
}

void for_each_line(std::string_view text,
                   const std::function<bool(std::size_t number, std::string_view line, bool terminated)>& fn)
{
    std::size_t number = 0;
    while (!text.empty())
    {
        ++number;
        const auto nl = text.find('\n');
        if (nl == std::string_view::npos)
        {
            fn(number, text, false);
            return;
        }
        if (!fn(number, text.substr(0, nl), true))
        {
            return;
        }
        text.remove_prefix(nl + 1);
    }
}

} // namespace sekisho::audit
