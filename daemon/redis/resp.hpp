#pragma once
// The Redis serialization protocol (RESP2, and the RESP3 types a server sends
// after HELLO 3): commands out as arrays of bulk strings, replies in as a
// value tree. Pure: no I/O, no exceptions on bad input. The first piece of
// the shared session store (issue #10): Debian 12's hiredis (0.14) has no TLS
// and Boost 1.81 has no Boost.Redis, so sekisho speaks RESP itself over its
// own Asio + OpenSSL streams.
//
// Specification: https://redis.io/docs/latest/develop/reference/protocol-spec/

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::redis {

enum class kind : std::uint8_t
{
    simple_string, // +OK
    error,         // -ERR ... and RESP3 blob errors (!)
    integer,       // :42
    bulk_string,   // $3\r\nabc, and RESP3 verbatim strings (=) without their format
    null,          // $-1, *-1, RESP3 _
    array,         // *N, and RESP3 sets (~)
    map,           // RESP3 %N: items are key, value, key, value, ...
    push,          // RESP3 >N: pub/sub messages and invalidations
    boolean,       // RESP3 #t / #f (integer 1 / 0)
    real,          // RESP3 , (text kept as sent)
    big_number,    // RESP3 ( (text kept as sent)
};

struct value
{
    redis::kind kind = redis::kind::null;
    std::string text;         // strings, errors, real and big numbers
    std::int64_t integer = 0; // integer, boolean
    std::vector<value> items; // array, map (2 per entry), push

    bool is_error() const { return kind == redis::kind::error; }
};

// How much a reply may hold: a server that sends more is treated as broken.
struct parse_limits
{
    std::size_t max_bulk_bytes = 1024 * 1024; // one string
    std::size_t max_elements = 100000;        // in all aggregates of one reply
    unsigned max_depth = 8;                   // aggregates within aggregates
};

enum class parse_state
{
    need_more, // a valid beginning; read more and call again with everything
    done,      // `reply` is one whole reply of `length` bytes
    invalid,   // not RESP, or over a limit: close the connection
};

struct parse_result
{
    parse_state state = parse_state::need_more;
    value reply;
    std::size_t length = 0;
    std::string error; // when invalid
};

// Parses the first reply in `bytes`. Replies are small (a claim, a counter),
// so a partial reply is parsed again from its start when more arrives.
parse_result parse_reply(std::span<const char> bytes, const parse_limits& limits = {});

// A command as RESP sends it: an array of bulk strings (binary-safe).
std::string encode_command(std::span<const std::string_view> args);
inline std::string encode_command(std::initializer_list<std::string_view> args)
{
    return encode_command(std::span<const std::string_view>(args.begin(), args.size()));
}

} // namespace sekisho::redis
