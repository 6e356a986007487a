// sekishoctl policy check | test | explain, run as an operator would: on the
// shipped example policy and on a copy whose test fails.

#include "harness/checks.hpp"

using namespace sekisho::test;

namespace {

const std::string example = std::string(SEKISHO_SOURCE_DIR) + "/config/policy.yaml";

run_result ctl(const std::vector<std::string>& args)
{
    static temp_dir d;
    std::vector<std::string> argv = {SEKISHOCTL_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, d, std::chrono::seconds(20));
}

} // namespace

BOOST_AUTO_TEST_SUITE(sekishoctl)

BOOST_AUTO_TEST_CASE(check_passes_the_shipped_example_with_its_tests)
{
    auto r = ctl({"policy", "check", example});
    BOOST_TEST(r.exit_code == 0, r.out + r.err);
    BOOST_TEST(r.out.find(": OK (") != std::string::npos, r.out);
    BOOST_TEST(r.out.find("7 test(s) passed") != std::string::npos, r.out);
    auto j = ctl({"policy", "check", example, "--json"});
    auto o = boost::json::parse(j.out).as_object();
    BOOST_TEST(o.at("ok").as_bool());
    BOOST_TEST(o.at("tests").as_array().size() == 7U);
}

BOOST_AUTO_TEST_CASE(a_failing_policy_test_fails_check_and_test_with_its_line)
{
    temp_dir d;
    auto text = read_file(example);
    const std::string from = "    expect: deny\n    reason: layer_mismatch";
    const auto pos = text.find(from);
    BOOST_REQUIRE(pos != std::string::npos);
    text.replace(pos, from.size(), "    expect: allow");
    write_file(d.file("policy.yaml"), text);
    auto r = ctl({"policy", "test", d.file("policy.yaml")});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.out.find("PASS  the groupware is reachable") != std::string::npos, r.out);
    BOOST_TEST(r.out.find("FAIL  internet services are not reachable from the LGWAN listener") !=
                   std::string::npos,
               r.out);
    BOOST_TEST(r.out.find("NOT OK (0 error(s), 1 failed test(s))") != std::string::npos, r.out);
}

BOOST_AUTO_TEST_CASE(explain_answers_why_was_i_blocked)
{
    auto r =
        ctl({"policy", "explain", example, "--layer", "internet", "--target", "juki.mynumber.example:8080"});
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(r.out.find("answer      403 deny: reason mynumber_zone, rule invariant:mynumber") !=
                   std::string::npos,
               r.out);
    BOOST_TEST(r.out.find("My Number layer") != std::string::npos);
    // A catalogued name that DNS points into the My Number layer.
    auto j = ctl({"policy",
                  "explain",
                  example,
                  "--layer",
                  "internet",
                  "--target",
                  "rebind.cloud.example:8080",
                  "--resolves",
                  "127.0.20.1",
                  "--json"});
    auto o = boost::json::parse(j.out).as_object();
    BOOST_TEST(str(o, "result") == "deny");
    BOOST_TEST(str(o, "reason") == "mynumber_zone");
    BOOST_TEST(str(o, "service") == "rebind-test");
    // An allowed service, with its rule.
    auto ok = ctl({"policy",
                   "explain",
                   example,
                   "--layer",
                   "internet",
                   "--target",
                   "files.cloud.example:8080",
                   "--json"});
    auto a = boost::json::parse(ok.out).as_object();
    BOOST_TEST(str(a, "result") == "allow");
    BOOST_TEST(str(a, "rule") == "service:groupware");
}

BOOST_AUTO_TEST_CASE(diff_lists_the_decisions_a_change_flips)
{
    temp_dir d;
    auto text = read_file(example);
    // Withdraw files.cloud.example (keep the wildcard), drop the tests, add a service.
    const std::string from = "domains: [files.cloud.example, \"*.files.cloud.example\"]";
    const auto pos = text.find(from);
    BOOST_REQUIRE(pos != std::string::npos);
    text.replace(pos, from.size(), "domains: [\"*.files.cloud.example\"]");
    text.erase(text.find("\ntests:"));
    text += "\n  - id: mail\n    domains: [mail.cloud.example]\n    ports: [443]\n";
    write_file(d.file("new.yaml"), text);
    auto r = ctl({"policy", "diff", example, d.file("new.yaml")});
    BOOST_TEST(r.exit_code == 0, r.out + r.err);
    BOOST_TEST(r.out.find("2 decision(s) change") != std::string::npos, r.out);
    BOOST_TEST(r.out.find("- now denied   internet files.cloud.example:8080") != std::string::npos, r.out);
    BOOST_TEST(r.out.find("+ now allowed  internet mail.cloud.example:443") != std::string::npos, r.out);
    auto same = ctl({"policy", "diff", example, example});
    BOOST_TEST(same.out.find("0 decision(s) change") != std::string::npos, same.out);
    auto j =
        boost::json::parse(ctl({"policy", "diff", example, d.file("new.yaml"), "--json"}).out).as_object();
    BOOST_TEST(j.at("changes").as_array().size() == 2U);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2)
{
    BOOST_TEST(ctl({"policy", "frobnicate", example}).exit_code == 2);
    BOOST_TEST(
        ctl({"policy", "explain", example, "--layer", "mynumber", "--target", "a.example:1"}).exit_code == 2);
    BOOST_TEST(ctl({"policy", "explain", example, "--layer", "internet"}).exit_code == 2);
    BOOST_TEST(ctl({"policy", "check", "/nonexistent.yaml"}).exit_code == 1);
}

BOOST_AUTO_TEST_SUITE_END()
