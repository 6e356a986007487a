#include "daemon/app/notify.hpp"

#include "daemon/log/logger.hpp"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include <unistd.h>

namespace sekisho::app {

namespace {

std::optional<unsigned long long> number_of(const char* text)
{
    if (text == nullptr)
    {
        return std::nullopt;
    }
    unsigned long long v = 0;
    const auto* end = text + std::strlen(text);
    const auto [p, ec] = std::from_chars(text, end, v);
    if (ec != std::errc() || p != end)
    {
        return std::nullopt;
    }
    return v;
}

} // namespace

systemd_notify::systemd_notify()
{
    const char* path = std::getenv("NOTIFY_SOCKET");
    if (path == nullptr || path[0] == '\0')
    {
        return;
    }
    const std::string_view p(path);
    // An absolute path, or '@' for Linux's abstract namespace.
    if ((p[0] != '/' && p[0] != '@') || p.size() >= sizeof(address_.sun_path))
    {
        log::warning("notify_socket_invalid", {{"notify_socket", std::string(p)}});
        return;
    }
    address_.sun_family = AF_UNIX;
    std::memcpy(address_.sun_path, p.data(), p.size());
    if (p[0] == '@')
    {
        address_.sun_path[0] = '\0';
    }
    address_length_ = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + p.size());
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0)
    {
        log::warning("notify_socket_failed", {{"error", std::strerror(errno)}});
        return;
    }
    // The watchdog is ours when WATCHDOG_PID is unset or names this process.
    const auto usec = number_of(std::getenv("WATCHDOG_USEC"));
    const auto pid = number_of(std::getenv("WATCHDOG_PID"));
    const bool ours = !pid || *pid == static_cast<unsigned long long>(::getpid());
    if (usec && *usec > 0 && ours)
    {
        watchdog_ = std::chrono::microseconds(static_cast<long long>(*usec / 2));
    }
}

systemd_notify::~systemd_notify()
{
    if (fd_ >= 0)
    {
        ::close(fd_);
    }
}

void systemd_notify::send(std::string_view message)
{
    if (fd_ < 0)
    {
        return;
    }
    const auto* to = reinterpret_cast<const sockaddr*>(&address_);
    ssize_t n = -1;
    do
    {
        n = ::sendto(fd_, message.data(), message.size(), MSG_NOSIGNAL, to, address_length_);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && !failure_logged_)
    {
        failure_logged_ = true;
        log::warning("notify_failed", {{"error", std::strerror(errno)}});
    }
}

std::string monotonic_usec_field()
{
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    const auto usec = static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL +
                      static_cast<unsigned long long>(ts.tv_nsec) / 1000ULL;
    return "MONOTONIC_USEC=" + std::to_string(usec);
}

} // namespace sekisho::app
