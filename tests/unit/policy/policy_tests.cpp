// Policy tests (the `tests:` section): parsed with line numbers, run at
// compile, and any failure rejects the policy with a message at its line.

#include "policy/decide.hpp"
#include "policy/load.hpp"

#include <boost/test/unit_test.hpp>

using namespace sekisho::policy;

namespace {

const std::string base = "version: 1\n"
                         "model: alpha\n"
                         "zones:\n"
                         "  mynumber: {cidrs: [10.10.0.0/16], domains: [mynumber.example]}\n"
                         "  lgwan: {cidrs: [10.20.0.0/16], domains: [lgwan.example]}\n"
                         "  internet: {cidrs: [], domains: []}\n"
                         "services:\n"
                         "  - {id: groupware, domains: [groupware.example.jp], ports: [443], data_class: 2,\n"
                         "     certification: {scheme: ismap, number: T-0001, valid_until: 2099-12-31}}\n"
                         "# (two lines, so that the tests still start on line 19)\n"
                         "#\n"
                         "roles:\n"
                         "  - {id: staff, layers: [internet], services: [groupware], data_class: 2}\n"
                         "users:\n"
                         "  - {id: tanaka, roles: [staff]}\n"
                         "devices:\n"
                         "  - {id: pc-1, owner: tanaka, kind: lent, status: active, serial: \"01\"}\n"
                         "tests:\n"; // line 18; tests start on line 19

struct outcome
{
    std::shared_ptr<const snapshot> snap;
    diagnostics diags;
};

outcome compile_with_tests(const std::string& tests)
{
    outcome o;
    auto loaded = load_policy_text(base + tests, "p.yaml");
    o.diags = loaded.diags;
    if (!loaded.diags.has_errors())
    {
        o.snap = compile(*loaded.document, {}, o.diags);
    }
    return o;
}

// A test entry asked by tanaka on pc-1 with both factors (7 lines + extra).
std::string test_entry(const std::string& target, const std::string& expect, const std::string& extra = {})
{
    return "  - name: t\n    user: tanaka\n    device: pc-1\n    mfa: true\n    layer: internet\n"
           "    target: " +
           target + "\n    expect: " + expect + "\n" + extra;
}

} // namespace

BOOST_AUTO_TEST_SUITE(policy_tests)

// Passing tests leave the policy accepted, and count.
BOOST_AUTO_TEST_CASE(passing_tests_accept_the_policy)
{
    auto o =
        compile_with_tests(test_entry("groupware.example.jp:443", "allow", "    rule: service:groupware\n") +
                           test_entry("juki.mynumber.example:443", "deny", "    reason: mynumber_zone\n"));
    BOOST_TEST_REQUIRE(o.snap != nullptr, o.diags.to_string());
    diagnostics again;
    BOOST_TEST(run_policy_tests(*o.snap, again) == 2U);
    BOOST_TEST(!again.has_errors());
}

// A failing test rejects the policy, at the test's own line.
BOOST_AUTO_TEST_CASE(a_failing_test_rejects_the_policy_at_its_line)
{
    auto o = compile_with_tests(test_entry("groupware.example.jp:443", "allow") +
                                test_entry("groupware.example.jp:8443", "allow"));
    BOOST_TEST(o.snap == nullptr);
    BOOST_TEST_REQUIRE(o.diags.items().size() == 1U, o.diags.to_string());
    const auto& d = o.diags.items()[0];
    BOOST_TEST(d.where.line == 26);
    BOOST_TEST(d.message ==
               "policy test `t` failed: expected allow, got deny (port_not_allowed) by service:groupware");
}

// With `resolves`, every address is vetted as at run time: a catalogued name
// answering with a My Number address is denied.
BOOST_AUTO_TEST_CASE(resolves_is_vetted_like_dns)
{
    auto allowed =
        compile_with_tests(test_entry("groupware.example.jp:443", "allow", "    resolves: [133.242.0.5]\n"));
    BOOST_TEST(allowed.snap != nullptr, allowed.diags.to_string());
    auto rebinding = compile_with_tests(test_entry(
        "groupware.example.jp:443", "deny", "    resolves: [10.10.0.5]\n    reason: mynumber_zone\n"));
    BOOST_TEST(rebinding.snap != nullptr, rebinding.diags.to_string());
    auto wrong =
        compile_with_tests(test_entry("groupware.example.jp:443", "allow", "    resolves: [10.10.0.5]\n"));
    BOOST_TEST(wrong.snap == nullptr);
}

// `at` takes RFC 3339 with an offset or Z, minutes or seconds; nothing else.
BOOST_AUTO_TEST_CASE(at_accepts_rfc3339_with_offset_only)
{
    for (const std::string at :
         {"2027-04-01T09:00+09:00", "2027-04-01T00:00:30Z", "2026-12-31T23:59:59-05:30"})
    {
        auto o = compile_with_tests(test_entry("groupware.example.jp:443", "allow", "    at: " + at + "\n"));
        BOOST_TEST(o.snap != nullptr, at << ": " << o.diags.to_string());
    }
    for (const std::string at : {"2027-04-01 09:00+09:00",
                                 "2027-04-01T09:00",
                                 "2027-13-01T09:00Z",
                                 "tomorrow",
                                 "2027-04-01T09:00+9:00",
                                 "2027-04-01T25:00Z"})
    {
        auto o =
            compile_with_tests(test_entry("groupware.example.jp:443", "allow", "    at: \"" + at + "\"\n"));
        BOOST_TEST(o.snap == nullptr, at);
        BOOST_TEST(o.diags.to_string().find(".at is not a time") != std::string::npos,
                   at << ": " << o.diags.to_string());
    }
}

// Malformed entries are load errors, not silently skipped tests.
BOOST_AUTO_TEST_CASE(malformed_entries_are_errors)
{
    const std::pair<std::string, std::string> cases[] = {
        {test_entry("groupware.example.jp", "allow"), "tests[0].target"},
        {test_entry("groupware.example.jp:443", "maybe"), "tests[0].expect must be `allow` or `deny`"},
        {test_entry("groupware.example.jp:443", "deny", "    reason: blocked\n"), "is not a reason code"},
        {test_entry("groupware.example.jp:443", "deny", "    resolves: [not-an-ip]\n"),
         "is not an IP address"},
        {"  - name: t\n    layer: mynumber\n    target: a.example:1\n    expect: deny\n",
         "is not a telework layer"},
        {"  - name: t\n    target: a.example:1\n    expect: deny\n", "missing the required key `layer`"},
    };
    for (const auto& [entry, message] : cases)
    {
        auto o = compile_with_tests(entry);
        BOOST_TEST(o.snap == nullptr, message);
        BOOST_TEST(o.diags.to_string().find(message) != std::string::npos,
                   message << ": " << o.diags.to_string());
    }
}

BOOST_AUTO_TEST_SUITE_END()
