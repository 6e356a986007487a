#pragma once
// A real HAProxy (Debian haproxy, run in the foreground with -db) on a
// loopback port, as the load balancer a deployment puts in front of several
// sekishod instances. TCP mode, `balance roundrobin`, one frontend on
// 127.0.0.1, one backend `servers` with a server per address (s1, s2, ...),
// each sent the client's address in a PROXY protocol header (send-proxy-v2,
// or send-proxy for version 1) and health-checked every 200 ms with the
// header too (check-send-proxy: a v2 LOCAL header; HAProxy's v1 checks send
// a TCP4 line with the check connection's own addresses). fall 1 / rise 1,
// so one failed check marks a server down. The admin socket (stats socket,
// level admin) tells when it is ready and each server's state. SIGTERM
// (HAProxy's hard stop) when the object goes.

#include "harness/process.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sekisho::test {

struct haproxy_options
{
    // Backend servers as "address:port" (s1 is the first).
    std::vector<std::string> servers;
    // The PROXY protocol version sent to each server: 2 (send-proxy-v2),
    // 1 (send-proxy) or 0 (none: plain TCP forwarding).
    int proxy_version = 2;
    // Health checks (check inter 200ms fall 1 rise 1 check-send-proxy).
    bool checks = true;
};

class haproxy_balancer
{
public:
    // Starts haproxy and waits (at most 10 s) until its admin socket answers,
    // which it does only once the frontend is bound. A failed test when it
    // does not start. No test connection is made: it would reach a server.
    explicit haproxy_balancer(haproxy_options options);
    ~haproxy_balancer();
    haproxy_balancer(const haproxy_balancer&) = delete;
    haproxy_balancer& operator=(const haproxy_balancer&) = delete;

    // The frontend's port on 127.0.0.1.
    std::uint16_t port() const { return port_; }
    // The name HAProxy knows servers[index] by: "s1", "s2", ...
    static std::string server_name(std::size_t index) { return "s" + std::to_string(index + 1); }
    // What the admin socket answers to `command` (one line, no newline);
    // empty when it does not answer within 2 s.
    std::string admin(const std::string& command) const;
    // The `status` column of `show stat` for servers[index]: "UP", "DOWN",
    // "no check", "MAINT", ... (empty when the socket does not answer).
    std::string server_status(std::size_t index) const;
    // Polls server_status until it is `status` or the timeout passes.
    bool
    wait_for_status(std::size_t index, const std::string& status, std::chrono::milliseconds timeout) const;
    // HAProxy's own log (stderr: start-up messages, one line per connection,
    // server state changes), for failure messages.
    std::string log() const;
    bool running() { return process_ && process_->running(); }

private:
    temp_dir dir_;
    std::uint16_t port_ = 0;
    std::unique_ptr<process> process_;
};

} // namespace sekisho::test
