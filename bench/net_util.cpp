#include "net_util.hpp"

#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace gw::bench {

deadline deadline_after(double seconds)
{
    return steady::now() +
           std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(seconds));
}

int millis_until(deadline d)
{
    const auto left = d - steady::now();
    if (left <= steady::duration::zero())
    {
        return 0;
    }
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

bool wait_fd(int fd, short events, deadline d)
{
    for (;;)
    {
        pollfd p{fd, events, 0};
        const int r = ::poll(&p, 1, millis_until(d));
        if (r > 0)
        {
            return true;
        }
        if (r == 0)
        {
            return false;
        }
        if (errno != EINTR)
        {
            return false;
        }
    }
}

std::optional<endpoint> parse_loopback_endpoint(std::string_view text)
{
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
    {
        return std::nullopt;
    }
    const std::string host(text.substr(0, colon));
    const auto port_text = text.substr(colon + 1);
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535)
    {
        return std::nullopt;
    }
    endpoint ep;
    ep.addr.sin_family = AF_INET;
    ep.addr.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET, host.c_str(), &ep.addr.sin_addr) != 1)
    {
        return std::nullopt;
    }
    if ((ntohl(ep.addr.sin_addr.s_addr) >> 24) != 127)
    {
        return std::nullopt; // loopback only, by design
    }
    ep.text = std::string(text);
    return ep;
}

std::string errno_text(std::string_view what)
{
    std::string s(what);
    s += ": ";
    s += std::strerror(errno);
    return s;
}

namespace {

const sockaddr* as_sockaddr(const sockaddr_in& a)
{
    return reinterpret_cast<const sockaddr*>(&a);
}

} // namespace

int connect_tcp(const endpoint& to, deadline d, std::string& error)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
    {
        error = errno_text("socket");
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd, as_sockaddr(to.addr), sizeof to.addr) != 0)
    {
        if (errno != EINPROGRESS)
        {
            error = errno_text("connect " + to.text);
            ::close(fd);
            return -1;
        }
        if (!wait_fd(fd, POLLOUT, d))
        {
            error = "connect " + to.text + ": timed out";
            ::close(fd);
            return -1;
        }
        int so_error = 0;
        socklen_t len = sizeof so_error;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
        if (so_error != 0)
        {
            errno = so_error;
            error = errno_text("connect " + to.text);
            ::close(fd);
            return -1;
        }
    }
    return fd;
}

int listen_tcp(const endpoint& at, int backlog, std::string& error)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
    {
        error = errno_text("socket");
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, as_sockaddr(at.addr), sizeof at.addr) != 0 || ::listen(fd, backlog) != 0)
    {
        error = errno_text("listen " + at.text);
        ::close(fd);
        return -1;
    }
    return fd;
}

std::uint64_t raise_fd_limit()
{
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0)
    {
        return 0;
    }
    if (lim.rlim_cur < lim.rlim_max)
    {
        lim.rlim_cur = lim.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &lim);
        ::getrlimit(RLIMIT_NOFILE, &lim);
    }
    return static_cast<std::uint64_t>(lim.rlim_cur);
}

} // namespace gw::bench
