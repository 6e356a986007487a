// credentials: the Proxy-Authorization Basic value carrying user, password
// and TOTP code, and the constant-time comparison.

#include "daemon/auth/credentials.hpp"

#include <boost/test/unit_test.hpp>

#include <sodium.h>

#include <string>
#include <string_view>

namespace auth = sekisho::auth;

namespace {

// "Basic " + standard padded base64 of `decoded` (checked against a known
// value in basic_authorization_encodes below).
std::string basic(std::string_view decoded)
{
    return auth::basic_authorization(decoded);
}

} // namespace

BOOST_AUTO_TEST_SUITE(credentials)

BOOST_AUTO_TEST_CASE(basic_authorization_encodes)
{
    // RFC 7617 section 2's example.
    BOOST_TEST(auth::basic_authorization("Aladdin:open sesame") == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    BOOST_TEST(auth::basic_authorization("") == "Basic ");
}

BOOST_AUTO_TEST_CASE(valid_value)
{
    // base64("alice:correct horse123456"), written out once by hand.
    const auto parsed = auth::parse_proxy_authorization("Basic YWxpY2U6Y29ycmVjdCBob3JzZTEyMzQ1Ng==", 6);
    BOOST_TEST_REQUIRE(parsed.has_value());
    BOOST_TEST(parsed->user == "alice");
    BOOST_TEST(parsed->password == "correct horse");
    BOOST_TEST(parsed->code == "123456");
    BOOST_TEST(basic("alice:correct horse123456") == "Basic YWxpY2U6Y29ycmVjdCBob3JzZTEyMzQ1Ng==");
}

BOOST_AUTO_TEST_CASE(scheme_is_case_insensitive)
{
    for (const std::string_view scheme : {"basic", "BASIC", "bAsIc"})
    {
        const std::string value = std::string(scheme) + basic("bob:pw654321").substr(5);
        const auto parsed = auth::parse_proxy_authorization(value, 6);
        BOOST_TEST_REQUIRE(parsed.has_value(), scheme);
        BOOST_TEST(parsed->user == "bob");
        BOOST_TEST(parsed->password == "pw");
        BOOST_TEST(parsed->code == "654321");
    }
}

BOOST_AUTO_TEST_CASE(only_the_first_colon_splits)
{
    // base64("山田:パスワード:x654321"): UTF-8 names, a ':' in the password.
    const auto parsed = auth::parse_proxy_authorization("Basic 5bGx55SwOuODkeOCueODr+ODvOODiTp4NjU0MzIx", 6);
    BOOST_TEST_REQUIRE(parsed.has_value());
    BOOST_TEST(parsed->user == "山田");
    BOOST_TEST(parsed->password == "パスワード:x");
    BOOST_TEST(parsed->code == "654321");

    const auto colons = auth::parse_proxy_authorization(basic("u:::12345678"), 8);
    BOOST_TEST_REQUIRE(colons.has_value());
    BOOST_TEST(colons->user == "u");
    BOOST_TEST(colons->password == "::");
    BOOST_TEST(colons->code == "12345678");
}

BOOST_AUTO_TEST_CASE(code_length_follows_digits)
{
    const auto six = auth::parse_proxy_authorization(basic("carol:pass12345678"), 6);
    BOOST_TEST_REQUIRE(six.has_value());
    BOOST_TEST(six->password == "pass12");
    BOOST_TEST(six->code == "345678");
    const auto eight = auth::parse_proxy_authorization(basic("carol:pass12345678"), 8);
    BOOST_TEST_REQUIRE(eight.has_value());
    BOOST_TEST(eight->password == "pass");
    BOOST_TEST(eight->code == "12345678");
    BOOST_TEST(!auth::parse_proxy_authorization(basic("carol:pass12345678"), 0).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization(basic("carol:pass12345678"), -1).has_value());
}

BOOST_AUTO_TEST_CASE(missing_or_bad_code)
{
    BOOST_TEST(!auth::parse_proxy_authorization(basic("alice:password"), 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization(basic("alice:password12345"), 6).has_value()); // "d12345"
    BOOST_TEST(!auth::parse_proxy_authorization(basic("alice:password12a456"), 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization(basic("alice:password 12345"), 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization(basic("alice:12345"), 6).has_value());
}

BOOST_AUTO_TEST_CASE(empty_parts)
{
    BOOST_TEST(!auth::parse_proxy_authorization(basic("alice:123456"), 6).has_value()); // no password
    BOOST_TEST(!auth::parse_proxy_authorization(basic(":pw123456"), 6).has_value());    // no user
    BOOST_TEST(!auth::parse_proxy_authorization(basic("alice:"), 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization(basic(":"), 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization(basic(""), 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization(basic("alicepw123456"), 6).has_value()); // no colon
}

BOOST_AUTO_TEST_CASE(malformed_header)
{
    const std::string good = basic("alice:pw123456");
    BOOST_TEST_REQUIRE(auth::parse_proxy_authorization(good, 6).has_value());

    BOOST_TEST(!auth::parse_proxy_authorization("", 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization("Basic", 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization("Basic ", 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization("Bearer " + good.substr(6), 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization("Basic  " + good.substr(6), 6).has_value()); // two spaces
    BOOST_TEST(!auth::parse_proxy_authorization("Basic\t" + good.substr(6), 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization("Basi " + good.substr(6), 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization(good.substr(6), 6).has_value()); // no scheme
}

BOOST_AUTO_TEST_CASE(bad_base64)
{
    const std::string good = basic("alice:pw123456"); // "Basic YWxpY2U6cHcxMjM0NTY="
    BOOST_TEST_REQUIRE(good == "Basic YWxpY2U6cHcxMjM0NTY=");
    BOOST_TEST(!auth::parse_proxy_authorization(good + " ", 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization(good + "x", 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization(good + "=", 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization(good + "\r\n", 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization("Basic YWxpY2U6cHcxMjM0NTY", 6).has_value()); // no padding
    BOOST_TEST(!auth::parse_proxy_authorization("Basic YWxpY2U6cHc*MjM0NTY=", 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization("Basic YWxpY2U6cHcxMjM0NTY-", 6).has_value()); // URL-safe
    BOOST_TEST(!auth::parse_proxy_authorization("Basic YWxp Y2U6cHcxMjM0NTY=", 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization("Basic =", 6).has_value());
}

BOOST_AUTO_TEST_CASE(control_characters)
{
    BOOST_TEST(!auth::parse_proxy_authorization(basic("ali\nce:pw123456"), 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization(basic("alice\x7f:pw123456"), 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization(basic("alice:p\rw123456"), 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization(basic("alice:pw\t123456"), 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization(basic(std::string("alice:p\0w123456", 15)), 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization(basic(std::string("a\0lice:pw123456", 15)), 6).has_value());
    // Spaces and UTF-8 are not control characters.
    BOOST_TEST(auth::parse_proxy_authorization(basic("yamada taro:ぱ す123456"), 6).has_value());
}

BOOST_AUTO_TEST_CASE(length_limits)
{
    const std::string user64(64, 'u');
    const std::string password1024(1024, 'p');
    BOOST_TEST(auth::parse_proxy_authorization(basic(user64 + ":" + password1024 + "123456"), 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization(basic(user64 + "u:pw123456"), 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization(basic("alice:" + password1024 + "p123456"), 6).has_value());

    // The header value itself: 4096 bytes at most, before any decoding.
    const std::string value = basic("alice:pw123456");
    BOOST_TEST(
        !auth::parse_proxy_authorization(value + std::string(4097 - value.size(), 'A'), 6).has_value());
    BOOST_TEST(!auth::parse_proxy_authorization("Basic " + std::string(8192, 'A'), 6).has_value());
    // Values within all limits are far shorter than the header cap.
    const std::string long_ok = basic("alice:" + std::string(1000, 'p') + "123456");
    BOOST_TEST(long_ok.size() < 4096U);
    BOOST_TEST(auth::parse_proxy_authorization(long_ok, 6).has_value());
}

BOOST_AUTO_TEST_CASE(constant_time_equal)
{
    BOOST_TEST(auth::constant_time_equal("", ""));
    BOOST_TEST(auth::constant_time_equal("123456", "123456"));
    BOOST_TEST(!auth::constant_time_equal("123456", "123457"));
    BOOST_TEST(!auth::constant_time_equal("123456", "12345"));
    BOOST_TEST(!auth::constant_time_equal("", "a"));
    BOOST_TEST(auth::constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
    BOOST_TEST(!auth::constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

BOOST_AUTO_TEST_SUITE_END()
