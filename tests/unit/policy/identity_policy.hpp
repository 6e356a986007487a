#pragma once
// Policies with roles, users and devices for the identity, role, hours and
// validation tests, and helpers to compile them at a fixed "now" and to ask
// for decisions as a given user on a given device.
//
//   mynumber  10.20.0.0/16, mynumber.example.jp
//   lgwan     10.10.0.0/16, lgwan.example.jp
//             screen transfer `vdi`: vdi.lgwan.example.jp:443 (tag desk)
//   internet  198.51.100.0/24 plus all public space
//             services `news` news.example.com:443 (class 1, tag office)
//                      `groupware` files.cloud.example:443 (class 2, tag office)
//                      `records` records.cloud.example:443 (class 3C, tag secure)
//
// Devices (policy_yaml): pc-1 owned by tanaka, posture verified four days
// before `thursday_10am`; pc-2 owned by suzuki, never posture-checked.

#include "policy/decide.hpp"
#include "policy/load.hpp"
#include "policy/snapshot.hpp"
#include "policy/target.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>

namespace sekisho::test {

inline policy::clock::time_point at(const std::string& rfc3339)
{
    auto t = policy::parse_time(rfc3339);
    BOOST_TEST_REQUIRE(t.has_value(), "fixture time " << rfc3339);
    return *t;
}

// The instant most tests decide at: Thursday 2027-04-01 10:00 in Tokyo.
inline const std::string thursday_10am = "2027-04-01T10:00+09:00";

// Everything but roles:, users: and devices:. Services are tagged so that a
// role may name them by tag; `extra` is appended (more services, byod_allowed).
inline std::string destinations_yaml(std::string_view model = "alpha", std::string_view extra = {})
{
    return "version: 1\n"
           "model: " +
           std::string(model) +
           "\n"
           "zones:\n"
           "  mynumber: {cidrs: [10.20.0.0/16], domains: [mynumber.example.jp]}\n"
           "  lgwan: {cidrs: [10.10.0.0/16], domains: [lgwan.example.jp]}\n"
           "  internet: {cidrs: [198.51.100.0/24], domains: []}\n"
           "screen_transfer:\n"
           "  - id: vdi\n"
           "    host: vdi.lgwan.example.jp\n"
           "    ports: [443]\n"
           "    tags: [desk]\n"
           "    controls: {clipboard: false, file_transfer: false, printing: false, drive_mapping: false}\n"
           "services:\n"
           "  - {id: news, domains: [news.example.com], ports: [443], data_class: 1, tags: [office], "
           "certification: {scheme: ismap, number: T-0001, valid_until: 2099-12-31}}\n"
           "  - {id: groupware, domains: [files.cloud.example], ports: [443], data_class: 2, tags: "
           "[office], certification: {scheme: ismap, number: T-0001, valid_until: 2099-12-31}}\n"
           "  - {id: records, domains: [records.cloud.example], ports: [443], data_class: 3C, tags: "
           "[secure], certification: {scheme: ismap, number: T-0001, valid_until: 2099-12-31}}\n" +
           std::string(extra);
}

inline constexpr const char* standard_devices_yaml =
    "devices:\n"
    "  - {id: pc-1, owner: tanaka, kind: lent, status: active, posture_verified: "
    "\"2027-03-28T10:00+09:00\",\n"
    "     fingerprint: \"00000000000000000000000000000000000000000000000000000000000000aa\"}\n"
    "  - {id: pc-2, owner: suzuki, kind: lent, status: active, serial: \"0b\"}\n";

// A whole policy: the destinations, the given roles: and users: sections
// (which must define tanaka and suzuki), the two standard devices and
// `more_devices` (entries of the same devices: list).
inline std::string policy_yaml(std::string_view roles_and_users,
                               std::string_view model = "alpha",
                               std::string_view extra = {},
                               std::string_view more_devices = {})
{
    return destinations_yaml(model, extra) + std::string(roles_and_users) + standard_devices_yaml +
           std::string(more_devices);
}

struct compiled
{
    std::shared_ptr<const policy::snapshot> snap; // null when there are errors
    policy::diagnostics diags;                    // of load and compile
};

// Load and compile as `--check-config` does, with expiry warnings relative
// to `now`.
inline compiled compile_at(std::string_view yaml, policy::clock::time_point now)
{
    compiled out;
    auto loaded = policy::load_policy_text(yaml, "identity.yaml");
    out.diags = loaded.diags;
    if (loaded.document && !loaded.diags.has_errors())
    {
        out.snap = policy::compile(*loaded.document, policy::compile_inputs{{}, now}, out.diags);
    }
    return out;
}

inline std::shared_ptr<const policy::snapshot> compile_ok(std::string_view yaml,
                                                          policy::clock::time_point now)
{
    auto c = compile_at(yaml, now);
    BOOST_TEST_REQUIRE(c.snap != nullptr, c.diags.to_string());
    return c.snap;
}

// Some diagnostic of the level whose message contains `message` (and whose
// hint contains `hint`).
inline bool has(const policy::diagnostics& diags,
                policy::severity level,
                std::string_view message,
                std::string_view hint = {})
{
    const auto& items = diags.items();
    return std::any_of(items.begin(), items.end(), [&](const policy::diagnostic& d) {
        return d.level == level && d.message.find(message) != std::string::npos &&
               d.hint.find(hint) != std::string::npos;
    });
}

inline bool has_error(const policy::diagnostics& diags, std::string_view message, std::string_view hint = {})
{
    return has(diags, policy::severity::error, message, hint);
}

inline bool
has_warning(const policy::diagnostics& diags, std::string_view message, std::string_view hint = {})
{
    return has(diags, policy::severity::warning, message, hint);
}

// Who asks, and when.
struct asker
{
    std::shared_ptr<const policy::snapshot> snap;
    policy::clock::time_point now;

    policy::decision operator()(policy::layer l,
                                std::string_view authority,
                                std::string_view user,
                                std::string_view device,
                                bool mfa = true) const
    {
        return ask_at(now, l, authority, user, device, mfa);
    }

    policy::decision ask_at(policy::clock::time_point when,
                            policy::layer l,
                            std::string_view authority,
                            std::string_view user,
                            std::string_view device,
                            bool mfa = true) const
    {
        std::string why;
        auto t = policy::parse_authority(authority, &why);
        BOOST_TEST_REQUIRE(t.has_value(), authority << ": " << why);
        return policy::decide(*snap, {l, *t, std::string(user), std::string(device), mfa}, when);
    }
};

} // namespace sekisho::test
