#pragma once
// The destination of a CONNECT request in authority form: "host:port" with a
// host name, an IPv4 literal, or an IPv6 literal in brackets.

#include "address.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sekisho::policy {

struct target
{
    enum class kind : std::uint8_t
    {
        name,
        ip
    };
    kind type = kind::name;
    std::string host;   // canonical name, or the address in canonical text
    ip_address address; // valid when type == kind::ip
    std::uint16_t port = 0;
};

// "host:port", with brackets around an IPv6 address ("[2001:db8::1]:443").
std::string authority_text(std::string_view host, bool ipv6, std::uint16_t port);
std::string to_string(const target& t);

// Parses authority-form; nullopt with *why set for anything else (missing or
// zero port, userinfo, path, percent-encoding, IPv6 without brackets, ...).
std::optional<target> parse_authority(std::string_view authority, std::string* why = nullptr);

} // namespace sekisho::policy
