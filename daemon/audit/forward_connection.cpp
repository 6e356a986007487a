// The forwarder's connection to the collector, plain TCP part and what TLS
// shares with it: connecting with a deadline, writing with a stall limit,
// the acknowledged byte position (SIOCOUTQ), noticing the collector's close,
// and the orderly close that confirms everything sent. The TLS context and
// handshake: forward_connection_tls.cpp.

#include "daemon/audit/forward_connection.hpp"

#include "daemon/tls/context.hpp"
#include "daemon/util/fd.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>

#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sekisho::audit::detail {

namespace {

using steady = forward_connection::clock;
using std::chrono::milliseconds;
using namespace std::chrono_literals;

// Bytes the collector has not ACKed (or a write that cannot progress) for
// this long: the connection is given up and made again.
constexpr auto stall_timeout = 60s;
// Poll slices, so that stop() is noticed during long waits.
constexpr auto slice = 100ms;

void drain_sigpipe()
{
    // OpenSSL writes with write(2), which raises SIGPIPE on a closed
    // connection: the thread blocks it, and a pending one is consumed here.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    timespec zero{};
    while (sigtimedwait(&set, nullptr, &zero) > 0)
    {}
}

} // namespace

bool forward_connection::connect(const config::audit_forward_settings& s,
                                 const cancel_fn& cancelled,
                                 std::string& error)
{
    close();
    const auto deadline = steady::now() + s.connect_timeout;
    sockaddr_storage addr{};
    socklen_t addr_len = 0;
    const auto& b = s.address.bytes();
    if (s.address.is_v4())
    {
        auto* a = reinterpret_cast<sockaddr_in*>(&addr);
        a->sin_family = AF_INET;
        a->sin_port = htons(s.port);
        std::copy_n(b.begin(), 4, reinterpret_cast<unsigned char*>(&a->sin_addr));
        addr_len = sizeof(sockaddr_in);
    }
    else
    {
        auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(s.port);
        std::copy_n(b.begin(), 16, reinterpret_cast<unsigned char*>(&a->sin6_addr));
        addr_len = sizeof(sockaddr_in6);
    }
    fd_ = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0)
    {
        error = "socket: " + util::error_text(errno);
        return false;
    }
    const int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    // Unacknowledged bytes for this long end the connection (a collector
    // host that vanished without a reset).
    const auto user_timeout = static_cast<unsigned>(milliseconds(stall_timeout).count());
    ::setsockopt(fd_, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout, sizeof user_timeout);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), addr_len) != 0)
    {
        if (errno != EINPROGRESS)
        {
            error = "connect: " + util::error_text(errno);
            return false;
        }
        if (!wait(POLLOUT, deadline, cancelled, error))
        {
            error = "connect: " + error;
            return false;
        }
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0)
        {
            error = "connect: " + util::error_text(err);
            return false;
        }
    }
    return !s.tls || handshake(s, deadline, cancelled, error);
}

