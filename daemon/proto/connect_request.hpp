#pragma once
// Sans-io parser for the one request a tunnel starts with: a CONNECT request
// head, parsed by Boost.Beast's HTTP parser under a byte limit. It never
// touches sockets; the session feeds it what it has read so far.
//
// The answer for a bad request is decided here (status and reason code) so
// that every path is unit-tested without a network.

#include "policy/target.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sekisho::proto {

struct connect_request
{
    policy::target dest;
    std::string authority; // as written by the client, for logs (bounded by the head limit)
    std::optional<std::string> proxy_authorization;
};

struct request_error
{
    unsigned status = 400;
    std::string reason; // machine-readable code: malformed_request, method_not_allowed, ...
    std::string text;   // one line for the body; never echoes request bytes
};

class connect_parser
{
public:
    enum class state
    {
        need_more,
        done,
        failed
    };

    explicit connect_parser(std::size_t head_limit) : head_limit_(head_limit) {}

    // `buffered` is everything read so far (the caller appends to it). Once
    // done, head_size() bytes belong to the head; anything after them is the
    // start of the tunnel's payload and must be forwarded.
    state parse(std::string_view buffered);

    const connect_request& request() const { return request_; }
    const request_error& error() const { return error_; }
    std::size_t head_size() const { return head_size_; }

private:
    state fail(unsigned status, std::string reason, std::string text);

    std::size_t head_limit_;
    std::size_t head_size_ = 0;
    connect_request request_;
    request_error error_;
};

} // namespace sekisho::proto
