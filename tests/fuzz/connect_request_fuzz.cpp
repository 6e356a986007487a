// libFuzzer target: the CONNECT request-head parser, the first thing a client
// sends inside TLS, before any authentication. Any bytes must give
// need_more, done or failed — never a crash or a read past the input — and
// the answer must not depend on how the bytes were split across reads, nor
// accept a head over the limit (checked below; a violation aborts).
//
// The session (daemon/net/session.cpp, read_head) calls parse() with
// everything read so far, on one parser, until the state is not need_more,
// and never buffers more than the limit. Here the same parser also sees
// longer inputs, and the checks hold for them too.
//
// Build with the `fuzz` preset (clang); the unit suite replays the corpus
// (tests/fuzz/corpus/connect_request/) under GCC as a regression test. In the
// unit build (recognised by SEKISHO_SOURCE_DIR) audit_verify_fuzz.cpp owns
// LLVMFuzzerTestOneInput, so this target is sekisho_connect_request_fuzz_one.

#include "daemon/proto/connect_request.hpp"
#include "policy/target.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using sekisho::proto::connect_parser;
using sekisho::proto::connect_request;
using sekisho::proto::request_error;
using state = connect_parser::state;

// The smallest request_head_bytes a configuration may set, so that inputs of
// libFuzzer's usual sizes reach it, and a much smaller one to compare with.
constexpr std::size_t head_limit = 1024;
constexpr std::size_t small_limit = 128;

void check(bool condition)
{
    if (!condition)
    {
        std::abort();
    }
}

// What one parse() answered, with only the parts that state defines.
struct outcome
{
    state result = state::need_more;
    std::size_t head_size = 0;
    connect_request request;
    request_error error;
};

outcome take(const connect_parser& p, state s)
{
    outcome o;
    o.result = s;
    if (s == state::done)
    {
        o.head_size = p.head_size();
        o.request = p.request();
    }
    else if (s == state::failed)
    {
        o.error = p.error();
    }
    return o;
}

outcome parse_fresh(std::string_view input, std::size_t limit)
{
    connect_parser p(limit);
    const auto s = p.parse(input);
    return take(p, s);
}

bool same_target(const sekisho::policy::target& a, const sekisho::policy::target& b)
{
    return a.type == b.type && a.host == b.host && a.port == b.port &&
           (a.type != sekisho::policy::target::kind::ip || a.address == b.address);
}

bool same_request(const connect_request& a, const connect_request& b)
{
    return same_target(a.dest, b.dest) && a.authority == b.authority &&
           a.proxy_authorization == b.proxy_authorization;
}

bool same(const outcome& a, const outcome& b)
{
    if (a.result != b.result)
    {
        return false;
    }
    switch (a.result)
    {
        case state::need_more:
            return true;
        case state::done:
            return a.head_size == b.head_size && same_request(a.request, b.request);
        case state::failed:
            return a.error.status == b.error.status && a.error.reason == b.error.reason &&
                   a.error.text == b.error.text;
    }
    return false;
}

bool printable_ascii(std::string_view s)
{
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

// What any single answer must satisfy on its own.
void check_alone(const outcome& o, std::string_view input, std::size_t limit)
{
    switch (o.result)
    {
        case state::need_more:
            // The session stops reading at the limit: there, need_more is 431.
            check(input.size() < limit);
            break;
        case state::failed:
            check(o.error.status == 400 || o.error.status == 405 || o.error.status == 431);
            check(!o.error.reason.empty() && printable_ascii(o.error.reason));
            // The body line never echoes request bytes (no CR/LF injection).
            check(!o.error.text.empty() && printable_ascii(o.error.text));
            break;
        case state::done: {
            const auto& r = o.request;
            check(o.head_size > 0 && o.head_size <= input.size() && o.head_size <= limit);
            const auto head = input.substr(0, o.head_size);
            check(head.starts_with("CONNECT "));
            check(head.ends_with("\r\n\r\n"));
            check(!r.dest.host.empty() && r.dest.port != 0);
            // Both are logged or parsed further: one line each.
            check(!r.authority.empty() && r.authority.size() < o.head_size && printable_ascii(r.authority));
            check(!r.proxy_authorization ||
                  (r.proxy_authorization->size() < o.head_size &&
                   r.proxy_authorization->find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos));
            if (r.dest.type == sekisho::policy::target::kind::ip)
            {
                check(r.dest.host == r.dest.address.to_string());
            }
            else
            {
                // Canonical for policy matching: a plain byte comparison.
                check(r.dest.host.size() <= 253 && r.dest.host.back() != '.');
                check(std::all_of(r.dest.host.begin(), r.dest.host.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
                }));
            }
            // The target as written parses to the destination, and the
            // destination's canonical text parses back to itself.
            const auto again = sekisho::policy::parse_authority(r.authority);
            check(again && same_target(*again, r.dest));
            const auto canonical = sekisho::policy::parse_authority(sekisho::policy::to_string(r.dest));
            check(canonical && same_target(*canonical, r.dest));
            break;
        }
    }
}

