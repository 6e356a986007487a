#include "harness/faults_peers.hpp"

#include "harness/process.hpp"
#include "harness/world.hpp"

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sekisho::test {

namespace {

using steady = std::chrono::steady_clock;

sockaddr_in loopback(const char* address, std::uint16_t port)
{
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    ::inet_pton(AF_INET, address, &sa.sin_addr);
    return sa;
}

std::uint16_t bound_port(int fd)
{
    sockaddr_in sa{};
    socklen_t len = sizeof sa;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    return ntohs(sa.sin_port);
}

// Waits for `events` on fd for at most `ms`; true if ready.
bool wait_for(int fd, short events, int ms)
{
    pollfd p{fd, events, 0};
    return ::poll(&p, 1, ms) > 0;
}

// Sends all of buf unless the upstream stops or the peer goes; counts what was taken.
bool send_counted(int fd, const char* p, std::size_t n, scripted_upstream& self)
{
    while (n > 0)
    {
        if (self.stopping())
        {
            return false;
        }
        if (!wait_for(fd, POLLOUT, 100))
        {
            continue;
        }
        const auto w = ::send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        {
            continue;
        }
        if (w <= 0)
        {
            return false;
        }
        self.add_sent(static_cast<std::size_t>(w));
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

} // namespace

int raw_connect(std::uint16_t port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
    {
        return -1;
    }
    const auto sa = loopback("127.0.0.1", port);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0)
    {
        ::close(fd);
        return -1;
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

void reset_close(int fd)
{
    linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
}

bool raw_send(int fd, const std::string& data, std::chrono::milliseconds timeout)
{
    const auto deadline = steady::now() + timeout;
    std::size_t off = 0;
    while (off < data.size())
    {
        const auto w = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0)
        {
            off += static_cast<std::size_t>(w);
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        {
            return false;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
        if (left.count() <= 0 || !wait_for(fd, POLLOUT, static_cast<int>(left.count())))
        {
            return false;
        }
    }
    return true;
}

bool peer_closed_now(int fd)
{
    char buf[4096];
    for (int i = 0; i < 64; ++i)
    {
        const auto n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0)
        {
            return true;
        }
        if (n < 0)
        {
            return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
        }
    }
    return false;
}

std::string client_hello()
{
    const auto& w = world::get();
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    SSL_CTX_use_certificate_chain_file(ctx, w.cert("device-demo").c_str());
    SSL_CTX_use_PrivateKey_file(ctx, w.key("device-demo").c_str(), SSL_FILETYPE_PEM);
    SSL* ssl = SSL_new(ctx);
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl, in, out);
    SSL_connect(ssl); // WANT_READ: the ClientHello is in `out`
    std::string hello;
    char buf[4096];
    for (int n = 0; (n = BIO_read(out, buf, sizeof buf)) > 0;)
    {
        hello.append(buf, static_cast<std::size_t>(n));
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    if (hello.size() < 5 || hello[0] != '\x16')
    {
        throw std::runtime_error("OpenSSL wrote no ClientHello");
    }
    return hello;
}

scripted_upstream::scripted_upstream(handler h) : handler_(std::move(h))
{
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const auto sa = loopback("127.0.30.1", 0);
    if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0 ||
        ::listen(listen_fd_, 512) != 0)
    {
        const std::string why = std::strerror(errno);
        ::close(listen_fd_);
        throw std::runtime_error("scripted upstream cannot listen: " + why);
    }
    port_ = bound_port(listen_fd_);
    acceptor_ = std::thread([this] { accept_loop(); });
}

scripted_upstream::~scripted_upstream()
{
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    ::close(listen_fd_);
    std::lock_guard lock(workers_mutex_);
    for (auto& t : workers_)
    {
        t.join();
    }
}

void scripted_upstream::add_sent(std::size_t n)
{
    sent_total_ += n;
}

void scripted_upstream::accept_loop()
{
    while (!stop_)
    {
        if (!wait_for(listen_fd_, POLLIN, 100))
        {
            continue;
        }
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0)
        {
            continue;
        }
        ++connections_;
        std::lock_guard lock(workers_mutex_);
        workers_.emplace_back([this, fd] {
            handler_(fd, *this);
            ++finished_;
        });
    }
}

namespace upstream_script {

scripted_upstream::handler flood(std::size_t total, int sndbuf)
{
    return [total, sndbuf](int fd, scripted_upstream& self) {
        ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
        const std::string chunk(65536, 'F');
        std::size_t sent = 0;
        while (sent < total && send_counted(fd, chunk.data(), std::min(chunk.size(), total - sent), self))
        {
            sent += std::min(chunk.size(), total - sent);
        }
        ::close(fd);
    };
}

scripted_upstream::handler reset_after_sending(std::size_t n)
{
    return [n](int fd, scripted_upstream& self) {
        const std::string data(n, 'R');
        if (send_counted(fd, data.data(), data.size(), self))
        {
            // Bounded: 10 s for the client's byte.
            char ack = 0;
            for (int i = 0; i < 100 && !self.stopping(); ++i)
            {
                if (wait_for(fd, POLLIN, 100))
                {
                    (void)::recv(fd, &ack, 1, 0);
                    break;
                }
            }
        }
        reset_close(fd);
    };
}

scripted_upstream::handler reset_after_receiving(std::size_t n)
{
    return [n](int fd, scripted_upstream& self) {
        std::size_t got = 0;
        char buf[65536];
        for (int idle = 0; got < n && idle < 100 && !self.stopping();)
        {
            if (!wait_for(fd, POLLIN, 100))
            {
                ++idle;
                continue;
            }
            const auto r = ::recv(fd, buf, std::min(sizeof buf, n - got), 0);
            if (r <= 0)
            {
                break;
            }
            got += static_cast<std::size_t>(r);
        }
        reset_close(fd);
    };
}

scripted_upstream::handler trickle(std::chrono::milliseconds interval)
{
    return [interval](int fd, scripted_upstream& self) {
        // Bounded: 600 bytes at most (a minute at 100 ms).
        for (int i = 0; i < 600 && !self.stopping(); ++i)
        {
            const char c = static_cast<char>('a' + i % 26);
            if (::send(fd, &c, 1, MSG_NOSIGNAL) != 1)
            {
                break;
            }
            self.add_sent(1);
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(interval.count())) > 0)
            {
                char buf[256];
                if (::recv(fd, buf, sizeof buf, 0) <= 0)
                {
                    break; // the tunnel ended
                }
            }
        }
        ::close(fd);
    };
}

} // namespace upstream_script

