// Host names: normalisation of request names, the strict check of names in
// policy files (with a suggested spelling), domain patterns and suffixes.

#include "policy/hostname.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace bdata = boost::unit_test::data;
namespace sp = sekisho::policy;

namespace {

std::string normalized(const std::string& raw)
{
    return sp::normalize_hostname(raw).value_or("<rejected>");
}

std::string label(std::size_t n)
{
    return std::string(n, 'a');
}

// A name of exactly n characters made of 63-character labels and a tail.
std::string name_of_length(std::size_t n)
{
    std::string out;
    while (out.size() + 64 < n)
    {
        out += label(63) + ".";
    }
    out += label(n - out.size());
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(hostname)

// Case folds to lower case and one trailing dot is dropped.
BOOST_AUTO_TEST_CASE(normalisation)
{
    BOOST_TEST(normalized("example.jp") == "example.jp");
    BOOST_TEST(normalized("Example.JP") == "example.jp");
    BOOST_TEST(normalized("WWW.City.Example.LG.JP.") == "www.city.example.lg.jp");
    BOOST_TEST(normalized("xn--eckwd4c7c.jp") == "xn--eckwd4c7c.jp");
    BOOST_TEST(normalized("a-b.c-d.jp") == "a-b.c-d.jp");
    BOOST_TEST(normalized("localhost") == "localhost");
    BOOST_TEST(normalized("1.example.jp") == "1.example.jp");
    BOOST_TEST(normalized("example.jp1") == "example.jp1");
}

BOOST_AUTO_TEST_CASE(length_limits)
{
    BOOST_TEST(normalized(label(63) + ".jp") == label(63) + ".jp");
    BOOST_TEST(normalized(label(64) + ".jp") == "<rejected>");
    const auto longest = name_of_length(253);
    BOOST_TEST_REQUIRE(longest.size() == 253U);
    BOOST_TEST(normalized(longest) == longest);
    BOOST_TEST(normalized(longest + ".") == longest);
    const auto too_long = name_of_length(254);
    BOOST_TEST_REQUIRE(too_long.size() == 254U);
    BOOST_TEST(normalized(too_long) == "<rejected>");
}

BOOST_DATA_TEST_CASE(rejections,
                     bdata::make({"",
                                  ".",
                                  "..",
                                  "a..b",
                                  ".example.jp",
                                  "example.jp..",
                                  "exa mple.jp",
                                  "_dmarc.example.jp",
                                  "under_score.jp",
                                  "-lead.example.jp",
                                  "trail-.example.jp",
                                  "example.-jp",
                                  "例え.jp",
                                  "caf\xc3\xa9.example",
                                  "\xff.example",
                                  "example.jp/x",
                                  "example.jp:443",
                                  "user@example.jp",
                                  "ex%41mple.jp",
                                  "*.example.jp",
                                  "127.1",
                                  "10.0.0.1",
                                  "example.123",
                                  "0x7f.0.0.1"}),
                     raw)
{
    BOOST_TEST(!sp::normalize_hostname(raw).has_value());
}

// Policy names must already be canonical; the fix is offered.
BOOST_AUTO_TEST_CASE(check_policy_hostname_suggestions)
{
    BOOST_TEST(!sp::check_policy_hostname("example.jp").has_value());

    auto upper = sp::check_policy_hostname("Example.JP");
    BOOST_TEST_REQUIRE(upper.has_value());
    BOOST_TEST(upper->suggestion == "write `example.jp`");
    BOOST_TEST(upper->message.find("canonical") != std::string::npos, upper->message);

    auto dotted = sp::check_policy_hostname("example.jp.");
    BOOST_TEST_REQUIRE(dotted.has_value());
    BOOST_TEST(dotted->suggestion == "write `example.jp`");

    auto idn = sp::check_policy_hostname("例え.jp");
    BOOST_TEST_REQUIRE(idn.has_value());
    BOOST_TEST(idn->message.find("non-ASCII") != std::string::npos);
    BOOST_TEST(idn->suggestion.find("xn--") != std::string::npos);

    // Broken names get the problem but no spelling to copy.
    for (const char* bad : {"a..b", "_x.example.jp", "-a.jp", "example.123", ""})
    {
        BOOST_TEST_CONTEXT(bad)
        {
            auto e = sp::check_policy_hostname(bad);
            BOOST_TEST_REQUIRE(e.has_value());
            BOOST_TEST(!e->message.empty());
            BOOST_TEST(e->suggestion.empty());
        }
    }
}

BOOST_AUTO_TEST_CASE(domain_pattern_exact)
{
    auto p = sp::domain_pattern::parse("files.example.jp");
    BOOST_TEST_REQUIRE(p.has_value());
    BOOST_TEST(!p->is_wildcard());
    BOOST_TEST(p->base() == "files.example.jp");
    BOOST_TEST(p->to_string() == "files.example.jp");
    BOOST_TEST(p->matches("files.example.jp"));
    BOOST_TEST(!p->matches("a.files.example.jp"));
    BOOST_TEST(!p->matches("example.jp"));
    BOOST_TEST(!p->matches("xfiles.example.jp"));
}

// "*.suffix" matches names strictly below the suffix, on a label boundary.
BOOST_AUTO_TEST_CASE(domain_pattern_wildcard)
{
    auto p = sp::domain_pattern::parse("*.example.jp");
    BOOST_TEST_REQUIRE(p.has_value());
    BOOST_TEST(p->is_wildcard());
    BOOST_TEST(p->base() == "example.jp");
    BOOST_TEST(p->to_string() == "*.example.jp");
    BOOST_TEST(p->matches("a.example.jp"));
    BOOST_TEST(p->matches("a.b.example.jp"));
    BOOST_TEST(!p->matches("example.jp"));
    BOOST_TEST(!p->matches("xexample.jp"));
    BOOST_TEST(!p->matches("a.example.jp.evil.jp"));
    BOOST_TEST(!p->matches("jp"));
}

BOOST_DATA_TEST_CASE(domain_pattern_rejections,
                     bdata::make({"*",
                                  "*.",
                                  "a.*.b",
                                  "*.*.example.jp",
                                  "**.example.jp",
                                  "*example.jp",
                                  "ex*ample.jp",
                                  "example.*",
                                  "*..jp",
                                  "",
                                  "_x.example.jp",
                                  "*.例え.jp"}),
                     written)
{
    sp::name_error why;
    BOOST_TEST(!sp::domain_pattern::parse(written, &why).has_value());
    BOOST_TEST(!why.message.empty());
}

// The suggestion keeps the wildcard.
BOOST_AUTO_TEST_CASE(domain_pattern_suggestions)
{
    sp::name_error why;
    BOOST_TEST(!sp::domain_pattern::parse("*.Example.JP", &why).has_value());
    BOOST_TEST(why.suggestion == "write `*.example.jp`");

    why = {};
    BOOST_TEST(!sp::domain_pattern::parse("*.example.jp.", &why).has_value());
    BOOST_TEST(why.suggestion == "write `*.example.jp`");

    why = {};
    BOOST_TEST(!sp::domain_pattern::parse("Files.Example.jp", &why).has_value());
    BOOST_TEST(why.suggestion == "write `files.example.jp`");

    why = {};
    BOOST_TEST(!sp::domain_pattern::parse("*", &why).has_value());
    BOOST_TEST(why.message.find("bare") != std::string::npos, why.message);
}

BOOST_AUTO_TEST_CASE(name_in_domain_label_boundaries)
{
    BOOST_TEST(sp::name_in_domain("lg.jp", "lg.jp"));
    BOOST_TEST(sp::name_in_domain("city.lg.jp", "lg.jp"));
    BOOST_TEST(sp::name_in_domain("a.b.city.lg.jp", "lg.jp"));
    BOOST_TEST(!sp::name_in_domain("xlg.jp", "lg.jp"));
    BOOST_TEST(!sp::name_in_domain("lg.jp", "city.lg.jp"));
    BOOST_TEST(!sp::name_in_domain("g.jp", "lg.jp"));
    BOOST_TEST(!sp::name_in_domain("lg.jp.evil.jp", "lg.jp"));
    BOOST_TEST(!sp::name_in_domain("lg.jpx", "lg.jp"));
    BOOST_TEST(!sp::name_in_domain("", "lg.jp"));
}

BOOST_AUTO_TEST_SUITE_END()
