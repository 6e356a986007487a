#include "upstream.hpp"

#include "pattern.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>
#include <unordered_map>
#include <vector>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace gw::bench {

namespace {

constexpr int listen_backlog = 4096;
constexpr int max_events = 256;
constexpr int tick_ms = 200; // the loop re-checks stop_ at least this often
constexpr std::size_t io_chunk = 256 * 1024;
constexpr int writes_per_event = 4; // fairness between bulk connections

struct connection
{
    int fd = -1;
    std::uint64_t to_send = 0; // bulk: bytes still to send
    std::vector<char> pending; // echo: bytes read but not yet written back
    std::size_t pending_pos = 0;
    std::uint32_t events = 0; // what epoll watches now
};

bool set_events(int epoll_fd, connection& c, std::uint32_t events)
{
    if (c.events == events)
    {
        return true;
    }
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = c.fd;
    c.events = events;
    return ::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c.fd, &ev) == 0;
}

} // namespace

upstream_server::~upstream_server()
{
    stop();
}

bool upstream_server::start(const upstream_config& config, std::string& error)
{
    config_ = config;
    listen_fd_ = listen_tcp(config.listen, listen_backlog, error);
    if (listen_fd_ < 0)
    {
        return false;
    }
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_fd_ < 0 || wake_fd_ < 0)
    {
        error = errno_text("epoll");
        stop();
        return false;
    }
    for (const int fd : {listen_fd_, wake_fd_})
    {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0)
        {
            error = errno_text("epoll_ctl");
            stop();
            return false;
        }
    }
    thread_ = std::thread([this] { run(); });
    return true;
}

void upstream_server::stop()
{
    stop_.store(true);
    if (thread_.joinable())
    {
        wake();
        thread_.join();
    }
    for (int* fd : {&listen_fd_, &epoll_fd_, &wake_fd_})
    {
        if (*fd >= 0)
        {
            ::close(*fd);
            *fd = -1;
        }
    }
}

void upstream_server::wake()
{
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto r = ::write(wake_fd_, &one, sizeof one);
}

void upstream_server::go()
{
    go_.store(true);
    wake();
}

void upstream_server::note_received(std::uint64_t n)
{
    const auto total = received_.fetch_add(n, std::memory_order_relaxed) + n;
    const auto target = received_target_.load(std::memory_order_relaxed);
    if (target != 0 && total >= target)
    {
        const auto now = steady::now();
        std::lock_guard lock(mutex_);
        if (!target_reached_)
        {
            target_reached_ = now;
            received_cv_.notify_all();
        }
    }
}

std::optional<steady::time_point> upstream_server::wait_received(std::uint64_t target, deadline d)
{
    std::unique_lock lock(mutex_);
    target_reached_.reset();
    received_target_.store(target);
    if (received_.load() >= target)
    {
        target_reached_ = steady::now();
    }
    received_cv_.wait_until(lock, d, [this] { return target_reached_.has_value(); });
    received_target_.store(0);
    return target_reached_;
}

