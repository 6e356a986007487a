// connect_parser: the sans-io CONNECT request-head parser. Every answer for a
// bad request (status and reason code) is decided here, without sockets.

#include "daemon/proto/connect_request.hpp"

#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

extern "C" int sekisho_connect_request_fuzz_one(const std::uint8_t* data, std::size_t size);

namespace proto = sekisho::proto;
using state = proto::connect_parser::state;

namespace {

constexpr std::size_t limit = 8192;

struct outcome
{
    state result;
    proto::connect_parser parser;
};

outcome parse_once(std::string_view input, std::size_t head_limit = limit)
{
    proto::connect_parser parser(head_limit);
    const auto result = parser.parse(input);
    return {result, parser};
}

void check_failure(std::string_view input, unsigned status, std::string_view reason)
{
    const auto o = parse_once(input);
    BOOST_TEST_CONTEXT(input)
    {
        BOOST_TEST_REQUIRE((o.result == state::failed));
        BOOST_TEST(o.parser.error().status == status);
        BOOST_TEST(o.parser.error().reason == reason);
        BOOST_TEST(!o.parser.error().text.empty());
    }
}

// A complete head of exactly `size` bytes (padding in a header value).
std::string head_of_size(std::size_t size)
{
    const std::string start = "CONNECT files.example.jp:443 HTTP/1.1\r\nX-Pad: ";
    const std::string end = "\r\n\r\n";
    BOOST_TEST_REQUIRE(size > start.size() + end.size());
    return start + std::string(size - start.size() - end.size(), 'p') + end;
}

} // namespace

BOOST_AUTO_TEST_SUITE(connect_request)

// The head is parsed; bytes after it are the tunnel's first payload bytes.
BOOST_AUTO_TEST_CASE(valid_connect_with_leftover_payload)
{
    const std::string head = "CONNECT Files.Example.JP:443 HTTP/1.1\r\n"
                             "Host: files.example.jp:443\r\n"
                             "Proxy-Authorization: Basic dGFuYWthOnBhc3M=\r\n"
                             "\r\n";
    const std::string payload = "\x16\x03\x01\x02\x00 client hello";
    const auto input = head + payload;
    const auto o = parse_once(input);
    BOOST_TEST_REQUIRE((o.result == state::done));
    const auto& req = o.parser.request();
    BOOST_TEST(req.dest.host == "files.example.jp");
    BOOST_TEST(req.dest.port == 443);
    BOOST_TEST(req.authority == "Files.Example.JP:443");
    BOOST_TEST_REQUIRE(req.proxy_authorization.has_value());
    BOOST_TEST(*req.proxy_authorization == "Basic dGFuYWthOnBhc3M=");
    BOOST_TEST(o.parser.head_size() == head.size());
    BOOST_TEST(input.substr(o.parser.head_size()) == payload);
}

BOOST_AUTO_TEST_CASE(without_payload_or_credentials)
{
    const std::string head = "CONNECT [2001:db8::1]:8443 HTTP/1.1\r\n\r\n";
    const auto o = parse_once(head);
    BOOST_TEST_REQUIRE((o.result == state::done));
    BOOST_TEST(o.parser.head_size() == head.size());
    BOOST_TEST(o.parser.request().dest.host == "2001:db8::1");
    BOOST_TEST(!o.parser.request().proxy_authorization.has_value());
}

BOOST_AUTO_TEST_CASE(http_1_0_connect)
{
    const auto o = parse_once("CONNECT 192.0.2.1:443 HTTP/1.0\r\n\r\n");
    BOOST_TEST_REQUIRE((o.result == state::done));
    BOOST_TEST(o.parser.request().dest.host == "192.0.2.1");
}

BOOST_AUTO_TEST_CASE(partial_head_needs_more)
{
    for (const char* part : {"",
                             "C",
                             "CONNECT a.example:443",
                             "CONNECT a.example:443 HTTP/1.1\r\n",
                             "CONNECT a.example:443 HTTP/1.1\r\nHost: a\r\n",
                             "CONNECT a.example:443 HTTP/1.1\r\n\r"})
    {
        BOOST_TEST_CONTEXT(part)
        {
            BOOST_TEST((parse_once(part).result == state::need_more));
        }
    }
}

BOOST_AUTO_TEST_CASE(other_methods_are_405)
{
    check_failure("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n", 405, "method_not_allowed");
    check_failure("GET http://a.example/ HTTP/1.1\r\nHost: a.example\r\n\r\n", 405, "method_not_allowed");
    check_failure("POST / HTTP/1.1\r\nHost: a.example\r\n\r\n", 405, "method_not_allowed");
    check_failure("OPTIONS * HTTP/1.1\r\n\r\n", 405, "method_not_allowed");
}