hostile_dns::hostile_dns(answer a) : answer_(a)
{
    // Free for TCP too, so a retry over TCP finds nothing listening.
    port_ = free_loopback_port();
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const auto sa = loopback("127.0.0.1", port_);
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0)
    {
        const std::string why = std::strerror(errno);
        ::close(fd_);
        throw std::runtime_error("hostile DNS cannot bind: " + why);
    }
    thread_ = std::thread([this] { loop(); });
}

hostile_dns::~hostile_dns()
{
    stop_ = true;
    thread_.join();
    ::close(fd_);
}

void hostile_dns::loop()
{
    unsigned char q[1500];
    while (!stop_)
    {
        if (!wait_for(fd_, POLLIN, 100))
        {
            continue;
        }
        sockaddr_in from{};
        socklen_t len = sizeof from;
        const auto n = ::recvfrom(fd_, q, sizeof q, 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 12)
        {
            continue;
        }
        ++queries_;
        // The question: QNAME labels up to the root, then QTYPE and QCLASS.
        std::size_t end = 12;
        while (end < static_cast<std::size_t>(n) && q[end] != 0)
        {
            end += 1U + q[end];
        }
        end += 5;
        if (end > static_cast<std::size_t>(n))
        {
            continue;
        }
        std::string reply;
        const unsigned char rd = q[2] & 0x01;
        switch (answer_)
        {
            case answer::garbage:
                // Too short to be a header, then the right id on nonsense.
                ::sendto(fd_, "\xde\xad\xbe", 3, 0, reinterpret_cast<sockaddr*>(&from), len);
                reply.assign(reinterpret_cast<const char*>(q), 2);
                reply += std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x07garbage", 18);
                break;
            case answer::servfail:
            case answer::nxdomain:
            case answer::truncated: {
                reply.assign(reinterpret_cast<const char*>(q), end);
                const unsigned char rcode = answer_ == answer::servfail   ? 2
                                            : answer_ == answer::nxdomain ? 3
                                                                          : 0;
                const unsigned char tc = answer_ == answer::truncated ? 0x02 : 0;
                reply[2] = static_cast<char>(0x80 | tc | rd);
                reply[3] = static_cast<char>(0x80 | rcode);
                reply[4] = 0;
                reply[5] = 1; // one question, no records
                for (int i = 6; i < 12; ++i)
                {
                    reply[static_cast<std::size_t>(i)] = 0;
                }
                break;
            }
        }
        ::sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
}

} // namespace sekisho::test
