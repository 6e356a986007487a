#pragma once
// Loopback stand-ins for what a tunnel reaches: an HTTP server with a known
// body, an echo server, a port that refuses, and one that never answers a
// SYN (a full accept queue). Each runs on its own threads and stops with the
// object.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sekisho::test {

class tcp_server
{
public:
    enum class kind
    {
        http, // answers every request head with 200 and `body`
        echo  // echoes until end of stream, then closes
    };
    tcp_server(kind k, const std::string& address, std::string body = {});
    ~tcp_server();
    tcp_server(const tcp_server&) = delete;
    tcp_server& operator=(const tcp_server&) = delete;

    std::uint16_t port() const { return port_; }
    const std::string& address() const { return address_; }
    std::size_t connections() const { return connections_.load(); }

private:
    void accept_loop();
    void serve(int fd);

    kind kind_;
    std::string address_;
    std::string body_;
    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<std::size_t> connections_{0};
    std::thread acceptor_;
    std::mutex workers_mutex_;
    std::vector<std::thread> workers_;
};

// A port on `address` that refuses connections (bound, then closed).
std::uint16_t refusing_port(const std::string& address);

// A listener whose accept queue is full: further SYNs are dropped, so a
// connect to it hangs until the caller's timeout.
class blackhole
{
public:
    explicit blackhole(const std::string& address);
    ~blackhole();
    blackhole(const blackhole&) = delete;
    blackhole& operator=(const blackhole&) = delete;
    std::uint16_t port() const { return port_; }

private:
    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::vector<int> fillers_;
};

} // namespace sekisho::test
