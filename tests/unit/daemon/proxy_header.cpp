// PROXY protocol v1/v2 parsing: valid headers (built here field by field and
// captured byte for byte from a real HAProxy), every beginning of a valid
// header asking for more, the malformed and refused forms with their error
// texts, a client that sends TLS straight away, and the fuzz target replayed
// over its corpus.

#include "daemon/proto/proxy_header.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

extern "C" int sekisho_proxy_header_fuzz_one(const std::uint8_t* data, std::size_t size);

namespace proto = sekisho::proto;
using proto::proxy_parse;
using sekisho::policy::ip_address;

namespace {

// Bytes are kept in std::string (binary-safe, easy to concatenate).
proto::proxy_result parse(std::string_view bytes)
{
    return proto::parse_proxy_header({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
}

std::string from_hex(std::string_view hex)
{
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    {
        out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    }
    return out;
}

std::string be16(unsigned v)
{
    return {static_cast<char>((v >> 8U) & 0xFFU), static_cast<char>(v & 0xFFU)};
}

const std::string v2_signature("\r\n\r\n\0\r\nQUIT\n", 12);

// A v2 header from its fields; `length` defaults to the real payload size.
std::string v2(std::uint8_t ver_cmd,
               std::uint8_t family,
               const std::string& payload,
               std::optional<unsigned> length = std::nullopt)
{
    return v2_signature + static_cast<char>(ver_cmd) + static_cast<char>(family) +
           be16(length.value_or(static_cast<unsigned>(payload.size()))) + payload;
}

std::string ipv4_block(std::string_view src, std::string_view dst, unsigned sport, unsigned dport)
{
    const auto s = ip_address::parse(src).value();
    const auto d = ip_address::parse(dst).value();
    std::string out(reinterpret_cast<const char*>(s.bytes().data()), 4);
    out.append(reinterpret_cast<const char*>(d.bytes().data()), 4);
    return out + be16(sport) + be16(dport);
}

// Raw 16-byte addresses from hex (so that IPv4-mapped forms stay as sent).
std::string ipv6_block(std::string_view src_hex, std::string_view dst_hex, unsigned sport, unsigned dport)
{
    return from_hex(src_hex) + from_hex(dst_hex) + be16(sport) + be16(dport);
}

std::string tlv(std::uint8_t type, const std::string& value)
{
    return static_cast<char>(type) + be16(static_cast<unsigned>(value.size())) + value;
}

constexpr std::string_view v6_a = "20010db8000000000000000000000001"; // 2001:db8::1
constexpr std::string_view v6_b = "20010db8000000000000000000000002"; // 2001:db8::2

// A TLS 1.x ClientHello's first bytes: what follows the header on the wire.
const std::string tls_start("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);

proto::proxy_header expect_done(std::string_view bytes)
{
    const auto r = parse(bytes);
    BOOST_TEST_REQUIRE((r.state == proxy_parse::done), "error: " << r.error);
    BOOST_TEST(r.error.empty());
    return r.header;
}

void expect_invalid(std::string_view bytes, std::string_view error)
{
    const auto r = parse(bytes);
    BOOST_TEST_REQUIRE((r.state == proxy_parse::invalid));
    BOOST_TEST(r.error == error);
}

// Every beginning of `header` asks for more; the whole header is done, and
// so is the header followed by a TLS ClientHello, with the same length.
void check_prefixes(const std::string& header)
{
    for (std::size_t n = 0; n < header.size(); ++n)
    {
        BOOST_TEST_CONTEXT("prefix of " << n << " bytes")
        {
            const auto r = parse(std::string_view(header).substr(0, n));
            BOOST_TEST((r.state == proxy_parse::need_more), "error: " << r.error);
        }
    }
    BOOST_TEST(expect_done(header).length == header.size());
    BOOST_TEST(expect_done(header + tls_start).length == header.size());
}

// How many bytes it takes to see the field an error is about: version and
// command in byte 13, family in byte 14, length in bytes 15-16.
std::size_t decided_at(std::string_view error)
{
    if (error.find("version") != std::string_view::npos || error.find("command") != std::string_view::npos)
    {
        return 13;
    }
    if (error.find("length") != std::string_view::npos || error.find("longer") != std::string_view::npos)
    {
        return 16;
    }
    return 14;
}

std::string text(const std::optional<ip_address>& a)
{
    return a ? a->to_string() : "(none)";
}

std::string read_all(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

BOOST_AUTO_TEST_SUITE(proxy_header)

// ---- version 1 -------------------------------------------------------------

BOOST_AUTO_TEST_CASE(v1_tcp4)
{
    const std::string line = "PROXY TCP4 192.0.2.10 198.51.100.7 51234 443\r\n";
    const auto h = expect_done(line);
    BOOST_TEST(h.version == 1);
    BOOST_TEST(!h.local);
    BOOST_TEST(text(h.source) == "192.0.2.10");
    BOOST_TEST(text(h.destination) == "198.51.100.7");
    BOOST_TEST(h.source_port == 51234);
    BOOST_TEST(h.destination_port == 443);
    BOOST_TEST(h.length == line.size());
}

BOOST_AUTO_TEST_CASE(v1_tcp6)
{
    const std::string line = "PROXY TCP6 2001:db8::1 2001:DB8:0:0:0:0:0:2 0 65535\r\n";
    const auto h = expect_done(line);
    BOOST_TEST(!h.local);
    BOOST_TEST(text(h.source) == "2001:db8::1");
    BOOST_TEST(text(h.destination) == "2001:db8::2");
    BOOST_TEST(!h.source->is_v4());
    BOOST_TEST(h.source_port == 0);
    BOOST_TEST(h.destination_port == 65535);
    BOOST_TEST(h.length == line.size());
}

// A dual-stack balancer reports IPv4 clients as mapped addresses; they are
// kept as IPv4, like everywhere else in the gateway.
BOOST_AUTO_TEST_CASE(v1_tcp6_mapped_ipv4)
{
    const auto h = expect_done("PROXY TCP6 ::ffff:192.0.2.1 ::ffff:192.0.2.2 4000 443\r\n");
    BOOST_TEST(h.source->is_v4());
    BOOST_TEST(text(h.source) == "192.0.2.1");
    BOOST_TEST(h.destination->is_v4());
    expect_invalid("PROXY TCP6 ::ffff:192.0.2.1 2001:db8::2 4000 443\r\n",
                   "PROXY v1: source and destination address families differ");
}

BOOST_AUTO_TEST_CASE(v1_unknown)
{
    auto h = expect_done("PROXY UNKNOWN\r\n");
    BOOST_TEST(h.local);
    BOOST_TEST(!h.source);
    BOOST_TEST(!h.destination);
    BOOST_TEST(h.length == 15U);
    // Whatever follows UNKNOWN is ignored, even what would be invalid.
    h = expect_done("PROXY UNKNOWN 1.2.3.4  ::1 99999 x\r\n");
    BOOST_TEST(h.local);
    // The specification's worst case: exactly 107 bytes.
    const std::string longest = "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
                                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
    BOOST_TEST_REQUIRE(longest.size() == 107U);
    BOOST_TEST(expect_done(longest).length == 107U);
    expect_invalid("PROXY UNKNOWNX\r\n", "PROXY v1: unknown protocol (expected TCP4, TCP6 or UNKNOWN)");
}

// The header stops at the CRLF; the ClientHello after it is left alone.
BOOST_AUTO_TEST_CASE(v1_followed_by_tls)
{
    const std::string line = "PROXY TCP4 203.0.113.5 192.0.2.1 60000 8443\r\n";
    const auto h = expect_done(line + tls_start);
    BOOST_TEST(h.length == line.size());
    BOOST_TEST(h.source_port == 60000);
}

// Captured from HAProxy 2.6.12 (`server s1 127.0.0.1:41902 send-proxy` in a
// TCP-mode backend on loopback, a Python listener dumping the bytes received),
// a client connecting to the frontend over IPv4 and IPv6 and sending 10 bytes
// of TLS record.
BOOST_AUTO_TEST_CASE(v1_captured_from_haproxy)
{
    const auto v4 =
        from_hex("50524f58592054435034203132372e302e302e31203132372e302e302e312034383538342034313830"
                 "320d0a160301000568656c6c6f");
    auto h = expect_done(v4);
    BOOST_TEST(h.length == v4.size() - 10);
    BOOST_TEST(text(h.source) == "127.0.0.1");
    BOOST_TEST(h.source_port == 48584);
    BOOST_TEST(h.destination_port == 41802);
    check_prefixes(v4.substr(0, h.length));

    const auto v6 =
        from_hex("50524f58592054435036203a3a31203a3a312034303035302034313830320d0a160301000568656c"
                 "6c6f");
    h = expect_done(v6);
    BOOST_TEST(h.length == v6.size() - 10);
    BOOST_TEST(text(h.source) == "::1");
    BOOST_TEST(h.source_port == 40050);
    BOOST_TEST(h.destination_port == 41802);
}

BOOST_AUTO_TEST_CASE(v1_every_prefix_needs_more)
{
    for (const std::string line : {"PROXY TCP4 192.0.2.10 198.51.100.7 51234 443\r\n",
                                   "PROXY TCP4 0.0.0.0 255.255.255.255 0 0\r\n",
                                   "PROXY TCP6 2001:db8::1 ::ffff:0 1 2\r\n",
                                   "PROXY TCP6 ::ffff:10.0.0.1 ::ffff:10.0.0.2 1000 65535\r\n",
                                   "PROXY UNKNOWN\r\n",
                                   "PROXY UNKNOWN whatever here\r\n"})
    {
        BOOST_TEST_CONTEXT(line)
        {
            check_prefixes(line);
        }
    }
}

// No CRLF within 107 bytes: invalid at the 107th byte, not before.
BOOST_AUTO_TEST_CASE(v1_too_long)
{
    const std::string line = "PROXY UNKNOWN " + std::string(200, 'x');
    BOOST_TEST((parse(line.substr(0, 106)).state == proxy_parse::need_more));
    expect_invalid(line.substr(0, 107), "PROXY v1: no CRLF within 107 bytes");
    expect_invalid(line, "PROXY v1: no CRLF within 107 bytes");
    // A 108-byte line: the CR is the 107th byte.
    expect_invalid(line.substr(0, 106) + "\r\n", "PROXY v1: no CRLF within 107 bytes");
    BOOST_TEST(expect_done(line.substr(0, 105) + "\r\n").length == 107U);
}

BOOST_AUTO_TEST_CASE(v1_malformed)
{
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"PROXY TCP4 1.2.3.4 5.6.7.8 65536 443\r\n", "PROXY v1: source port out of range"},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 443 99999\r\n", "PROXY v1: destination port out of range"},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 0443 443\r\n", "PROXY v1: source port has a leading zero"},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 00 443\r\n", "PROXY v1: source port has a leading zero"},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 -1 443\r\n", "PROXY v1: source port is not a decimal number"},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 +1 443\r\n", "PROXY v1: source port is not a decimal number"},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 443 0x1\r\n", "PROXY v1: destination port is not a decimal number"},
        {"PROXY TCP4 1.2.3 5.6.7.8 1 443\r\n", "PROXY v1: bad source address"},
        {"PROXY TCP4 1.2.3.4 256.6.7.8 1 443\r\n", "PROXY v1: bad destination address"},
        {"PROXY TCP4 01.2.3.4 5.6.7.8 1 443\r\n", "PROXY v1: bad source address"},
        {"PROXY TCP4 localhost 5.6.7.8 1 443\r\n", "PROXY v1: bad source address"},
        {"PROXY TCP6 2001:db8::g ::1 1 443\r\n", "PROXY v1: bad source address"},
        {"PROXY TCP6 fe80::1%eth0 ::1 1 443\r\n", "PROXY v1: bad source address"},
        {"PROXY TCP4 ::1 5.6.7.8 1 443\r\n", "PROXY v1: TCP4 with an IPv6 source address"},
        {"PROXY TCP4 1.2.3.4 ::ffff:5.6.7.8 1 443\r\n", "PROXY v1: TCP4 with an IPv6 destination address"},
        {"PROXY TCP6 1.2.3.4 ::1 1 443\r\n", "PROXY v1: TCP6 with an IPv4 source address"},
        {"PROXY TCP6 ::1 5.6.7.8 1 443\r\n", "PROXY v1: TCP6 with an IPv4 destination address"},
        {"PROXY TCP4  1.2.3.4 5.6.7.8 1 443\r\n", "PROXY v1: fields must be separated by single spaces"},
        {"PROXY  TCP4 1.2.3.4 5.6.7.8 1 443\r\n", "PROXY v1: fields must be separated by single spaces"},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 1  443\r\n", "PROXY v1: fields must be separated by single spaces"},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 1 443 \r\n", "PROXY v1: unexpected data after the destination port"},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 1 443 x\r\n", "PROXY v1: unexpected data after the destination port"},
        {"PROXY TCP4\t1.2.3.4 5.6.7.8 1 443\r\n",
         "PROXY v1: unknown protocol (expected TCP4, TCP6 or UNKNOWN)"},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 1 443\n", "PROXY v1: line does not end with CRLF"},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 1 443\r\r\n", "PROXY v1: destination port is not a decimal number"},
        {"PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", "PROXY v1: missing fields"},
        {"PROXY TCP4\r\n", "PROXY v1: missing fields"},
        {"PROXY\r\n", "PROXY v1: missing fields"},
        {"PROXY TCP5 1.2.3.4 5.6.7.8 1 443\r\n",
         "PROXY v1: unknown protocol (expected TCP4, TCP6 or UNKNOWN)"},
        {"PROXY tcp4 1.2.3.4 5.6.7.8 1 443\r\n",
         "PROXY v1: unknown protocol (expected TCP4, TCP6 or UNKNOWN)"},
        {"PROXY UDP4 1.2.3.4 5.6.7.8 1 443\r\n",
         "PROXY v1: unknown protocol (expected TCP4, TCP6 or UNKNOWN)"},
        {"PROXYTCP4 1.2.3.4 5.6.7.8 1 443\r\n", "no PROXY protocol header"},
        {"POST /login HTTP/1.1\r\n", "no PROXY protocol header"},
        {"proxy TCP4 1.2.3.4 5.6.7.8 1 443\r\n", "no PROXY protocol header (first byte 0x70)"},
    };
    for (const auto& [line, error] : cases)
    {
        BOOST_TEST_CONTEXT(line)
        {
            expect_invalid(line, error);
        }
    }
}

