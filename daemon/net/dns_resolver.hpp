#pragma once
// A layer's own DNS servers (egress.<layer>.dns): LGWAN names are answered by
// LGWAN's DNS, internet names by the security cloud's. Queries go out through
// c-ares (libc-ares, Debian libc-ares-dev) on the I/O thread's own event loop
// — no thread blocks in getaddrinfo — within timeouts.dns, and answers are
// kept in a bounded cache for their TTL (capped by max_ttl; failures for
// negative_ttl). The `hosts:` map is consulted before any of this.

#include "daemon/config/settings.hpp"
#include "daemon/net/upstream.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace sekisho::net {

// Answers by name, shared by every I/O thread (a lookup holds the lock only
// to read or write one entry). Full: the least recently used entry goes.
class dns_cache
{
public:
    using steady = std::chrono::steady_clock;

    dns_cache(std::size_t max_entries,
              std::chrono::milliseconds max_ttl,
              std::chrono::milliseconds negative_ttl);

    // A live entry: its addresses, or its failure ("dns_failed") with detail.
    std::optional<resolve_outcome> get(const std::string& name, steady::time_point now);
    void put(const std::string& name,
             const resolve_outcome& answer,
             std::chrono::seconds ttl,
             steady::time_point now);

    std::size_t size() const;

private:
    struct entry
    {
        resolve_outcome answer;
        steady::time_point expires;
        std::list<std::string>::iterator recency;
    };
    mutable std::mutex mutex_;
    std::size_t max_entries_;
    std::chrono::milliseconds max_ttl_;
    std::chrono::milliseconds negative_ttl_;
    std::unordered_map<std::string, entry> entries_;
    std::list<std::string> recency_; // most recent first
};

// Looks `name` up (A and AAAA) on `settings.servers` ("ip:port", as the
// settings loader normalised them), through the cache.
// The outcome is like resolve()'s: addresses, or "dns_timeout" /
// "dns_failed" with a detail.
boost::asio::awaitable<resolve_outcome> resolve_on(const config::layer_dns& settings,
                                                   dns_cache& cache,
                                                   std::string name,
                                                   std::chrono::milliseconds timeout);

} // namespace sekisho::net