bool forward_connection::write_all(std::string_view data, const cancel_fn& cancelled, std::string& error)
{
    std::size_t done = 0;
    auto progress = steady::now();
    while (done < data.size())
    {
        const auto rest = std::min<std::size_t>(data.size() - done, INT_MAX);
        short want = POLLOUT;
        if (ssl_ != nullptr)
        {
            ERR_clear_error();
            const int n = SSL_write(ssl_, data.data() + done, static_cast<int>(rest));
            if (n > 0)
            {
                done += static_cast<std::size_t>(n);
                progress = steady::now();
                continue;
            }
            const int e = SSL_get_error(ssl_, n);
            if (e == SSL_ERROR_WANT_READ)
            {
                want = POLLIN;
            }
            else if (e != SSL_ERROR_WANT_WRITE)
            {
                error = tls_error("TLS write", e);
                return false;
            }
        }
        else
        {
            const auto n = ::send(fd_, data.data() + done, rest, MSG_NOSIGNAL);
            if (n > 0)
            {
                done += static_cast<std::size_t>(n);
                plain_out_ += static_cast<std::uint64_t>(n);
                progress = steady::now();
                continue;
            }
            if (n < 0 && errno == EINTR)
            {
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
            {
                error = "send: " + util::error_text(n == 0 ? EPIPE : errno);
                return false;
            }
        }
        if (!wait(want, progress + stall_timeout, cancelled, error))
        {
            error = "write: " + error;
            return false;
        }
    }
    return true;
}

std::uint64_t forward_connection::bytes_out() const
{
    return ssl_ != nullptr ? BIO_number_written(SSL_get_wbio(ssl_)) : plain_out_;
}

std::optional<std::uint64_t> forward_connection::acked() const
{
    int outq = -1;
    if (!established() || ::ioctl(fd_, SIOCOUTQ, &outq) != 0 || outq < 0)
    {
        return std::nullopt;
    }
    const auto out = bytes_out();
    const auto queued = static_cast<std::uint64_t>(outq);
    return queued > out ? 0 : out - queued;
}

bool forward_connection::established() const
{
    tcp_info ti{};
    socklen_t len = sizeof ti;
    return fd_ >= 0 && ::getsockopt(fd_, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
           ti.tcpi_state == TCP_ESTABLISHED;
}

forward_connection::inbound forward_connection::drop_inbound(std::string& error)
{
    char buf[4096];
    if (ssl_ != nullptr)
    {
        ERR_clear_error();
        const int n = SSL_read(ssl_, buf, sizeof buf);
        if (n > 0)
        {
            return inbound::data;
        }
        const int e = SSL_get_error(ssl_, n);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        {
            return inbound::nothing;
        }
        if (e == SSL_ERROR_ZERO_RETURN)
        {
            error = "the collector closed the connection (TLS close_notify)";
            return inbound::closed;
        }
        // A close without close_notify: an end of file, which OpenSSL 3
        // reports as an SSL error ("unexpected eof").
        if ((e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno == 0) ||
            ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
        {
            error = "the collector closed the connection";
            return inbound::closed;
        }
        error = tls_error("the collector closed the connection", e);
        return inbound::failed;
    }
    const auto n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0)
    {
        return inbound::data;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    {
        return inbound::nothing;
    }
    if (n == 0)
    {
        error = "the collector closed the connection";
        return inbound::closed;
    }
    error = "recv: " + util::error_text(errno);
    return inbound::failed;
}

bool forward_connection::peer_alive(std::string& error)
{
    for (int round = 0; round < 16; ++round)
    {
        pollfd p{fd_, POLLIN | POLLRDHUP, 0};
        if (::poll(&p, 1, 0) <= 0)
        {
            return true;
        }
        switch (drop_inbound(error))
        {
            case inbound::data:
                continue;
            case inbound::nothing:
                return true;
            case inbound::closed:
            case inbound::failed:
                return false;
        }
    }
    return true;
}

bool forward_connection::finish(clock::time_point deadline)
{
    const cancel_fn never = [] {
        return false;
    };
    std::string error;
    if (ssl_ != nullptr)
    {
        ERR_clear_error();
        if (SSL_shutdown(ssl_) < 0)
        {
            return false;
        }
    }
    ::shutdown(fd_, SHUT_WR);
    // The collector's close says it has read everything sent.
    while (wait(POLLIN, deadline, never, error))
    {
        switch (drop_inbound(error))
        {
            case inbound::data:
            case inbound::nothing:
                continue;
            case inbound::closed:
                return true;
            case inbound::failed:
                return false;
        }
    }
    return false;
}

void forward_connection::close()
{
    if (ssl_ != nullptr)
    {
        SSL_free(ssl_);
        ssl_ = nullptr;
    }
    if (ctx_ != nullptr)
    {
        SSL_CTX_free(ctx_);
        ctx_ = nullptr;
    }
    if (fd_ >= 0)
    {
        ::close(fd_);
        fd_ = -1;
    }
    plain_out_ = 0;
    ERR_clear_error();
    drain_sigpipe();
}

bool forward_connection::wait(short events,
                              clock::time_point deadline,
                              const cancel_fn& cancelled,
                              std::string& error) const
{
    for (;;)
    {
        const auto now = steady::now();
        if (now >= deadline)
        {
            error = "timed out";
            return false;
        }
        if (cancelled())
        {
            error = "stopped";
            return false;
        }
        const auto left = std::min<steady::duration>(deadline - now, slice);
        pollfd p{fd_, events, 0};
        const int ms = static_cast<int>(std::chrono::ceil<milliseconds>(left).count());
        const int rc = ::poll(&p, 1, ms);
        if (rc > 0)
        {
            return true;
        }
        if (rc < 0 && errno != EINTR)
        {
            error = "poll: " + util::error_text(errno);
            return false;
        }
    }
}

std::string forward_connection::tls_error(const std::string& what, int ssl_error) const
{
    std::string why = tls::drain_openssl_errors();
    if (why.empty())
    {
        why = ssl_error == SSL_ERROR_SYSCALL && errno != 0 ? util::error_text(errno) : "connection closed";
    }
    return what + ": " + why;
}

} // namespace sekisho::audit::detail
