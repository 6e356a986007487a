#pragma once
// The policy the decision tests run against, and helpers to build snapshots
// from inline YAML and to ask for decisions by authority text.
//
//   mynumber  10.20.0.0/16, fd00:20::/32, mynumber.example.jp, juki.lg.jp
//   lgwan     10.10.0.0/16, fd00:10::/32, lgwan.example.jp, lg.jp
//   internet  198.51.100.0/24 (stand-in public space) plus all public space
//
// juki.lg.jp sits inside the lgwan suffix lg.jp: the longer suffix wins, so
// its names are My Number names.

#include "policy/decide.hpp"
#include "policy/load.hpp"
#include "policy/snapshot.hpp"
#include "policy/target.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::test {

inline constexpr const char* decide_policy_yaml = R"(version: 1
model: alpha
zones:
  mynumber:
    cidrs: [10.20.0.0/16, "fd00:20::/32"]
    domains: [mynumber.example.jp, juki.lg.jp]
  lgwan:
    cidrs: [10.10.0.0/16, "fd00:10::/32"]
    domains: [lgwan.example.jp, lg.jp]
  internet:
    cidrs: [198.51.100.0/24]
    domains: []
screen_transfer:
  - id: vdi
    host: vdi.lgwan.example.jp
    ports: [443, 8443]
    controls: {clipboard: false, file_transfer: false, printing: false, drive_mapping: false}
  - id: rdp-relay
    host: 10.10.0.5
    ports: [3389]
    controls: {clipboard: false, file_transfer: false, printing: false, drive_mapping: false}
services:
  - id: groupware
    domains: [files.cloud.example, "*.files.cloud.example"]
    ports: [443]
    data_class: 2
    certification: {scheme: ismap, number: T-0001, valid_until: 2099-12-31}
  - id: maps
    domains: ["*.maps.example"]
    ports: [443, 8443]
    data_class: 1
    certification: {scheme: ismap, number: T-0001, valid_until: 2099-12-31}
roles:
  - id: staff
    layers: [lgwan, internet]
    services: [groupware, maps]
    screen_transfer: [vdi, rdp-relay]
    data_class: 2
users:
  - id: tanaka
    roles: [staff]
devices:
  - id: pc-1
    fingerprint: "0000000000000000000000000000000000000000000000000000000000000001"
    owner: tanaka
    kind: lent
    status: active
)";

// Who asks in the decision tests: a user whose role grants every entry of
// the fixture, with both factors, on a registered device.
inline constexpr const char* fixture_user = "tanaka";
inline constexpr const char* fixture_device = "pc-1";

inline std::shared_ptr<const policy::snapshot> compile_text(std::string_view yaml,
                                                            const policy::compile_inputs& inputs = {})
{
    auto loaded = policy::load_policy_text(yaml, "inline.yaml");
    BOOST_TEST_REQUIRE(loaded.document.has_value(), loaded.diags.to_string());
    policy::diagnostics diags;
    auto snap = policy::compile(*loaded.document, inputs, diags);
    BOOST_TEST_REQUIRE(snap != nullptr, diags.to_string());
    return snap;
}

inline policy::ip_address ip(std::string_view text)
{
    auto a = policy::ip_address::parse(text);
    BOOST_TEST_REQUIRE(a.has_value(), "fixture address " << text);
    return *a;
}

// Decisions are pure functions of time too; the tests use a fixed instant.
inline const policy::clock::time_point fixed_now = policy::clock::time_point{std::chrono::hours(480000)};

struct decider
{
    std::shared_ptr<const policy::snapshot> snap;

    policy::request request_for(policy::layer l, std::string_view authority) const
    {
        std::string why;
        auto t = policy::parse_authority(authority, &why);
        BOOST_TEST_REQUIRE(t.has_value(), authority << ": " << why);
        return {l, *t, fixture_user, fixture_device, true};
    }

    policy::decision on(policy::layer l, std::string_view authority) const
    {
        return policy::decide(*snap, request_for(l, authority), fixed_now);
    }

    // decide() on the name, then vet_resolved() on the given addresses.
    policy::decision resolved(policy::layer l,
                              std::string_view authority,
                              std::initializer_list<std::string_view> addresses) const
    {
        const auto req = request_for(l, authority);
        const auto by_name = policy::decide(*snap, req, fixed_now);
        std::vector<policy::ip_address> addrs;
        for (auto a : addresses)
        {
            addrs.push_back(ip(a));
        }
        return policy::vet_resolved(*snap, req, by_name, addrs);
    }
};

// Checks the reason code, the rule id and that only `allowed` allows.
inline void
check(const policy::decision& d, std::string_view label, std::string_view why, std::string_view rule)
{
    BOOST_TEST_CONTEXT(label)
    {
        BOOST_TEST(policy::to_string(d.why) == why);
        BOOST_TEST(d.rule_id == rule);
        BOOST_TEST(d.allowed() == (why == "allowed"));
    }
}

struct policy_fixture
{
    decider d{compile_text(decide_policy_yaml)};
};

struct self_fixture
{
    // The gateway listens on 127.0.0.1:8443 and on every address, port 9443.
    decider d{compile_text(decide_policy_yaml,
                           policy::compile_inputs{{{ip("127.0.0.1"), 8443}, {ip("::"), 9443}}, fixed_now})};
};

} // namespace sekisho::test
