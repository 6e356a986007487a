#include "harness/upstreams.hpp"

#include <cerrno>
#include <chrono>
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

int listen_on(const std::string& address, int backlog, std::uint16_t& port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = 0;
    ::inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd, backlog) != 0)
    {
        const std::string why = std::strerror(errno);
        ::close(fd);
        throw std::runtime_error("cannot listen on " + address + ": " + why);
    }
    socklen_t len = sizeof sa;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    port = ntohs(sa.sin_port);
    return fd;
}

bool send_all(int fd, const char* p, std::size_t n)
{
    while (n > 0)
    {
        const auto w = ::send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
        {
            return false;
        }
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

} // namespace

tcp_server::tcp_server(kind k, const std::string& address, std::string body)
    : kind_(k), address_(address), body_(std::move(body))
{
    listen_fd_ = listen_on(address, 128, port_);
    acceptor_ = std::thread([this] { accept_loop(); });
}

tcp_server::~tcp_server()
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

void tcp_server::accept_loop()
{
    while (!stop_)
    {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0)
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
        workers_.emplace_back([this, fd] { serve(fd); });
    }
}

void tcp_server::serve(int fd)
{
    char buf[65536];
    std::string head;
    // Bounded: a worker gives up after 30 s without data.
    for (;;)
    {
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, 30000);
        if (ready <= 0 || stop_)
        {
            break;
        }
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
        {
            if (kind_ == kind::echo)
            {
                ::shutdown(fd, SHUT_WR);
            }
            break;
        }
        if (kind_ == kind::echo)
        {
            if (!send_all(fd, buf, static_cast<std::size_t>(n)))
            {
                break;
            }
            continue;
        }
        head.append(buf, static_cast<std::size_t>(n));
        if (head.find("\r\n\r\n") != std::string::npos)
        {
            const std::string reply = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                                      std::to_string(body_.size()) + "\r\nConnection: close\r\n\r\n" + body_;
            send_all(fd, reply.data(), reply.size());
            ::shutdown(fd, SHUT_WR);
            // Wait for the client to close so the reply is not cut by a RST.
            while (::poll(&p, 1, 2000) > 0 && ::recv(fd, buf, sizeof buf, 0) > 0)
            {}
            break;
        }
    }
    ::close(fd);
}

std::uint16_t refusing_port(const std::string& address)
{
    std::uint16_t port = 0;
    const int fd = listen_on(address, 1, port);
    ::close(fd);
    return port;
}

blackhole::blackhole(const std::string& address)
{
    listen_fd_ = listen_on(address, 0, port_);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port_);
    ::inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
    // Fill the accept queue until a connect no longer completes.
    for (int i = 0; i < 8; ++i)
    {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
        fillers_.push_back(fd);
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, 300) == 0)
        {
            break; // this SYN was dropped: the queue is full
        }
    }
}

blackhole::~blackhole()
{
    for (int fd : fillers_)
    {
        ::close(fd);
    }
    ::close(listen_fd_);
}

} // namespace sekisho::test
