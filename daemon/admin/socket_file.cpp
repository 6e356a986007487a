#include "daemon/admin/socket_file.hpp"

#include "daemon/util/fd.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace sekisho::admin {

namespace {

bool fill_address(const std::string& path, sockaddr_un& addr, std::string* why)
{
    std::memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path)
    {
        *why = "the socket path is too long: " + path;
        return false;
    }
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    return true;
}

// True when something accepts connections at `path`.
bool someone_listens(const sockaddr_un& addr)
{
    util::fd_guard probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    return probe.get() >= 0 &&
           ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
}

} // namespace

int open_socket_file(const std::string& path, const std::string& group, int backlog, std::string* why)
{
    sockaddr_un addr{};
    if (!fill_address(path, addr, why))
    {
        return -1;
    }
    gid_t gid = static_cast<gid_t>(-1);
    if (!group.empty())
    {
        const struct group* g = ::getgrnam(group.c_str()); // start-up: one thread
        if (g == nullptr)
        {
            *why = "admin.group `" + group + "` does not exist (create it, or remove admin.group)";
            return -1;
        }
        gid = g->gr_gid;
    }
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(path).parent_path();
    std::error_code ec;
    if (!dir.empty() && !fs::exists(dir, ec))
    {
        fs::create_directories(dir, ec);
        if (ec)
        {
            *why = "cannot create " + dir.string() + ": " + ec.message();
            return -1;
        }
        fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec, ec);
    }
    struct stat st
    {};
    if (::lstat(path.c_str(), &st) == 0)
    {
        if (!S_ISSOCK(st.st_mode))
        {
            *why = path + " exists and is not a socket; move it away or choose another admin.socket";
            return -1;
        }
        if (someone_listens(addr))
        {
            *why = "another process already answers on " + path + " (is sekishod running twice?)";
            return -1;
        }
        ::unlink(path.c_str()); // left by a crash
    }
    util::fd_guard fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0)
    {
        *why = "socket: " + util::error_text(errno);
        return -1;
    }
    // No moment at which others could connect: the mode is right from bind on.
    const mode_t old = ::umask(0177);
    const int bound = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    const int bind_errno = errno;
    ::umask(old);
    if (bound != 0)
    {
        *why = "cannot bind " + path + ": " + util::error_text(bind_errno);
        return -1;
    }
    if (gid != static_cast<gid_t>(-1) &&
        (::chown(path.c_str(), static_cast<uid_t>(-1), gid) != 0 || ::chmod(path.c_str(), 0660) != 0))
    {
        *why = "cannot give " + path + " to group " + group + ": " + util::error_text(errno);
        ::unlink(path.c_str());
        return -1;
    }
    if (::listen(fd.get(), backlog) != 0)
    {
        *why = "listen on " + path + ": " + util::error_text(errno);
        ::unlink(path.c_str());
        return -1;
    }
    return fd.release();
}

} // namespace sekisho::admin
