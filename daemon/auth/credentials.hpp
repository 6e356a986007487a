#pragma once
// The proxy login: `Proxy-Authorization: Basic base64(user:password<code>)`,
// the TOTP code appended to the password because HTTP proxy clients only
// know user and password. Parsing only; checking is the caller's job.

#include <optional>
#include <string>
#include <string_view>

namespace sekisho::auth {

struct proxy_credentials
{
    std::string user;
    std::string password;
    std::string code;
};

// Limits on what parse_proxy_authorization() accepts.
inline constexpr std::size_t max_header_value_bytes = 4096;
inline constexpr std::size_t max_user_bytes = 64;
inline constexpr std::size_t max_password_bytes = 1024;

// `header_value` is the Proxy-Authorization field value: "Basic" (any case),
// one space, standard padded base64 and nothing after it. The decoded text is
// split at the first ':'; the last `digits` characters of the rest are the
// code (ASCII digits), what precedes them the password (not empty). nullopt
// on any violation, on control characters (< 0x20, 0x7f) in user or password,
// and on values over the limits above. Decoded bytes are wiped before return.
std::optional<proxy_credentials> parse_proxy_authorization(std::string_view header_value, int digits);

// The other direction, for sekisho as a proxy client (egress proxies) and
// for tests: "Basic " + standard padded base64 of `decoded` ("user:password").
std::string basic_authorization(std::string_view decoded);

// Constant time for equal lengths (sodium_memcmp); false when lengths differ.
bool constant_time_equal(std::string_view a, std::string_view b);

} // namespace sekisho::auth
