#pragma once
// POSIX socket helpers shared by the TLS client side and the built-in upstream of the load
// generator. Every wait takes a deadline, and every address must lie in 127.0.0.0/8: the
// generator refuses to load anything but loopback, whatever the command line says.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <netinet/in.h>

namespace gw::bench {

using steady = std::chrono::steady_clock;
using deadline = steady::time_point;

deadline deadline_after(double seconds);

// Milliseconds left until d, rounded up and clamped to [0, INT_MAX], for poll(2).
int millis_until(deadline d);

// Waits until fd reports one of events (or an error or hang-up, which the caller's next
// read or write then reports). False when d passes first.
bool wait_fd(int fd, short events, deadline d);

struct endpoint
{
    sockaddr_in addr{};
    std::string text; // "127.0.0.1:18443", as given
};

// Parses "A.B.C.D:PORT"; nullopt unless A is 127 and PORT is in 1..65535.
std::optional<endpoint> parse_loopback_endpoint(std::string_view text);

// Non-blocking TCP connect with TCP_NODELAY; the socket stays non-blocking.
// Returns the descriptor, or -1 with error set.
int connect_tcp(const endpoint& to, deadline d, std::string& error);

// A non-blocking listening socket with SO_REUSEADDR; -1 with error set on failure.
int listen_tcp(const endpoint& at, int backlog, std::string& error);

// Raises the soft RLIMIT_NOFILE to the hard limit and returns the new soft limit.
std::uint64_t raise_fd_limit();

// "what: strerror(errno)".
std::string errno_text(std::string_view what);

} // namespace gw::bench
