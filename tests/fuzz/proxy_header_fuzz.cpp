// libFuzzer target: the PROXY protocol v1/v2 parser, which reads the first
// bytes of every connection on a listener with `proxy_protocol` on, before
// any authentication. Any input must give need_more, done or invalid —
// never a crash, a read past the input, or a result that breaks the
// contract the session relies on (checked below; a violation aborts).
//
// Build with the `fuzz` preset (clang); the unit suite replays the corpus
// (tests/fuzz/corpus/proxy_header/) under GCC as a regression test. The unit
// executable also links audit_verify_fuzz.cpp, which owns the name
// LLVMFuzzerTestOneInput there, so in the unit build (recognised by the
// SEKISHO_SOURCE_DIR definition it gets for its fixtures) this target is only
// reachable as sekisho_proxy_header_fuzz_one.

#include "daemon/proto/proxy_header.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

namespace {

using sekisho::proto::proxy_parse;
using sekisho::proto::proxy_result;

void check(bool condition)
{
    if (!condition)
    {
        std::abort();
    }
}

bool same(const proxy_result& a, const proxy_result& b)
{
    return a.state == b.state && a.error == b.error && a.header.version == b.header.version &&
           a.header.local == b.header.local && a.header.source == b.header.source &&
           a.header.source_port == b.header.source_port && a.header.destination == b.header.destination &&
           a.header.destination_port == b.header.destination_port && a.header.length == b.header.length;
}

} // namespace

extern "C" int sekisho_proxy_header_fuzz_one(const std::uint8_t* data, std::size_t size)
{
    using namespace sekisho::proto;
    const std::span<const std::uint8_t> input(data, size);
    const auto r = parse_proxy_header(input);
    switch (r.state)
    {
        case proxy_parse::need_more:
            // The session reads at most proxy_header_max_bytes before giving up.
            check(size < proxy_header_max_bytes);
            check(r.error.empty());
            break;
        case proxy_parse::invalid:
            check(!r.error.empty());
            break;
        case proxy_parse::done: {
            const auto& h = r.header;
            check(r.error.empty());
            check(h.length > 0 && h.length <= size && h.length <= proxy_header_max_bytes);
            check(h.version == 1 || h.version == 2);
            check(h.version != 1 || h.length <= proxy_v1_max_bytes);
            if (h.local)
            {
                check(!h.source && !h.destination);
            }
            else
            {
                check(h.source && h.destination && h.source->fam() == h.destination->fam());
            }
            // The header alone, without what follows it, parses the same:
            // the bytes after it belong to the TLS handshake.
            check(same(parse_proxy_header(input.first(h.length)), r));
            // Every shorter beginning of a valid header asks for more bytes
            // (cheap: a v1 line is short, and a v2 prefix stops at its length).
            for (std::size_t n = 0; n < h.length; ++n)
            {
                check(parse_proxy_header(input.first(n)).state == proxy_parse::need_more);
            }
            break;
        }
    }
    return 0;
}

#ifndef SEKISHO_SOURCE_DIR
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    return sekisho_proxy_header_fuzz_one(data, size);
}
#endif
