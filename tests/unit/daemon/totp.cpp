// totp: Base32 (RFC 4648), HOTP (RFC 4226), TOTP (RFC 6238) with the RFCs'
// own test vectors, the acceptance window, code shapes and the otpauth URI.

#include "daemon/auth/totp.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace auth = sekisho::auth;

namespace {

// The ASCII secret both RFCs use for HMAC-SHA1.
std::vector<std::uint8_t> rfc_key()
{
    const std::string_view ascii = "12345678901234567890";
    return {ascii.begin(), ascii.end()};
}

std::vector<std::uint8_t> bytes(std::string_view text)
{
    return {text.begin(), text.end()};
}

std::chrono::system_clock::time_point at(std::int64_t unix_seconds)
{
    return std::chrono::system_clock::time_point{std::chrono::seconds{unix_seconds}};
}

// Zero-padded code for `counter`, as a client would show it.
std::string code_for(std::span<const std::uint8_t> key, std::int64_t counter, int digits)
{
    std::string code = std::to_string(auth::hotp(key, static_cast<std::uint64_t>(counter), digits));
    return std::string(static_cast<std::size_t>(digits) - code.size(), '0') + code;
}

// Boost.Test cannot print std::optional: a refused code shows as -1.
std::int64_t matched(std::optional<std::int64_t> step)
{
    return step.value_or(-1);
}

} // namespace

BOOST_AUTO_TEST_SUITE(totp)

BOOST_AUTO_TEST_CASE(base32_rfc4648_vectors)
{
    struct vector
    {
        std::string_view plain;
        std::string_view encoded;
        std::string_view padded;
    };
    const vector vectors[] = {
        {"", "", ""},
        {"f", "MY", "MY======"},
        {"fo", "MZXQ", "MZXQ===="},
        {"foo", "MZXW6", "MZXW6==="},
        {"foob", "MZXW6YQ", "MZXW6YQ="},
        {"fooba", "MZXW6YTB", "MZXW6YTB"},
        {"foobar", "MZXW6YTBOI", "MZXW6YTBOI======"},
    };
    for (const auto& v : vectors)
    {
        BOOST_TEST_CONTEXT("plain \"" << v.plain << '"')
        {
            BOOST_TEST(auth::base32_encode(bytes(v.plain)) == v.encoded);
            const auto decoded = auth::base32_decode(v.encoded);
            BOOST_TEST_REQUIRE(decoded.has_value());
            BOOST_TEST(*decoded == bytes(v.plain));
            const auto from_padded = auth::base32_decode(v.padded);
            BOOST_TEST_REQUIRE(from_padded.has_value());
            BOOST_TEST(*from_padded == bytes(v.plain));
        }
    }
}

BOOST_AUTO_TEST_CASE(base32_lower_case_and_spaces)
{
    // Authenticator apps and admins write secrets in groups of four.
    const auto decoded = auth::base32_decode("mzxw 6ytb oi== ");
    BOOST_TEST_REQUIRE(decoded.has_value());
    BOOST_TEST(*decoded == bytes("foobar"));
}

BOOST_AUTO_TEST_CASE(base32_rejects_other_characters)
{
    BOOST_TEST(!auth::base32_decode("MZXW6YTB0I").has_value()); // '0' is not in the alphabet
    BOOST_TEST(!auth::base32_decode("MZXW1").has_value());
    BOOST_TEST(!auth::base32_decode("MZ-XW").has_value());
    BOOST_TEST(!auth::base32_decode("MZ\tXW").has_value());
    BOOST_TEST(!auth::base32_decode("MY==MY").has_value()); // padding only at the end
    BOOST_TEST(!auth::base32_decode("\xe5\xb1\xb1").has_value());
}