BOOST_AUTO_TEST_CASE(garbage_is_400)
{
    check_failure("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400, "malformed_request");
    check_failure("hello world\r\n\r\n", 400, "malformed_request");
    check_failure("CONNECT a.example:443 HTTX/1.1\r\n\r\n", 400, "malformed_request");
    check_failure("CONNECT a.example:443 HTTP/1.1\r\nBad Header\r\n\r\n", 400, "malformed_request");
    check_failure("CONNECT  a.example:443 HTTP/1.1\r\n\r\n", 400, "malformed_request");
}

BOOST_AUTO_TEST_CASE(unsupported_version_is_400)
{
    check_failure("CONNECT a.example:443 HTTP/2.0\r\n\r\n", 400, "malformed_request");
    check_failure("CONNECT a.example:443 HTTP/0.9\r\n\r\n", 400, "malformed_request");
}

// A CONNECT request carries no body: a declared one is refused.
BOOST_AUTO_TEST_CASE(body_is_400)
{
    check_failure(
        "CONNECT a.example:443 HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", 400, "malformed_request");
    check_failure("CONNECT a.example:443 HTTP/1.1\r\nContent-Length: 5\r\n\r\n", 400, "malformed_request");
    check_failure(
        "CONNECT a.example:443 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        400,
        "malformed_request");
    check_failure(
        "CONNECT a.example:443 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "malformed_request");
}

BOOST_AUTO_TEST_CASE(content_length_zero_is_no_body)
{
    const auto o = parse_once("CONNECT a.example:443 HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    BOOST_TEST((o.result == state::done));
}

BOOST_AUTO_TEST_CASE(non_authority_targets_are_invalid_target)
{
    for (const char* t : {"/x",
                          "/",
                          "http://a.example:443/",
                          "a.example",
                          "a.example:0",
                          "a@b.example:443",
                          "[fe80::1%25eth0]:443",
                          "127.1:443",
                          "a.example:443/x"})
    {
        check_failure("CONNECT " + std::string(t) + " HTTP/1.1\r\n\r\n", 400, "invalid_target");
    }
}

BOOST_AUTO_TEST_CASE(non_ascii_host_is_400)
{
    const auto o = parse_once("CONNECT \xe4\xbe\x8b\xe3\x81\x88.jp:443 HTTP/1.1\r\n\r\n");
    BOOST_TEST_REQUIRE((o.result == state::failed));
    BOOST_TEST(o.parser.error().status == 400U);
    const auto& reason = o.parser.error().reason;
    BOOST_TEST((reason == "invalid_target" || reason == "malformed_request"), reason);
}

// A head of exactly the limit is accepted.
BOOST_AUTO_TEST_CASE(head_at_the_limit)
{
    const std::size_t small = 1024;
    const auto at = head_of_size(small);
    BOOST_TEST_REQUIRE(at.size() == small);
    const auto ok = parse_once(at + "payload", small);
    BOOST_TEST_REQUIRE((ok.result == state::done));
    BOOST_TEST(ok.parser.head_size() == small);
}

// One byte over the limit is 431.
BOOST_AUTO_TEST_CASE(head_over_the_limit)
{
    const std::size_t small = 1024;
    const auto over = parse_once(head_of_size(small + 1), small);
    BOOST_TEST_REQUIRE((over.result == state::failed));
    BOOST_TEST(over.parser.error().status == 431U);
    BOOST_TEST(over.parser.error().reason == "request_head_too_large");
}

// A head that has not ended by the limit is refused without waiting.
BOOST_AUTO_TEST_CASE(unterminated_head_at_the_limit_is_431)
{
    const std::size_t small = 1024;
    const std::string endless = "CONNECT a.example:443 HTTP/1.1\r\nX-Pad: " + std::string(small, 'p');
    for (std::size_t size : {small, small + 1, endless.size()})
    {
        const auto o = parse_once(std::string_view(endless).substr(0, size), small);
        BOOST_TEST_CONTEXT("size " << size)
        {
            BOOST_TEST_REQUIRE((o.result == state::failed));
            BOOST_TEST(o.parser.error().status == 431U);
        }
    }
    BOOST_TEST(
        (parse_once(std::string_view(endless).substr(0, small - 1), small).result == state::need_more));
}

// Fed one byte at a time, the parser waits until the last byte of the head
// and then reports the same head size.
BOOST_AUTO_TEST_CASE(incremental_feeding_byte_by_byte)
{
    const std::string head = "CONNECT files.example.jp:443 HTTP/1.1\r\n"
                             "Host: files.example.jp:443\r\n"
                             "Proxy-Authorization: Basic dGFuYWthOnBhc3M=\r\n\r\n";
    const std::string input = head + "payload";
    proto::connect_parser parser(limit);
    std::size_t fed = 0;
    state s = state::need_more;
    while (s == state::need_more && fed < input.size())
    {
        ++fed;
        s = parser.parse(std::string_view(input).substr(0, fed));
    }
    BOOST_TEST_REQUIRE((s == state::done));
    BOOST_TEST(fed == head.size());
    BOOST_TEST(parser.head_size() == head.size());
    BOOST_TEST(parser.request().dest.host == "files.example.jp");
}

// The fuzz target (tests/fuzz/connect_request_fuzz.cpp) over its corpus: its
// invariants (split reads, head limit, canonical target) abort on a violation.
BOOST_AUTO_TEST_CASE(fuzz_corpus_replays_cleanly)
{
    std::size_t inputs = 0;
    for (const auto& e : std::filesystem::directory_iterator(std::string(SEKISHO_SOURCE_DIR) +
                                                             "/tests/fuzz/corpus/connect_request"))
    {
        std::ifstream in(e.path(), std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        const auto data = bytes.str();
        BOOST_TEST_CONTEXT(e.path().filename().string())
        {
            BOOST_TEST(sekisho_connect_request_fuzz_one(reinterpret_cast<const std::uint8_t*>(data.data()),
                                                        data.size()) == 0);
        }
        ++inputs;
    }
    BOOST_TEST(inputs >= 30U);
}

BOOST_AUTO_TEST_SUITE_END()
