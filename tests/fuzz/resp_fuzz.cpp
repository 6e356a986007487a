// libFuzzer target: the RESP reply parser of the shared session store. The
// bytes come from a Redis server (or whatever answers on its port, possibly
// through a network the gateway does not control). Any input must give
// need_more, done or invalid — never a crash, a read past the input, or a
// value over the limits — and the answer must not depend on how much of the
// stream has arrived (checked below; a violation aborts).
//
// The client (daemon/redis/client.cpp, read_reply) parses its whole buffer
// again after each read until the state is not need_more, then drops
// `length` bytes; so a strict beginning of a reply must ask for more, and
// the reply alone must parse the same as with what follows it.
//
// Build with the `fuzz` preset (clang); the unit suite replays the corpus
// (tests/fuzz/corpus/resp/) under GCC as a regression test. In the unit build
// (recognised by SEKISHO_SOURCE_DIR) audit_verify_fuzz.cpp owns
// LLVMFuzzerTestOneInput, so this target is sekisho_resp_fuzz_one.

#include "daemon/redis/resp.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

namespace {

using namespace sekisho::redis;

void check(bool condition)
{
    if (!condition)
    {
        std::abort();
    }
}

// Small limits, so that inputs of libFuzzer's usual sizes reach them, and
// tighter ones still to compare with.
parse_limits limits_of(std::size_t bulk, std::size_t elements, unsigned depth)
{
    parse_limits l;
    l.max_bulk_bytes = bulk;
    l.max_elements = elements;
    l.max_depth = depth;
    return l;
}
const parse_limits fuzz_limits = limits_of(4096, 64, 4);
const parse_limits tight_limits = limits_of(16, 8, 2);

parse_result parse(std::string_view bytes, const parse_limits& limits)
{
    return parse_reply(std::span<const char>(bytes.data(), bytes.size()), limits);
}

bool same_value(const value& a, const value& b)
{
    if (a.kind != b.kind || a.text != b.text || a.integer != b.integer || a.items.size() != b.items.size())
    {
        return false;
    }
    for (std::size_t i = 0; i < a.items.size(); ++i)
    {
        if (!same_value(a.items[i], b.items[i]))
        {
            return false;
        }
    }
    return true;
}

bool same(const parse_result& a, const parse_result& b)
{
    return a.state == b.state && a.length == b.length && a.error == b.error && same_value(a.reply, b.reply);
}

bool is_default(const value& v)
{
    return v.kind == kind::null && v.text.empty() && v.integer == 0 && v.items.empty();
}

// A one-line value longer than max_bulk_bytes + 64 used to be refused while
// its CRLF had not arrived but accepted once it had (fixed in resp.cpp);
// corpus/resp/crash-long_line_accepted_when_complete is the regression test.
// true would relax the two checks for that class again.
constexpr bool known_long_lines = false;

bool long_line_refused(const parse_result& r)
{
    return known_long_lines && r.state == parse_state::invalid && r.error == "a RESP line without an end";
}

// A returned value is within the limits and well formed for its kind;
// `elements` counts the entries of all aggregates in the reply.
void check_value(const value& v, unsigned depth, const parse_limits& limits, std::size_t& elements)
{
    check(depth <= limits.max_depth);
    // A string is at most max_bulk_bytes; a one-line value (simple string,
    // error, double, big number) at most 64 more, the bound the parser sets
    // on a line whose end has not arrived.
    const bool one_line = v.kind == kind::simple_string || v.kind == kind::error || v.kind == kind::real ||
                          v.kind == kind::big_number;
    check(v.text.size() <= limits.max_bulk_bytes + (one_line ? 64 : 0) || (known_long_lines && one_line));
    switch (v.kind)
    {
        case kind::array:
        case kind::push:
            break;
        case kind::map:
            check(v.items.size() % 2 == 0);
            break;
        case kind::boolean:
            check(v.integer == 0 || v.integer == 1);
            [[fallthrough]];
        default:
            check(v.items.empty());
            break;
    }
    if (v.kind == kind::real || v.kind == kind::big_number)
    {
        check(!v.text.empty());
    }
    if (v.kind == kind::null)
    {
        check(v.text.empty() && v.integer == 0);
    }
    elements += v.items.size();
    check(elements <= limits.max_elements);
    for (const auto& item : v.items)
    {
        check_value(item, depth + 1, limits, elements);
    }
}

void check_alone(const parse_result& r, std::string_view input, const parse_limits& limits)
{
    switch (r.state)
    {
        case parse_state::need_more:
            check(r.length == 0 && r.error.empty() && is_default(r.reply));
            break;
        case parse_state::invalid:
            check(r.length == 0 && !r.error.empty() && is_default(r.reply));
            break;
        case parse_state::done: {
            check(r.length > 0 && r.length <= input.size() && r.error.empty());
            // A reply ends with CRLF.
            check(input.substr(0, r.length).ends_with("\r\n"));
            std::size_t elements = 0;
            check_value(r.reply, 0, limits, elements);
            break;
        }
        default:
            check(false);
    }
}

// Cut points: the first few, around the end of a reply, at line ends, and a
// few more drawn from the data.
std::vector<std::size_t> cut_points(std::string_view input, const parse_result& whole)
{
    std::vector<std::size_t> at;
    const std::size_t n = whole.state == parse_state::done ? whole.length : input.size();
    for (std::size_t k = 0; k < std::min<std::size_t>(n, 8); ++k)
    {
        at.push_back(k);
    }
    if (n > 0)
    {
        at.push_back(n - 1);
        at.push_back(n / 2);
    }
    if (n > 1)
    {
        at.push_back(n - 2);
    }
    std::size_t lines = 0;
    for (std::size_t k = input.find('\n'); k != std::string_view::npos && k < n && lines < 16;
         k = input.find('\n', k + 1), ++lines)
    {
        at.push_back(k);
        at.push_back(k + 1);
    }
    std::uint64_t h = 1469598103934665603ULL; // FNV-1a of the input
    for (const char c : input)
    {
        h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    }
    for (int i = 0; i < 6 && n > 0; ++i)
    {
        h = h * 6364136223846793005ULL + 1442695040888963407ULL;
        at.push_back(static_cast<std::size_t>((h >> 33) % n));
    }
    return at;
}

void check_with(std::string_view input, const parse_limits& limits, parse_result& out)
{
    const auto whole = parse(input, limits);
    check_alone(whole, input, limits);
    if (whole.state == parse_state::done)
    {
        // The reply alone parses the same: what follows is the next reply.
        check(same(parse(input.substr(0, whole.length), limits), whole));
    }
    // A beginning gives an answer consistent with the whole: the client
    // stops at the first that is not need_more.
    for (const auto k : cut_points(input, whole))
    {
        if (k >= input.size())
        {
            continue;
        }
        const auto piece = input.substr(0, k);
        const auto r = parse(piece, limits);
        check_alone(r, piece, limits);
        if (long_line_refused(r))
        {
            continue; // KNOWN FINDING, see known_long_lines
        }
        switch (r.state)
        {
            case parse_state::need_more:
                break;
            case parse_state::done:
                check(same(r, whole));
                break;
            case parse_state::invalid:
                check(whole.state == parse_state::invalid);
                break;
        }
        if (whole.state == parse_state::done && k < whole.length)
        {
            check(r.state == parse_state::need_more);
        }
        if (whole.state == parse_state::need_more)
        {
            check(r.state == parse_state::need_more);
        }
    }
    out = whole;
}

} // namespace

extern "C" int sekisho_resp_fuzz_one(const std::uint8_t* data, std::size_t size)
{
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    parse_result loose;
    parse_result tight;
    check_with(input, fuzz_limits, loose);
    check_with(input, tight_limits, tight);
    // Tighter limits accept a subset of replies, unchanged, and refuse
    // whatever looser ones refuse.
    if (tight.state == parse_state::done)
    {
        check(loose.state == parse_state::done && same_value(loose.reply, tight.reply) &&
              loose.length == tight.length);
    }
    if (loose.state == parse_state::invalid)
    {
        check(tight.state == parse_state::invalid);
    }
    return 0;
}

#ifndef SEKISHO_SOURCE_DIR
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    return sekisho_resp_fuzz_one(data, size);
}
#endif
