#include "daemon/ctl/text_file.hpp"

#include "daemon/util/fd.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sekisho::ctl {

namespace {

using util::error_text;
using util::fd_guard;
using util::write_all;

} // namespace

std::optional<std::string> read_text(const std::string& path, std::string* why)
{
    fd_guard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0)
    {
        *why = "cannot open " + path + ": " + error_text(errno);
        return std::nullopt;
    }
    std::string text;
    char buffer[8192];
    for (;;)
    {
        const auto n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
        {
            continue;
        }
        if (n < 0)
        {
            *why = "cannot read " + path + ": " + error_text(errno);
            return std::nullopt;
        }
        if (n == 0)
        {
            return text;
        }
        text.append(buffer, static_cast<std::size_t>(n));
    }
}

bool replace_text(const std::string& path, std::string_view text, std::string_view expected, std::string* why)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path target = fs::canonical(path, ec);
    if (ec)
    {
        *why = "cannot resolve " + path + ": " + ec.message();
        return false;
    }
    struct stat old
    {};
    if (::stat(target.c_str(), &old) != 0)
    {
        *why = "cannot inspect " + path + ": " + error_text(errno);
        return false;
    }
    if (!S_ISREG(old.st_mode))
    {
        *why = path + " is not a regular file";
        return false;
    }
    const fs::path dir = target.parent_path();
    std::string temp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
    fd_guard fd(::mkostemp(temp.data(), O_CLOEXEC));
    if (fd.get() < 0)
    {
        *why = "cannot create a temporary file in " + dir.string() + ": " + error_text(errno);
        return false;
    }
    auto fail = [&](std::string reason) {
        *why = std::move(reason);
        ::unlink(temp.c_str());
        return false;
    };
    if (::fchmod(fd.get(), old.st_mode & 07777) != 0)
    {
        return fail("cannot give the temporary file the mode of " + path + ": " + error_text(errno));
    }
    if ((old.st_uid != ::geteuid() || old.st_gid != ::getegid()) &&
        ::fchown(fd.get(), old.st_uid, old.st_gid) != 0)
    {
        // sekishod must still be able to read the file an operator rewrote.
        return fail("cannot give the new file the owner of " + path + " (uid " + std::to_string(old.st_uid) +
                    ", gid " + std::to_string(old.st_gid) + "): " + error_text(errno));
    }
    if (!write_all(fd.get(), text, why))
    {
        return fail(*why);
    }
    if (::fsync(fd.get()) != 0)
    {
        return fail("cannot sync the temporary file: " + error_text(errno));
    }
    if (fd.close() != 0)
    {
        return fail("cannot close the temporary file: " + error_text(errno));
    }
    // Checked last, just before the rename, to keep the window in which a
    // concurrent edit could be lost as small as possible.
    std::string ignored;
    const auto now = read_text(target.string(), &ignored);
    if (!now || *now != expected)
    {
        return fail(path + " changed while it was being edited; nothing written (run the command again)");
    }
    if (::rename(temp.c_str(), target.c_str()) != 0)
    {
        return fail("cannot rename the temporary file to " + target.string() + ": " + error_text(errno));
    }
    fd_guard dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0)
    {
        *why = path + " was replaced, but its folder could not be synced: " + error_text(errno);
        return false;
    }
    return true;
}

} // namespace sekisho::ctl