// A beginning that can no longer become a valid line is refused at once,
// without waiting for the CRLF or the 107-byte limit.
BOOST_AUTO_TEST_CASE(v1_refused_before_the_crlf)
{
    expect_invalid("PRX", "no PROXY protocol header");
    expect_invalid("PROXY TCP7", "PROXY v1: unknown protocol (expected TCP4, TCP6 or UNKNOWN)");
    expect_invalid("PROXY TCP4 ::", "PROXY v1: TCP4 with an IPv6 source address");
    expect_invalid("PROXY TCP4 1.2.3.4x", "PROXY v1: bad source address");
    expect_invalid("PROXY TCP4 1.2.3.4  ", "PROXY v1: fields must be separated by single spaces");
    expect_invalid("PROXY TCP4 1.2.3.4 5.6.7.8 01", "PROXY v1: source port has a leading zero");
    expect_invalid("PROXY TCP4 1.2.3.4 5.6.7.8 1 655350", "PROXY v1: destination port out of range");
    expect_invalid("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 ", "PROXY v1: unexpected data after the destination port");
    BOOST_TEST((parse("PROXY TCP4 1.2").state == proxy_parse::need_more));
    BOOST_TEST((parse("PROXY TCP6 2001:db8::1 1.2.3").state == proxy_parse::need_more));
}

