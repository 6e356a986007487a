#pragma once
// Hostile peers for the fault and abuse tests, on loopback: raw client
// sockets that stop, trickle or vanish (RST, no FIN); a real TLS 1.3
// ClientHello to trickle; upstreams that flood, reset mid-stream or trickle;
// and a DNS server that answers badly (SERVFAIL, NXDOMAIN, garbage,
// truncated). Every wait is bounded; every peer stops with its object.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sekisho::test {

// A TCP connection to 127.0.0.1:port, non-blocking once connected; -1 on failure.
int raw_connect(std::uint16_t port);
// Closes with SO_LINGER 0: the peer gets a RST, never a FIN (a client that vanished).
void reset_close(int fd);
// Sends everything or fails (non-blocking fd: waits up to `timeout` for room).
bool raw_send(int fd, const std::string& data, std::chrono::milliseconds timeout = std::chrono::seconds(2));
// True if the peer has closed (EOF or RST); reads and drops what came.
// Does not wait: a zero-time look.
bool peer_closed_now(int fd);

// The first flight of a real TLS 1.3 client (OpenSSL) with device-demo's
// certificate configured: a complete ClientHello record.
std::string client_hello();

// A loopback upstream on 127.0.30.1 (the test world's internet zone, where
// files.cloud.test points): each accepted connection runs `handler` on its
// own thread. Handlers must return once stopping() is true (poll in small steps).
class scripted_upstream
{
public:
    using handler = std::function<void(int fd, scripted_upstream& self)>;
    explicit scripted_upstream(handler h);
    ~scripted_upstream();
    scripted_upstream(const scripted_upstream&) = delete;
    scripted_upstream& operator=(const scripted_upstream&) = delete;

    std::uint16_t port() const { return port_; }
    bool stopping() const { return stop_.load(); }
    std::size_t connections() const { return connections_.load(); }
    // Bytes the handlers have sent (the kernel took them), in total and the
    // most to one connection.
    void add_sent(std::size_t n);
    std::uint64_t sent_total() const { return sent_total_.load(); }
    std::size_t finished() const { return finished_.load(); }

private:
    void accept_loop();

    handler handler_;
    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<std::size_t> connections_{0};
    std::atomic<std::size_t> finished_{0};
    std::atomic<std::uint64_t> sent_total_{0};
    std::thread acceptor_;
    std::mutex workers_mutex_;
    std::vector<std::thread> workers_;
};

// Handlers for scripted_upstream.
namespace upstream_script {
// Sends `total` bytes as fast as the connection takes them, with a send
// buffer of `sndbuf` bytes (so the kernel holds little), until the peer
// closes or the upstream stops. Never reads.
scripted_upstream::handler flood(std::size_t total, int sndbuf);
// Sends `n` bytes, waits for one byte back (the client's "got them"), then
// resets the connection (RST, SO_LINGER 0).
scripted_upstream::handler reset_after_sending(std::size_t n);
// Reads until `n` bytes have come, then resets the connection.
scripted_upstream::handler reset_after_receiving(std::size_t n);
// Sends one byte ('a'..'z' in turn) every `interval`, until the peer closes.
scripted_upstream::handler trickle(std::chrono::milliseconds interval);
} // namespace upstream_script

// A DNS server on a loopback UDP port (nothing on its TCP port) that answers
// every query in one bad way.
class hostile_dns
{
public:
    enum class answer
    {
        servfail,  // RCODE 2
        nxdomain,  // RCODE 3, no SOA
        garbage,   // bytes that are not a DNS message
        truncated, // TC set, no records (the client should retry over TCP: refused)
    };
    explicit hostile_dns(answer a);
    ~hostile_dns();
    hostile_dns(const hostile_dns&) = delete;
    hostile_dns& operator=(const hostile_dns&) = delete;
    std::uint16_t port() const { return port_; }
    std::size_t queries() const { return queries_.load(); }

private:
    void loop();

    answer answer_;
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<std::size_t> queries_{0};
    std::thread thread_;
};

} // namespace sekisho::test
