#pragma once
// The PROXY protocol header a load balancer (HAProxy `send-proxy` /
// `send-proxy-v2`, IPVS tools, cloud load balancers) puts in front of a
// connection to tell who the real client is: version 1 (one text line) and
// version 2 (binary). Pure parsing of bytes already received; the session
// peeks at the socket, parses, then consumes exactly `length` bytes, so the
// TLS handshake that follows is untouched.
//
// Specification: https://www.haproxy.org/download/2.8/doc/proxy-protocol.txt
// Accepted: v1 "PROXY TCP4|TCP6|UNKNOWN ...\r\n" (at most 107 bytes), v2
// with command LOCAL or PROXY and family UNSPEC, TCP over IPv4 or TCP over
// IPv6; TLVs are skipped (their total length is bounded by
// proxy_header_max_bytes). Anything else is invalid: UDP, AF_UNIX, a bad
// signature, a version other than 1 or 2, addresses that do not parse,
// ports out of range, a length that does not fit the family.
//
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d, as a dual-stack balancer
// reports IPv4 clients) come back as IPv4, as policy::ip_address stores
// them; a header whose source and destination then differ in family is
// invalid. Every check runs as soon as its bytes have arrived, so a stream
// that cannot become a valid header (e.g. a TLS ClientHello, first byte
// 0x16) is invalid at once rather than need_more.

#include "policy/address.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace sekisho::proto {

// The largest header accepted (v2: 16 fixed bytes + addresses + TLVs).
inline constexpr std::size_t proxy_header_max_bytes = 4096;
// A v1 line is at most this long, CRLF included (the specification's limit).
inline constexpr std::size_t proxy_v1_max_bytes = 107;

enum class proxy_parse
{
    need_more, // a valid beginning; read more bytes and call again
    done,      // `header` is filled; consume header.length bytes
    invalid,   // not a PROXY header, or a malformed one: close the connection
};

struct proxy_header
{
    int version = 0;    // 1 or 2
    bool local = false; // v2 LOCAL or v1 UNKNOWN or family UNSPEC: no addresses
                        // (a health check); keep the socket's own addresses
    std::optional<policy::ip_address> source;
    std::uint16_t source_port = 0;
    std::optional<policy::ip_address> destination;
    std::uint16_t destination_port = 0;
    std::size_t length = 0; // bytes the header takes at the start of the stream
};

struct proxy_result
{
    proxy_parse state = proxy_parse::need_more;
    proxy_header header; // meaningful when state == done
    std::string error;   // when state == invalid: what was wrong, for the log
};

// Parses the bytes received so far. Never reads past `bytes`, never throws.
proxy_result parse_proxy_header(std::span<const std::uint8_t> bytes);

} // namespace sekisho::proto