// ---- version 2 -------------------------------------------------------------

BOOST_AUTO_TEST_CASE(v2_local)
{
    const auto header = v2(0x20, 0x00, "");
    auto h = expect_done(header + tls_start);
    BOOST_TEST(h.version == 2);
    BOOST_TEST(h.local);
    BOOST_TEST(!h.source);
    BOOST_TEST(h.length == 16U);
    // LOCAL ignores the family and whatever address block there is.
    h = expect_done(v2(0x20, 0x12, "anything at all"));
    BOOST_TEST(h.local);
    BOOST_TEST(h.length == 31U);
    h = expect_done(v2(0x20, 0x11, ""));
    BOOST_TEST(h.local);
    // PROXY with family UNSPEC: no addresses either.
    h = expect_done(v2(0x21, 0x00, tlv(0x04, "")));
    BOOST_TEST(h.local);
    BOOST_TEST(h.length == 19U);
}

BOOST_AUTO_TEST_CASE(v2_proxy_ipv4)
{
    const auto header = v2(0x21, 0x11, ipv4_block("192.0.2.10", "198.51.100.7", 51234, 443));
    const auto h = expect_done(header + tls_start);
    BOOST_TEST(h.version == 2);
    BOOST_TEST(!h.local);
    BOOST_TEST(text(h.source) == "192.0.2.10");
    BOOST_TEST(text(h.destination) == "198.51.100.7");
    BOOST_TEST(h.source_port == 51234);
    BOOST_TEST(h.destination_port == 443);
    BOOST_TEST(h.length == 28U);
}