// Split points: every one in a short beginning, around the end of the head,
// at line ends, and a few more drawn from the data.
std::vector<std::size_t> split_points(std::string_view input, const outcome& whole)
{
    std::vector<std::size_t> at;
    const std::size_t n = input.size();
    for (std::size_t k = 0; k < std::min<std::size_t>(n, 24); ++k)
    {
        at.push_back(k);
    }
    if (whole.result == state::done)
    {
        const auto h = whole.head_size;
        for (const std::size_t k : {h - 1, h > 1 ? h - 2 : 0, h / 2, h, h + 1})
        {
            if (k < n)
            {
                at.push_back(k);
            }
        }
    }
    std::size_t lines = 0;
    for (std::size_t k = input.find('\n'); k != std::string_view::npos && lines < 16;
         k = input.find('\n', k + 1), ++lines)
    {
        at.push_back(k);
        if (k + 1 < n)
        {
            at.push_back(k + 1);
        }
    }
    std::uint64_t h = 1469598103934665603ULL; // FNV-1a of the input
    for (const char c : input)
    {
        h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    }
    for (int i = 0; i < 8 && n > 0; ++i)
    {
        h = h * 6364136223846793005ULL + 1442695040888963407ULL;
        at.push_back(static_cast<std::size_t>((h >> 33) % n));
    }
    return at;
}

} // namespace

extern "C" int sekisho_connect_request_fuzz_one(const std::uint8_t* data, std::size_t size)
{
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    const auto whole = parse_fresh(input, head_limit);
    check_alone(whole, input, head_limit);

    // Parsing is a pure function of the bytes.
    check(same(parse_fresh(input, head_limit), whole));

    // Two reads: the first piece, then everything, on the same parser, as
    // read_head() does. The session stops at the first answer that is not
    // need_more, so that answer must agree with the whole input's.
    for (const auto k : split_points(input, whole))
    {
        if (k >= size)
        {
            continue;
        }
        const auto piece = input.substr(0, k);
        connect_parser p(head_limit);
        const auto first = take(p, p.parse(piece));
        check_alone(first, piece, head_limit);
        switch (first.result)
        {
            case state::need_more:
                check(same(take(p, p.parse(input)), whole));
                break;
            case state::done:
                // The head had already arrived: the rest is tunnel payload.
                check(whole.result == state::done && same(first, whole));
                break;
            case state::failed:
                // More bytes never make a refused head acceptable.
                check(whole.result == state::failed);
                break;
        }
    }

    // A smaller limit accepts a subset, with the same answer, and refuses
    // a longer head as too large.
    const auto small = parse_fresh(input, small_limit);
    check_alone(small, input, small_limit);
    if (small.result == state::done)
    {
        check(same(small, whole));
    }
    switch (whole.result)
    {
        case state::done:
            if (whole.head_size <= small_limit)
            {
                check(same(small, whole));
            }
            else
            {
                check(small.result == state::failed && small.error.status == 431);
            }
            break;
        case state::failed:
            check(small.result == state::failed);
            break;
        case state::need_more:
            check(small.result == state::need_more ||
                  (small.result == state::failed && small.error.status == 431));
            break;
    }
    return 0;
}

#ifndef SEKISHO_SOURCE_DIR
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    return sekisho_connect_request_fuzz_one(data, size);
}
#endif
