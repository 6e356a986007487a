#pragma once
// One-time passwords for the second factor: HOTP (RFC 4226) and TOTP
// (RFC 6238) with HMAC-SHA1, the Base32 secrets authenticator apps use
// (RFC 4648) and the otpauth:// enrolment URI. Pure functions: the clock is
// a parameter.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::auth {

// RFC 4648 alphabet, case-insensitive. Spaces anywhere and '=' padding at the
// end are ignored; any other character gives nullopt. Bits left over after the
// last whole byte are dropped, as authenticator apps do.
std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text);

// Upper-case, without '=' padding.
std::string base32_encode(std::span<const std::uint8_t> bytes);

struct totp_params
{
    std::chrono::seconds step{30};
    int digits = 6;
    // Steps accepted either side of the current one (clock drift).
    int window = 1;
};

// Limits totp_match() accepts for totp_params::digits and ::window.
inline constexpr int min_digits = 6;
inline constexpr int max_digits = 9;
inline constexpr int max_window = 10;

// hotp() never returns a valid code as this: it means HMAC failed.
inline constexpr std::uint32_t hotp_error = 0xffffffffU;

// The RFC 4226 value, modulo 10^digits (digits is clamped to 1..9).
std::uint32_t hotp(std::span<const std::uint8_t> key, std::uint64_t counter, int digits);

// The time step (unix seconds / step) whose code equals `code`, searched within
// ±window steps of `now`; nullopt if none does or if `code` is not exactly
// `digits` ASCII digits (or the params are out of range). All 2*window+1
// candidates are computed and compared in constant time; when several match,
// the one nearest to now wins (earlier before later). Callers store the result
// and refuse any later login whose step is not greater (replay protection).
std::optional<std::int64_t> totp_match(std::span<const std::uint8_t> key,
                                       std::string_view code,
                                       std::chrono::system_clock::time_point now,
                                       const totp_params& params);

// otpauth://totp/<issuer>:<account>?secret=<BASE32>&issuer=<issuer>&algorithm=SHA1&digits=<d>&period=<s>
// issuer and account are percent-encoded (RFC 3986 unreserved characters kept,
// so UTF-8 names become %XX bytes). An empty issuer leaves out the prefix and
// the issuer parameter.
std::string totp_uri(std::string_view issuer,
                     std::string_view account,
                     std::span<const std::uint8_t> key,
                     const totp_params& params);

// 20 random bytes (the HMAC-SHA1 block-friendly size RFC 4226 recommends);
// empty if libsodium could not be initialised.
std::vector<std::uint8_t> random_totp_key();

} // namespace sekisho::auth