BOOST_AUTO_TEST_CASE(v2_proxy_ipv6)
{
    const auto header = v2(0x21, 0x21, ipv6_block(v6_a, v6_b, 1, 65535));
    const auto h = expect_done(header + tls_start);
    BOOST_TEST(text(h.source) == "2001:db8::1");
    BOOST_TEST(text(h.destination) == "2001:db8::2");
    BOOST_TEST(h.source_port == 1);
    BOOST_TEST(h.destination_port == 65535);
    BOOST_TEST(h.length == 52U);
    // Both ends mapped: IPv4, as in v1.
    const auto mapped = expect_done(
        v2(0x21,
           0x21,
           ipv6_block("00000000000000000000ffffc0000201", "00000000000000000000ffffc0000202", 5, 6)));
    BOOST_TEST(text(mapped.source) == "192.0.2.1");
    BOOST_TEST(mapped.destination->is_v4());
    expect_invalid(v2(0x21, 0x21, ipv6_block("00000000000000000000ffffc0000201", v6_b, 5, 6)),
                   "PROXY v2: source and destination address families differ");
}

BOOST_AUTO_TEST_CASE(v2_with_tlvs)
{
    const std::string tlvs = tlv(0x01, "h2") + tlv(0x02, "files.example.jp") +
                             tlv(0x04, std::string(7, '\0')) +
                             tlv(0x20, std::string("\x07\x00\x00\x00\x00", 5) + tlv(0x21, "TLSv1.3"));
    auto header = v2(0x21, 0x11, ipv4_block("203.0.113.9", "192.0.2.1", 40000, 8443) + tlvs);
    auto h = expect_done(header + tls_start);
    BOOST_TEST(h.length == header.size());
    BOOST_TEST(text(h.source) == "203.0.113.9");
    BOOST_TEST(h.destination_port == 8443);
    check_prefixes(header);

    header = v2(0x21, 0x21, ipv6_block(v6_a, v6_b, 7, 8) + tlvs);
    h = expect_done(header);
    BOOST_TEST(h.length == header.size());
    BOOST_TEST(h.source_port == 7);
    check_prefixes(header);

    // A TLV whose length runs past the header, or a stray byte or two.
    const auto addr = ipv4_block("203.0.113.9", "192.0.2.1", 40000, 8443);
    expect_invalid(v2(0x21, 0x11, addr + tlv(0x04, "abcd").substr(0, 6)),
                   "PROXY v2: TLV overruns the header");
    expect_invalid(v2(0x21, 0x11, addr + tlv(0x04, "") + "\x04"), "PROXY v2: TLV overruns the header");
    expect_invalid(v2(0x21, 0x11, addr + std::string("\x04\x00", 2)), "PROXY v2: TLV overruns the header");
}