BOOST_AUTO_TEST_CASE(base32_round_trip)
{
    std::vector<std::uint8_t> all(256);
    for (std::size_t i = 0; i < all.size(); ++i)
    {
        all[i] = static_cast<std::uint8_t>(255 - i);
    }
    for (std::size_t n = 0; n <= all.size(); n += 7)
    {
        const std::span<const std::uint8_t> prefix(all.data(), n);
        const auto decoded = auth::base32_decode(auth::base32_encode(prefix));
        BOOST_TEST_REQUIRE(decoded.has_value());
        BOOST_TEST(std::vector<std::uint8_t>(prefix.begin(), prefix.end()) == *decoded);
    }
    const auto key = auth::random_totp_key();
    BOOST_TEST(key.size() == 20U);
    BOOST_TEST(auth::base32_encode(key).size() == 32U);
    const auto key_back = auth::base32_decode(auth::base32_encode(key));
    BOOST_TEST_REQUIRE(key_back.has_value());
    BOOST_TEST(*key_back == key);
}

BOOST_AUTO_TEST_CASE(random_keys_differ)
{
    BOOST_TEST(auth::random_totp_key() != auth::random_totp_key());
}

BOOST_AUTO_TEST_CASE(hotp_rfc4226_appendix_d)
{
    const std::uint32_t expected[] = {
        755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489};
    const auto key = rfc_key();
    for (std::uint64_t counter = 0; counter < std::size(expected); ++counter)
    {
        BOOST_TEST(auth::hotp(key, counter, 6) == expected[counter], "counter " << counter);
    }
}

BOOST_AUTO_TEST_CASE(totp_rfc6238_appendix_b_sha1)
{
    struct vector
    {
        std::int64_t time;
        std::string_view code;
        std::int64_t step;
    };
    const vector vectors[] = {
        {59, "94287082", 0x1},
        {1111111109, "07081804", 0x23523EC},
        {1111111111, "14050471", 0x23523ED},
        {1234567890, "89005924", 0x273EF07},
        {2000000000, "69279037", 0x3F940AA},
    };
    const auto key = rfc_key();
    const auth::totp_params params{.step = std::chrono::seconds{30}, .digits = 8, .window = 0};
    for (const auto& v : vectors)
    {
        BOOST_TEST_CONTEXT("time " << v.time)
        {
            const auto step = auth::totp_match(key, v.code, at(v.time), params);
            BOOST_TEST_REQUIRE(step.has_value());
            BOOST_TEST(*step == v.step);
        }
    }
    // 20000000000 (year 2603) does not fit system_clock's nanoseconds: check
    // the HOTP value of its step (0x27BC86AA) directly.
    BOOST_TEST(auth::hotp(key, 20000000000ULL / 30, 8) == 65353130U);
}

BOOST_AUTO_TEST_CASE(window_one_accepts_neighbours_only)
{
    const auto key = rfc_key();
    const auth::totp_params params; // 30 s, 6 digits, window 1
    const std::int64_t now = 1111111111;
    const std::int64_t current = now / 30;

    BOOST_TEST(matched(auth::totp_match(key, code_for(key, current, 6), at(now), params)) == current);
    BOOST_TEST(matched(auth::totp_match(key, code_for(key, current - 1, 6), at(now), params)) == current - 1);
    BOOST_TEST(matched(auth::totp_match(key, code_for(key, current + 1, 6), at(now), params)) == current + 1);
    BOOST_TEST(!auth::totp_match(key, code_for(key, current - 2, 6), at(now), params).has_value());
    BOOST_TEST(!auth::totp_match(key, code_for(key, current + 2, 6), at(now), params).has_value());
}

BOOST_AUTO_TEST_CASE(window_zero_accepts_current_only)
{
    const auto key = rfc_key();
    const auth::totp_params params{.window = 0};
    const std::int64_t now = 1234567890;
    const std::int64_t current = now / 30;

    BOOST_TEST(matched(auth::totp_match(key, code_for(key, current, 6), at(now), params)) == current);
    BOOST_TEST(!auth::totp_match(key, code_for(key, current - 1, 6), at(now), params).has_value());
    BOOST_TEST(!auth::totp_match(key, code_for(key, current + 1, 6), at(now), params).has_value());
}