void upstream_server::run()
{
    std::unordered_map<int, std::unique_ptr<connection>> conns;
    std::vector<char> buf(io_chunk);
    const auto& block = pattern_block();
    bool went = false;

    auto close_conn = [&](int fd) {
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
        ::close(fd);
        conns.erase(fd);
        open_.fetch_sub(1, std::memory_order_relaxed);
    };
    auto sending = [&](const connection& c) {
        return went && c.to_send > 0;
    };

    std::array<epoll_event, max_events> events{};
    while (!stop_.load())
    {
        const int n = ::epoll_wait(epoll_fd_, events.data(), max_events, tick_ms);
        if (n < 0 && errno != EINTR)
        {
            break;
        }
        for (int i = 0; i < n; ++i)
        {
            const int fd = events[static_cast<std::size_t>(i)].data.fd;
            const std::uint32_t ev = events[static_cast<std::size_t>(i)].events;
            if (fd == wake_fd_)
            {
                std::uint64_t v = 0;
                [[maybe_unused]] const auto r = ::read(wake_fd_, &v, sizeof v);
                if (!went && go_.load())
                {
                    went = true;
                    for (auto& [cfd, c] : conns)
                    {
                        if (c->to_send > 0)
                        {
                            set_events(epoll_fd_, *c, EPOLLIN | EPOLLOUT);
                        }
                    }
                }
                continue;
            }
            if (fd == listen_fd_)
            {
                for (;;)
                {
                    const int cfd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (cfd < 0)
                    {
                        break; // EAGAIN, or EMFILE: the proxy sees the refusal and reports it
                    }
                    auto c = std::make_unique<connection>();
                    c->fd = cfd;
                    c->to_send = config_.echo ? 0 : config_.send_per_connection;
                    c->events = sending(*c) ? (EPOLLIN | EPOLLOUT) : EPOLLIN;
                    epoll_event cev{};
                    cev.events = c->events;
                    cev.data.fd = cfd;
                    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, cfd, &cev) != 0)
                    {
                        ::close(cfd);
                        continue;
                    }
                    conns.emplace(cfd, std::move(c));
                    accepted_.fetch_add(1, std::memory_order_relaxed);
                    open_.fetch_add(1, std::memory_order_relaxed);
                }
                continue;
            }
            const auto it = conns.find(fd);
            if (it == conns.end())
            {
                continue;
            }
            connection& c = *it->second;
            bool closed = false;

            if ((ev & EPOLLOUT) != 0U)
            {
                if (config_.echo)
                {
                    while (c.pending_pos < c.pending.size())
                    {
                        const auto w = ::send(fd,
                                              c.pending.data() + c.pending_pos,
                                              c.pending.size() - c.pending_pos,
                                              MSG_NOSIGNAL);
                        if (w < 0)
                        {
                            closed = errno != EAGAIN && errno != EINTR;
                            break;
                        }
                        c.pending_pos += static_cast<std::size_t>(w);
                    }
                    if (!closed && c.pending_pos == c.pending.size())
                    {
                        c.pending.clear();
                        c.pending.shrink_to_fit();
                        c.pending_pos = 0;
                        set_events(epoll_fd_, c, EPOLLIN);
                    }
                }
                else
                {
                    for (int k = 0; k < writes_per_event && sending(c); ++k)
                    {
                        const auto want =
                            static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), c.to_send));
                        const auto w = ::send(fd, block.data(), want, MSG_NOSIGNAL);
                        if (w < 0)
                        {
                            closed = errno != EAGAIN && errno != EINTR;
                            break;
                        }
                        c.to_send -= static_cast<std::uint64_t>(w);
                        sent_.fetch_add(static_cast<std::uint64_t>(w), std::memory_order_relaxed);
                    }
                    if (!closed && c.to_send == 0)
                    {
                        set_events(epoll_fd_, c, EPOLLIN);
                    }
                }
            }

            if (!closed && (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0U && c.pending.empty())
            {
                const auto r = ::recv(fd, buf.data(), buf.size(), 0);
                if (r == 0)
                {
                    closed = true;
                }
                else if (r < 0)
                {
                    closed = errno != EAGAIN && errno != EINTR;
                }
                else if (config_.echo)
                {
                    const auto got = static_cast<std::size_t>(r);
                    note_received(got);
                    const auto w = ::send(fd, buf.data(), got, MSG_NOSIGNAL);
                    const std::size_t put = w < 0 ? 0 : static_cast<std::size_t>(w);
                    if (w < 0 && errno != EAGAIN && errno != EINTR)
                    {
                        closed = true;
                    }
                    else if (put < got)
                    {
                        // Stop reading until the backlog is written: the echo buffer stays bounded.
                        c.pending.assign(buf.data() + put, buf.data() + got);
                        c.pending_pos = 0;
                        set_events(epoll_fd_, c, EPOLLOUT);
                    }
                    if (put > 0)
                    {
                        sent_.fetch_add(put, std::memory_order_relaxed);
                    }
                }
                else
                {
                    note_received(static_cast<std::size_t>(r));
                }
            }
            if (closed)
            {
                close_conn(fd);
            }
        }
    }
    for (auto& [fd, c] : conns)
    {
        ::close(fd);
    }
    open_.store(0);
}

} // namespace gw::bench