// Captured from HAProxy 2.6.12 on loopback, TCP mode, a Python listener
// dumping the bytes received after the client's 10 bytes of TLS record:
//  - `server s1 127.0.0.1:41901 send-proxy-v2`, client over IPv4 and IPv6;
//  - the same with `proxy-v2-options unique-id,crc32c` and
//    `unique-id-format sekisho-%ci` (TLVs 0x03 CRC32C and 0x05 UNIQUE_ID);
//  - `check check-send-proxy`: the health check's LOCAL header.
BOOST_AUTO_TEST_CASE(v2_captured_from_haproxy)
{
    const auto v4 = from_hex("0d0a0d0a000d0a515549540a2111000c7f0000017f0000018a3ea349160301000568656c6c6f");
    auto h = expect_done(v4);
    BOOST_TEST(h.length == 28U);
    BOOST_TEST(!h.local);
    BOOST_TEST(text(h.source) == "127.0.0.1");
    BOOST_TEST(h.source_port == 0x8a3e);
    BOOST_TEST(h.destination_port == 41801);
    check_prefixes(v4.substr(0, h.length));

    const auto v6 =
        from_hex("0d0a0d0a000d0a515549540a2121002400000000000000000000000000000001000000000000000000"
                 "00000000000001e6cca349160301000568656c6c6f");
    h = expect_done(v6);
    BOOST_TEST(h.length == 52U);
    BOOST_TEST(text(h.source) == "::1");
    BOOST_TEST(text(h.destination) == "::1");
    BOOST_TEST(h.source_port == 0xe6cc);
    BOOST_TEST(h.destination_port == 41801);

    const auto tlvs =
        from_hex("0d0a0d0a000d0a515549540a211100277f0000017f000001c7c4a34b0300049ecff74905001173"
                 "656b6973686f2d3132372e302e302e31160301000568656c6c6f");
    h = expect_done(tlvs);
    BOOST_TEST(h.length == 16U + 39U);
    BOOST_TEST(h.source_port == 0xc7c4);
    BOOST_TEST(h.destination_port == 41803);
    check_prefixes(tlvs.substr(0, h.length));

    h = expect_done(from_hex("0d0a0d0a000d0a515549540a20000000"));
    BOOST_TEST(h.local);
    BOOST_TEST(h.length == 16U);
}

