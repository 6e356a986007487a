#pragma once
// systemd's notification protocol (sd_notify(3)), spoken directly: one
// datagram per message to the socket named by $NOTIFY_SOCKET. No libsystemd:
// the protocol is a dozen lines and the daemon then runs the same with and
// without systemd. Without NOTIFY_SOCKET every call does nothing.
//
// Watchdog: with WatchdogSec= systemd sets WATCHDOG_USEC (and WATCHDOG_PID);
// watchdog_interval() is then how often WATCHDOG=1 must be sent (half of it,
// as systemd recommends).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <sys/socket.h>
#include <sys/un.h>

namespace sekisho::app {

class systemd_notify
{
public:
    // Reads the environment once.
    systemd_notify();
    ~systemd_notify();
    systemd_notify(const systemd_notify&) = delete;
    systemd_notify& operator=(const systemd_notify&) = delete;

    bool enabled() const { return fd_ >= 0; }
    // "READY=1\nSTATUS=...": one datagram; failures are logged once.
    void send(std::string_view message);
    // How often to send WATCHDOG=1; nullopt without a watchdog for us.
    std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_; }

private:
    int fd_ = -1;
    sockaddr_un address_{};
    socklen_t address_length_ = 0;
    std::optional<std::chrono::microseconds> watchdog_;
    bool failure_logged_ = false;
};

// MONOTONIC_USEC= for RELOADING=1 (systemd 253+ uses it; older ignore it).
std::string monotonic_usec_field();

} // namespace sekisho::app
