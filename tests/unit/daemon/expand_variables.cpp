// expand_variables: ${VAR} and ${VAR:-default} in configuration paths.

#include "daemon/config/settings.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <string>

namespace cfg = sekisho::config;

namespace {

// Sets the variables the tests use and clears them afterwards.
struct environment
{
    environment()
    {
        ::setenv("SEKISHO_UT_DIR", "/srv/pki", 1);
        ::setenv("SEKISHO_UT_NAME", "server", 1);
        ::setenv("SEKISHO_UT_EMPTY", "", 1);
        ::unsetenv("SEKISHO_UT_UNSET");
    }
    ~environment()
    {
        ::unsetenv("SEKISHO_UT_DIR");
        ::unsetenv("SEKISHO_UT_NAME");
        ::unsetenv("SEKISHO_UT_EMPTY");
    }
    environment(const environment&) = delete;
    environment& operator=(const environment&) = delete;
};

std::string expanded(const std::string& text)
{
    std::string why;
    auto out = cfg::expand_variables(text, &why);
    BOOST_TEST_REQUIRE(out.has_value(), text << ": " << why);
    return *out;
}

std::string failure(const std::string& text)
{
    std::string why;
    auto out = cfg::expand_variables(text, &why);
    BOOST_TEST_REQUIRE(!out.has_value(), text << " expanded to " << out.value_or(""));
    return why;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(expand_variables, environment)

BOOST_AUTO_TEST_CASE(text_without_variables_is_unchanged)
{
    BOOST_TEST(expanded("") == "");
    BOOST_TEST(expanded("/etc/sekisho/pki/server.pem") == "/etc/sekisho/pki/server.pem");
    BOOST_TEST(expanded("$HOME/x") == "$HOME/x");
    BOOST_TEST(expanded("cost: $5 {x}") == "cost: $5 {x}");
}

BOOST_AUTO_TEST_CASE(set_variables)
{
    BOOST_TEST(expanded("${SEKISHO_UT_DIR}") == "/srv/pki");
    BOOST_TEST(expanded("${SEKISHO_UT_DIR}/${SEKISHO_UT_NAME}.pem") == "/srv/pki/server.pem");
    BOOST_TEST(expanded("a${SEKISHO_UT_NAME}b${SEKISHO_UT_NAME}c") == "aserverbserverc");
    // A set variable wins over its default.
    BOOST_TEST(expanded("${SEKISHO_UT_DIR:-/etc/sekisho/pki}/x") == "/srv/pki/x");
}

BOOST_AUTO_TEST_CASE(defaults)
{
    BOOST_TEST(expanded("${SEKISHO_UT_UNSET:-/etc/sekisho/pki}/server.pem") == "/etc/sekisho/pki/server.pem");
    BOOST_TEST(expanded("${SEKISHO_UT_UNSET:-}") == "");
    // As in the shell, ":-" also applies to a variable set to "".
    BOOST_TEST(expanded("${SEKISHO_UT_EMPTY:-fallback}") == "fallback");
}

BOOST_AUTO_TEST_CASE(unset_without_default_fails)
{
    const auto why = failure("${SEKISHO_UT_UNSET}/server.pem");
    BOOST_TEST(why.find("SEKISHO_UT_UNSET") != std::string::npos, why);
    BOOST_TEST(why.find("not set") != std::string::npos, why);
    // One unset variable fails the whole text.
    failure("${SEKISHO_UT_DIR}/${SEKISHO_UT_UNSET}");
}

BOOST_AUTO_TEST_CASE(unterminated_reference_fails)
{
    const auto why = failure("${SEKISHO_UT_DIR/server.pem");
    BOOST_TEST(why.find("unterminated") != std::string::npos, why);
}

BOOST_AUTO_TEST_SUITE_END()