BOOST_AUTO_TEST_CASE(v2_every_prefix_needs_more)
{
    for (const auto& header :
         {v2(0x20, 0x00, ""),
          v2(0x21, 0x00, ""),
          v2(0x21, 0x11, ipv4_block("10.0.0.1", "10.0.0.2", 1, 2)),
          v2(0x21, 0x21, ipv6_block(v6_a, v6_b, 3, 4)),
          v2(0x21, 0x21, ipv6_block(v6_a, v6_b, 3, 4) + tlv(0x04, std::string(300, 'p')))})
    {
        check_prefixes(header);
    }
}

BOOST_AUTO_TEST_CASE(v2_bad_signature)
{
    const auto good = v2(0x21, 0x11, ipv4_block("10.0.0.1", "10.0.0.2", 1, 2));
    // Each signature byte but the first ('\r' decides the version) changed:
    // refused as soon as that byte arrives.
    for (std::size_t i = 1; i < 12; ++i)
    {
        BOOST_TEST_CONTEXT("byte " << i)
        {
            auto bad = good;
            bad[i] = static_cast<char>(bad[i] ^ 0x20);
            expect_invalid(bad, "no PROXY protocol header (bad v2 signature)");
            expect_invalid(bad.substr(0, i + 1), "no PROXY protocol header (bad v2 signature)");
        }
    }
    expect_invalid("\r\nGET / HTTP/1.1\r\n", "no PROXY protocol header (bad v2 signature)");
}

