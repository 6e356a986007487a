// sekishod --check-config: the shipped example, broken input with file:line,
// and the exit codes an operator's scripts rely on.

#include "harness/checks.hpp"

using namespace sekisho::test;

BOOST_AUTO_TEST_SUITE(check_config)

BOOST_AUTO_TEST_CASE(the_shipped_example_is_valid)
{
    // The demo's own PKI: its devices.yaml lists exactly the demo device.
    temp_dir d;
    const auto pki = d.file("pki");
    auto made =
        run({"bash", std::string(SEKISHO_SOURCE_DIR) + "/scripts/mkpki", pki}, d, std::chrono::seconds(60));
    BOOST_TEST_REQUIRE(made.exit_code == 0, made.err);
    // The audit log's checkpoint key, as the demo makes it.
    const auto key = d.file("audit.key");
    BOOST_TEST_REQUIRE(run({SEKISHO_AUDIT_PATH, "keygen", "--out", key}, d).exit_code == 0);
    const std::string config = std::string(SEKISHO_SOURCE_DIR) + "/config/sekisho.yaml";
    auto r = run({SEKISHOD_PATH, "--check-config", config},
                 d,
                 std::chrono::seconds(10),
                 {{"SEKISHO_PKI", pki}, {"SEKISHO_AUDIT_KEY", key}, {"SEKISHO_AUDIT", d.file("audit")}});
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.out.find(": OK") != std::string::npos, r.out);
    // Without the key nothing starts, and the message says which file.
    r = run({SEKISHOD_PATH, "--check-config", config},
            d,
            std::chrono::seconds(10),
            {{"SEKISHO_PKI", pki}, {"SEKISHO_AUDIT_KEY", d.file("missing.key")}});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.err.find("missing.key") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(a_broken_policy_is_reported_with_file_and_line_and_nothing_starts)
{
    temp_dir d;
    gateway_options o;
    const auto policy = d.file("policy.yaml");
    write_file(policy,
               "version: 1\nmodel: alpha\nzones:\n  mynumber: {cidrs: [10.0.0.0/8]}\n  lgwan: {cidrs: "
               "[10.1.0.0/16]}\n"
               "  internet: {}\nservices:\n  - id: x\n    domain: [a.example]\n    ports: [443]\n");
    write_file(d.file("sekisho.yaml"), test_config_yaml(o, policy, d.file("t.jsonl")));
    auto r = run({SEKISHOD_PATH, "--check-config", d.file("sekisho.yaml")}, d);
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.err.find("policy.yaml:9:5: error: unknown key `domain`") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("did you mean `domains`?") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("zones overlap") != std::string::npos, r.err);
    // The same file refuses to start the daemon.
    auto started = run({SEKISHOD_PATH, "--config", d.file("sekisho.yaml")}, d);
    BOOST_TEST(started.exit_code == 1);
    BOOST_TEST(started.err.find("nothing was started") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(missing_files_and_usage_errors)
{
    temp_dir d;
    auto missing = run({SEKISHOD_PATH, "--check-config", d.file("nope.yaml")}, d);
    BOOST_TEST(missing.exit_code == 1);
    BOOST_TEST(missing.err.find("cannot read the configuration file") != std::string::npos, missing.err);
    auto usage = run({SEKISHOD_PATH, "--frobnicate"}, d);
    BOOST_TEST(usage.exit_code == 2);
}

BOOST_AUTO_TEST_CASE(a_taken_port_fails_start_with_exit_3)
{
    auto& g = shared_gateway();
    temp_dir d;
    gateway_options o;
    write_file(d.file("policy.yaml"), test_policy_yaml());
    auto config = test_config_yaml(o, d.file("policy.yaml"), d.file("t.jsonl"));
    const auto pos = config.find("port: 0");
    config.replace(pos, 7, "port: " + std::to_string(g.internet()));
    write_file(d.file("sekisho.yaml"), config);
    auto r = run({SEKISHOD_PATH, "--config", d.file("sekisho.yaml")}, d);
    BOOST_TEST(r.exit_code == 3);
    BOOST_TEST(r.err.find("event=listener_failed") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_SUITE_END()
