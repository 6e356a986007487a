#include "client_loop.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <sys/epoll.h>
#include <unistd.h>

namespace gw::bench {

namespace {

constexpr int max_events = 256;
constexpr int max_wait_ms = 100;

// Watches fd for the job with one-shot events. A socket closed by the job has left the
// epoll set by itself, and a new socket may reuse its number, so MOD falls back to ADD.
void watch(int epoll_fd, int fd, want w, std::size_t index)
{
    epoll_event ev{};
    ev.events = (w == want::write ? EPOLLOUT : EPOLLIN) | EPOLLONESHOT;
    ev.data.u64 = index;
    if (::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fd, &ev) == 0)
    {
        return;
    }
    if (errno == ENOENT && ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0)
    {
        return;
    }
    std::perror("loadgen: epoll_ctl");
    std::abort(); // a descriptor the loop cannot watch would hang the run
}

} // namespace

void run_client_loop(std::span<client_job* const> jobs)
{
    const int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd < 0)
    {
        std::perror("loadgen: epoll_create1");
        std::abort();
    }
    std::vector<bool> active(jobs.size(), true);
    std::size_t running = jobs.size();

    auto settle = [&](std::size_t i, want w) {
        if (w == want::done || w == want::failed)
        {
            active[i] = false;
            --running;
            return;
        }
        if (jobs[i]->fd() >= 0)
        {
            watch(epoll_fd, jobs[i]->fd(), w, i);
        }
    };

    for (std::size_t i = 0; i < jobs.size(); ++i)
    {
        settle(i, jobs[i]->resume());
    }
    std::array<epoll_event, max_events> events{};
    while (running > 0)
    {
        auto next_due = steady::now() + std::chrono::milliseconds(max_wait_ms);
        for (std::size_t i = 0; i < jobs.size(); ++i)
        {
            if (active[i])
            {
                next_due = std::min(next_due, jobs[i]->due());
            }
        }
        const int n = ::epoll_wait(epoll_fd, events.data(), max_events, millis_until(next_due));
        for (int k = 0; k < n; ++k)
        {
            const auto i = static_cast<std::size_t>(events[static_cast<std::size_t>(k)].data.u64);
            if (active[i])
            {
                settle(i, jobs[i]->resume());
            }
        }
        const auto now = steady::now();
        for (std::size_t i = 0; i < jobs.size(); ++i)
        {
            if (active[i] && jobs[i]->due() <= now)
            {
                settle(i, jobs[i]->expire());
            }
        }
    }
    ::close(epoll_fd);
}

} // namespace gw::bench