BOOST_AUTO_TEST_CASE(v2_refused_fields)
{
    const auto v4 = ipv4_block("10.0.0.1", "10.0.0.2", 1, 2);
    const std::vector<std::pair<std::string, std::string>> cases = {
        {v2(0x11, 0x11, v4), "PROXY v2: unsupported version 1"},
        {v2(0x31, 0x11, v4), "PROXY v2: unsupported version 3"},
        {v2(0x01, 0x11, v4), "PROXY v2: unsupported version 0"},
        {v2(0x22, 0x11, v4), "PROXY v2: unknown command 2"},
        {v2(0x2f, 0x11, v4), "PROXY v2: unknown command 15"},
        {v2(0x21, 0x12, v4), "PROXY v2: UDP is not supported"},
        {v2(0x21, 0x22, ipv6_block(v6_a, v6_b, 1, 2)), "PROXY v2: UDP is not supported"},
        {v2(0x21, 0x31, std::string(216, 'u')), "PROXY v2: unix socket addresses are not supported"},
        {v2(0x21, 0x32, std::string(216, 'u')), "PROXY v2: unix socket addresses are not supported"},
        {v2(0x21, 0x01, v4), "PROXY v2: unknown address family 0x01"},
        {v2(0x21, 0x10, v4), "PROXY v2: unknown address family 0x10"},
        {v2(0x21, 0x13, v4), "PROXY v2: unknown address family 0x13"},
        {v2(0x21, 0x41, v4), "PROXY v2: unknown address family 0x41"},
        {v2(0x21, 0x11, v4.substr(0, 11)), "PROXY v2: length too short for TCP over IPv4"},
        {v2(0x21, 0x11, ""), "PROXY v2: length too short for TCP over IPv4"},
        {v2(0x21, 0x21, ipv6_block(v6_a, v6_b, 1, 2).substr(0, 35)),
         "PROXY v2: length too short for TCP over IPv6"},
        {v2(0x21, 0x21, v4), "PROXY v2: length too short for TCP over IPv6"},
        {v2(0x21, 0x11, v4, 4081), "PROXY v2: header longer than 4096 bytes"},
        {v2(0x20, 0x00, "", 0xffff), "PROXY v2: header longer than 4096 bytes"},
    };
    for (const auto& [bytes, error] : cases)
    {
        BOOST_TEST_CONTEXT(error)
        {
            expect_invalid(bytes, error);
            // Refused as soon as the offending field has arrived.
            const auto decided = decided_at(error);
            expect_invalid(bytes.substr(0, decided), error);
            BOOST_TEST((parse(bytes.substr(0, decided - 1)).state == proxy_parse::need_more));
        }
    }
}

// The largest header accepted is 4096 bytes, all of it read before done.
BOOST_AUTO_TEST_CASE(v2_largest_header)
{
    const auto payload =
        ipv4_block("10.0.0.1", "10.0.0.2", 1, 2) + tlv(0x04, std::string(4096 - 16 - 12 - 3, '\0'));
    const auto header = v2(0x21, 0x11, payload);
    BOOST_TEST_REQUIRE(header.size() == proto::proxy_header_max_bytes);
    BOOST_TEST(expect_done(header + tls_start).length == proto::proxy_header_max_bytes);
    BOOST_TEST((parse(header.substr(0, 4095)).state == proxy_parse::need_more));
}

// ---- neither ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(client_sends_tls_without_header)
{
    expect_invalid(tls_start, "no PROXY protocol header (the connection starts like TLS)");
    expect_invalid(tls_start.substr(0, 1), "no PROXY protocol header (the connection starts like TLS)");
    expect_invalid("CONNECT files.example.jp:443 HTTP/1.1\r\n", "no PROXY protocol header (first byte 0x43)");
    expect_invalid(std::string(1, '\0'), "no PROXY protocol header (first byte 0x00)");
    BOOST_TEST((parse("").state == proxy_parse::need_more));
}

BOOST_AUTO_TEST_CASE(fuzz_corpus_replays_cleanly)
{
    std::size_t inputs = 0;
    for (const auto& e : std::filesystem::directory_iterator(std::string(SEKISHO_SOURCE_DIR) +
                                                             "/tests/fuzz/corpus/proxy_header"))
    {
        const auto data = read_all(e.path());
        sekisho_proxy_header_fuzz_one(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
        ++inputs;
    }
    BOOST_TEST(inputs >= 12U);
}

BOOST_AUTO_TEST_SUITE_END()
