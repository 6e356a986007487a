#pragma once
// The loadgen's side of sign-in (issue #4): `Proxy-Authorization: Basic
// base64(user:password<TOTP code>)`, the code computed here with HMAC-SHA1 per RFC 6238.
// Written afresh on OpenSSL rather than taken from daemon/auth/, like the rest of the
// generator: a bug in the daemon's TOTP cannot hide behind the same bug in its load.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gw::bench {

// The daemon's default TOTP settings (auth.totp in sekisho.yaml): 30 s steps, 6 digits.
inline constexpr std::int64_t totp_step_seconds = 30;
inline constexpr int totp_digits = 6;

// RFC 4648 base32, case-insensitive; spaces and trailing '=' ignored. nullopt on any other
// character or when nothing is left.
std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text);

// RFC 4226 HOTP, HMAC-SHA1, `digits` decimal digits with leading zeros; empty if HMAC fails.
std::string hotp_code(std::span<const std::uint8_t> key, std::uint64_t counter, int digits);

// RFC 6238 TOTP at `now` with the defaults above.
std::string totp_code(std::span<const std::uint8_t> key, std::chrono::system_clock::time_point now);

// "Basic " + base64(user_password + code): the Proxy-Authorization value. user_password is
// "USER:PASSWORD"; code may be empty (then the password goes alone).
std::string basic_authorization(std::string_view user_password, std::string_view code);

} // namespace gw::bench
