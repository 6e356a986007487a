#include "daemon/util/replace_file.hpp"

#include "daemon/util/fd.hpp"
#include "policy/yaml_reader.hpp"

#include <cerrno>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sekisho::util {

bool replace_file(const std::string& path, std::string_view text, replace_how how, std::string* why)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    struct stat old
    {};
    const bool exists = ::stat(path.c_str(), &old) == 0;
    if (!exists && (how.mode == 0 || how.expected != nullptr))
    {
        *why = "cannot inspect " + path + ": " + error_text(errno);
        return false;
    }
    if (exists && !S_ISREG(old.st_mode))
    {
        *why = path + " is not a regular file";
        return false;
    }
    // An existing link is followed: its target is what gets replaced.
    const fs::path target = exists ? fs::canonical(path, ec) : fs::path(path);
    if (ec)
    {
        *why = "cannot resolve " + path + ": " + ec.message();
        return false;
    }
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::string temp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
    // mkostemp creates the file with mode 0600 (O_EXCL): its bytes are never
    // readable by others, not even for a moment.
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
    const mode_t mode = how.mode != 0 ? how.mode : (old.st_mode & 07777);
    if (::fchmod(fd.get(), mode) != 0)
    {
        return fail("cannot set the mode of the temporary file: " + error_text(errno));
    }
    if (exists && (old.st_uid != ::geteuid() || old.st_gid != ::getegid()) &&
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
    if (how.expected != nullptr)
    {
        // Checked last, just before the rename, to keep the window in which a
        // concurrent edit could be lost as small as possible.
        std::string ignored;
        const auto now = policy::read_text_file(target.string(), &ignored);
        if (!now || *now != *how.expected)
        {
            return fail(path + " changed while it was being edited; nothing written (run the command again)");
        }
    }
    if (::rename(temp.c_str(), target.c_str()) != 0)
    {
        return fail("cannot rename the temporary file to " + target.string() + ": " + error_text(errno));
    }
    // The rename is durable only once the folder is synced.
    fd_guard dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0)
    {
        *why = path + " was replaced, but its folder could not be synced: " + error_text(errno);
        return false;
    }
    return true;
}

} // namespace sekisho::util
