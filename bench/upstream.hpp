#pragma once
// The built-in upstream: a plain TCP server on a loopback address that the proxy's "hosts:"
// entry points at, run on its own thread with one epoll loop so that 2,000 idle connections
// cost no threads. Two behaviours:
//   echo - every byte read is written back (rate and idle modes);
//   bulk - after go(), sends send_per_connection bytes on every connection, and reads and
//          discards everything, counting it (bulk mode, up and down).
// All counters are atomics, read from other threads; the connection table belongs to the
// upstream thread alone.

#include "net_util.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace gw::bench {

struct upstream_config
{
    endpoint listen;
    bool echo = true;
    std::uint64_t send_per_connection = 0; // bulk only
};

class upstream_server
{
public:
    upstream_server() = default;
    ~upstream_server();
    upstream_server(const upstream_server&) = delete;
    upstream_server& operator=(const upstream_server&) = delete;

    bool start(const upstream_config& config, std::string& error);
    void stop();

    // Bulk: connections accepted so far, and from now on, start sending.
    void go();

    // Blocks until bytes_received() reaches target or d passes. Returns when the target was
    // reached (measured by the upstream thread), or nullopt on timeout.
    std::optional<steady::time_point> wait_received(std::uint64_t target, deadline d);

    std::uint64_t bytes_received() const { return received_.load(std::memory_order_relaxed); }
    std::uint64_t bytes_sent() const { return sent_.load(std::memory_order_relaxed); }
    std::uint64_t accepted() const { return accepted_.load(std::memory_order_relaxed); }
    std::uint64_t open_connections() const { return open_.load(std::memory_order_relaxed); }

private:
    void run();
    void wake();
    void note_received(std::uint64_t n);

    upstream_config config_;
    int listen_fd_ = -1;
    int epoll_fd_ = -1;
    int wake_fd_ = -1;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> go_{false};
    std::atomic<std::uint64_t> received_{0};
    std::atomic<std::uint64_t> sent_{0};
    std::atomic<std::uint64_t> accepted_{0};
    std::atomic<std::uint64_t> open_{0};

    std::atomic<std::uint64_t> received_target_{0}; // 0: nobody waits

    std::mutex mutex_;
    std::condition_variable received_cv_;
    std::optional<steady::time_point> target_reached_; // guarded by mutex_
};

} // namespace gw::bench