BOOST_AUTO_TEST_CASE(step_boundaries)
{
    // 1111111109 and 1111111111 straddle a step boundary (1111111110).
    const auto key = rfc_key();
    const auth::totp_params params{.window = 0};
    const std::string code = code_for(key, 0x23523ED, 6);
    BOOST_TEST(!auth::totp_match(key, code, at(1111111109), params).has_value());
    BOOST_TEST(matched(auth::totp_match(key, code, at(1111111110), params)) == 0x23523ED);
    BOOST_TEST(matched(auth::totp_match(key, code, at(1111111139), params)) == 0x23523ED);
    BOOST_TEST(!auth::totp_match(key, code, at(1111111140), params).has_value());
}

BOOST_AUTO_TEST_CASE(malformed_codes_are_refused)
{
    const auto key = rfc_key();
    const auth::totp_params params;
    const std::int64_t now = 1111111111;
    const std::string good = code_for(key, now / 30, 6);
    BOOST_TEST_REQUIRE(auth::totp_match(key, good, at(now), params).has_value());

    BOOST_TEST(!auth::totp_match(key, good.substr(0, 5), at(now), params).has_value()); // 5 digits
    BOOST_TEST(!auth::totp_match(key, good + "0", at(now), params).has_value());        // 7 digits
    BOOST_TEST(!auth::totp_match(key, "12a456", at(now), params).has_value());
    BOOST_TEST(!auth::totp_match(key, "abcdef", at(now), params).has_value());
    BOOST_TEST(!auth::totp_match(key, " " + good.substr(1), at(now), params).has_value());
    BOOST_TEST(!auth::totp_match(key, "", at(now), params).has_value());
    // 8 digits where 6 are configured: the RFC 6238 code itself is refused.
    BOOST_TEST(!auth::totp_match(key, "14050471", at(now), params).has_value());
}

BOOST_AUTO_TEST_CASE(params_out_of_range_are_refused)
{
    const auto key = rfc_key();
    const std::int64_t now = 1111111111;
    const std::string code = code_for(key, now / 30, 6);
    BOOST_TEST(!auth::totp_match(key, code, at(now), {.step = std::chrono::seconds{0}}).has_value());
    BOOST_TEST(!auth::totp_match(key, code, at(now), {.window = -1}).has_value());
    BOOST_TEST(!auth::totp_match(key, code, at(now), {.window = 11}).has_value());
    BOOST_TEST(!auth::totp_match(key, "12345", at(now), {.digits = 5}).has_value());
}

BOOST_AUTO_TEST_CASE(before_the_epoch_never_matches_negative_steps)
{
    const auto key = rfc_key();
    // Step 0 is within the window of step -1; steps below 0 are never tried.
    BOOST_TEST(matched(auth::totp_match(key, code_for(key, 0, 6), at(-1), {})) == 0);
    BOOST_TEST(!auth::totp_match(key, code_for(key, 0, 6), at(-61), {}).has_value());
}

BOOST_AUTO_TEST_CASE(uri_with_japanese_account)
{
    const auto key = bytes("foobar");
    const std::string uri = auth::totp_uri("Sekisho", "山田太郎@city.example.jp", key, {});
    BOOST_TEST(uri == "otpauth://totp/Sekisho:%E5%B1%B1%E7%94%B0%E5%A4%AA%E9%83%8E%40city.example.jp"
                      "?secret=MZXW6YTBOI&issuer=Sekisho&algorithm=SHA1&digits=6&period=30");
}

BOOST_AUTO_TEST_CASE(uri_encodes_issuer_and_params)
{
    const auto key = bytes("foobar");
    const std::string uri =
        auth::totp_uri("札幌市 テレワーク", "a:b", key, {.step = std::chrono::seconds{60}, .digits = 8});
    const std::string issuer = "%E6%9C%AD%E5%B9%8C%E5%B8%82%20%E3%83%86%E3%83%AC%E3%83%AF%E3%83%BC%E3%82%AF";
    BOOST_TEST(uri == "otpauth://totp/" + issuer + ":a%3Ab?secret=MZXW6YTBOI&issuer=" + issuer +
                          "&algorithm=SHA1&digits=8&period=60");
    BOOST_TEST(auth::totp_uri("", "alice", key, {}) ==
               "otpauth://totp/alice?secret=MZXW6YTBOI&algorithm=SHA1&digits=6&period=30");
}

BOOST_AUTO_TEST_SUITE_END()
