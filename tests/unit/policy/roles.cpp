// What a user's roles allow: grants by layer, data class, MFA, hours and
// posture (each reason with the rule `role:<id>` and the role id), several
// roles, report mode, and the α' local breakout.

#include "decide_policy.hpp"
#include "identity_policy.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <tuple>

namespace sp = sekisho::policy;
namespace st = sekisho::test;
using sp::layer;
using st::check;

namespace {

constexpr const char* news = "news.example.com:443";
constexpr const char* groupware = "files.cloud.example:443";
constexpr const char* records = "records.cloud.example:443";
constexpr const char* vdi = "vdi.lgwan.example.jp:443";

st::asker asker_for(const std::string& roles_and_users,
                    std::string_view model = "alpha",
                    std::string_view extra = {},
                    std::string_view more_devices = {})
{
    const auto now = st::at(st::thursday_10am);
    return {st::compile_ok(st::policy_yaml(roles_and_users, model, extra, more_devices), now), now};
}

// The usual role: both layers, class 2, both factors, office hours.
const std::string staff = R"(roles:
  - id: staff
    layers: [lgwan, internet]
    services: ["tag:office"]
    screen_transfer: ["tag:desk"]
    data_class: 2
    hours:
      - {days: [mon-fri], from: "08:00", to: "20:00"}
  - id: archivist
    layers: [internet]
    services: [records]
    data_class: 3C
users:
  - {id: tanaka, roles: [staff]}
  - {id: suzuki, roles: [archivist]}
)";

} // namespace

BOOST_AUTO_TEST_SUITE(roles)

BOOST_AUTO_TEST_CASE(granting_role_allows_and_is_named)
{
    const auto ask = asker_for(staff);
    for (const auto& [target, l, rule] : {std::tuple{news, layer::internet, "service:news"},
                                          std::tuple{groupware, layer::internet, "service:groupware"},
                                          std::tuple{vdi, layer::lgwan, "screen_transfer:vdi"}})
    {
        const auto r = ask(l, target, "tanaka", "pc-1");
        check(r, target, "allowed", rule);
        BOOST_TEST(r.role_id == "staff");
        BOOST_TEST(!r.report_only());
    }
    const auto r = ask(layer::internet, records, "suzuki", "pc-2");
    check(r, "archivist", "allowed", "service:records");
    BOOST_TEST(r.role_id == "archivist");
}

// No role of the user grants the entry on the listener's layer.
BOOST_AUTO_TEST_CASE(not_granted)
{
    const auto ask = asker_for(staff);
    const auto r = ask(layer::internet, records, "tanaka", "pc-1");
    check(r, "records for staff", "not_granted", "default:deny");
    BOOST_TEST(r.role_id.empty());
    BOOST_TEST(r.service_id == "records");
    BOOST_TEST(r.detail == "no role of tanaka grants service:records on the internet layer", r.detail);

    check(ask(layer::internet, groupware, "suzuki", "pc-2"),
          "groupware for archivist",
          "not_granted",
          "default:deny");
    // The archivist role has no lgwan layer: the endpoint is not granted there.
    const auto lg = ask(layer::lgwan, vdi, "suzuki", "pc-2");
    check(lg, "vdi for archivist", "not_granted", "default:deny");
    BOOST_TEST(lg.detail == "no role of suzuki grants screen_transfer:vdi on the lgwan layer", lg.detail);
}

// A class-2 role reaches classes 1 and 2; a 3C service is beyond it.
BOOST_AUTO_TEST_CASE(data_class_caps_what_a_role_reaches)
{
    const auto ask = asker_for(staff);
    check(ask(layer::internet, news, "tanaka", "pc-1"), "class 1", "allowed", "service:news");
    check(ask(layer::internet, groupware, "tanaka", "pc-1"), "class 2", "allowed", "service:groupware");
    check(ask(layer::internet, records, "tanaka", "pc-1"), "class 3C", "not_granted", "default:deny");

    // Granting the 3C service to the class-2 role by id is refused when the
    // policy is compiled: decide() would deny it on every request.
    for (const char* grant : {"[records]", "[news, records]"})
    {
        const std::string roles =
            std::string("roles:\n  - id: staff\n    layers: [internet]\n    services: ") + grant +
            "\n    data_class: 2\n"
            "users:\n  - {id: tanaka, roles: [staff]}\n  - {id: suzuki, roles: [staff]}\n";
        const auto c = st::compile_at(st::policy_yaml(roles), st::at(st::thursday_10am));
        BOOST_TEST(c.snap == nullptr, grant);
        BOOST_TEST(
            st::has_error(c.diags,
                          "role `staff` (data class 2) grants service `records`, which carries class 3C: "
                          "the grant is unreachable",
                          "raise the role's data_class"),
            grant << ": " << c.diags.to_string());
    }
    // So is a tag whose services are all above the role's class.
    const std::string only_secure =
        "roles:\n  - id: staff\n    layers: [internet]\n    services: [\"tag:secure\"]\n"
        "    data_class: 2\n"
        "users:\n  - {id: tanaka, roles: [staff]}\n  - {id: suzuki, roles: [staff]}\n";
    const auto c = st::compile_at(st::policy_yaml(only_secure), st::at(st::thursday_10am));
    BOOST_TEST(c.snap == nullptr);
    BOOST_TEST(
        st::has_error(c.diags,
                      "role `staff` (data class 2) grants `tag:secure`, whose services all carry a higher "
                      "class: the grant is unreachable"),
        c.diags.to_string());
    // A tag may group several classes: the role keeps the ones within its
    // class, and decide() denies the others with data_class.
    const auto low =
        asker_for("roles:\n  - id: staff\n    layers: [internet]\n    services: [\"tag:office\"]\n"
                  "    data_class: 1\n"
                  "users:\n  - {id: tanaka, roles: [staff]}\n  - {id: suzuki, roles: [staff]}\n");
    check(low(layer::internet, news, "tanaka", "pc-1"), "class 1 in the tag", "allowed", "service:news");
    const auto above = low(layer::internet, groupware, "tanaka", "pc-1");
    check(above, "class 2 in the tag", "data_class", "role:staff");
    BOOST_TEST(above.role_id == "staff");
}

BOOST_AUTO_TEST_CASE(mfa_required)
{
    const auto ask = asker_for(staff);
    const auto r = ask(layer::internet, groupware, "tanaka", "pc-1", false);
    check(r, "one factor", "mfa_required", "role:staff");
    BOOST_TEST(r.role_id == "staff");
    BOOST_TEST(r.service_id == "groupware");
    check(ask(layer::lgwan, vdi, "tanaka", "pc-1", false), "lgwan one factor", "mfa_required", "role:staff");

    // A role that admits one factor (a warning at compile time).
    const auto single = asker_for(R"(roles:
  - {id: kiosk, layers: [internet], services: [news], data_class: 1, mfa: false}
users:
  - {id: tanaka, roles: [kiosk]}
  - {id: suzuki, roles: [kiosk]}
)");
    const auto s = single(layer::internet, news, "tanaka", "pc-1", false);
    check(s, "mfa: false", "allowed", "service:news");
    BOOST_TEST(s.role_id == "kiosk");
}

BOOST_AUTO_TEST_CASE(outside_hours)
{
    const auto ask = asker_for(staff);
    for (const char* when : {"2027-04-01T08:00+09:00", "2027-04-01T19:59+09:00", "2027-04-02T12:00+09:00"})
    {
        check(ask.ask_at(st::at(when), layer::internet, groupware, "tanaka", "pc-1"),
              when,
              "allowed",
              "service:groupware");
    }
    for (const char* when : {"2027-04-01T07:59+09:00",
                             "2027-04-01T20:00+09:00",
                             "2027-04-03T12:00+09:00", // Saturday
                             "2027-04-04T12:00+09:00", // Sunday
                             "2027-04-01T12:00Z"})     // 21:00 in Tokyo
    {
        const auto r = ask.ask_at(st::at(when), layer::internet, groupware, "tanaka", "pc-1");
        check(r, when, "outside_hours", "role:staff");
        BOOST_TEST(r.role_id == "staff");
        BOOST_TEST(r.detail == "mon,tue,wed,thu,fri 08:00-20:00 JST", r.detail);
    }
}

// A telework session's standing (what ends it between tunnels): identity as
// decide() checks it, then a role of the user on the layer within its hours.
BOOST_AUTO_TEST_CASE(session_standing_follows_hours_identity_and_layer)
{
    const std::string roles = R"(roles:
  - id: staff
    layers: [lgwan, internet]
    services: ["tag:office"]
    screen_transfer: ["tag:desk"]
    data_class: 2
    hours:
      - {days: [mon-fri], from: "08:00", to: "20:00"}
  - id: archivist
    layers: [internet]
    services: [records]
    data_class: 3C
  - id: trial
    layers: [internet]
    services: [news]
    data_class: 1
    hours:
      - {days: [mon-fri], from: "08:00", to: "09:00"}
    enforce: report
users:
  - {id: tanaka, roles: [staff]}
  - {id: suzuki, roles: [archivist]}
  - {id: yamada, roles: [trial]}
)";
    const auto ask = asker_for(
        roles, "alpha", {}, "  - {id: pc-3, owner: yamada, kind: lent, status: active, serial: \"0c\"}\n");
    const auto& snap = *ask.snap;
    const auto standing = [&](const char* user, const char* device, layer on, const char* when) {
        return std::string(sp::to_string(sp::session_standing(snap, user, device, on, st::at(when))));
    };
    BOOST_TEST(standing("tanaka", "pc-1", layer::internet, "2027-04-01T19:59+09:00") == "allowed");
    BOOST_TEST(standing("tanaka", "pc-1", layer::internet, "2027-04-01T20:00+09:00") == "outside_hours");
    BOOST_TEST(standing("tanaka", "pc-1", layer::lgwan, "2027-04-03T12:00+09:00") == "outside_hours");
    // archivist has no hours, but no LGWAN layer either.
    BOOST_TEST(standing("suzuki", "pc-2", layer::internet, "2027-04-03T03:00+09:00") == "allowed");
    BOOST_TEST(standing("suzuki", "pc-2", layer::lgwan, "2027-04-01T10:00+09:00") == "not_granted");
    // A role in report mode keeps its sessions whatever the hour.
    BOOST_TEST(standing("yamada", "pc-3", layer::internet, "2027-04-01T23:00+09:00") == "allowed");
    // Identity first.
    BOOST_TEST(standing("tanaka", "pc-2", layer::internet, "2027-04-01T10:00+09:00") == "device_not_owned");
    BOOST_TEST(standing("nobody", "pc-1", layer::internet, "2027-04-01T10:00+09:00") == "unknown_user");
    BOOST_TEST(standing("tanaka", "pc-9", layer::internet, "2027-04-01T10:00+09:00") == "unknown_device");
}

BOOST_AUTO_TEST_CASE(posture_stale)
{
    // pc-1 passed its posture check on 2027-03-28 10:00; pc-2 never did.
    const auto ask = asker_for(R"(roles:
  - {id: remote, layers: [internet], services: [groupware], data_class: 2, posture_max_age: 7d}
users:
  - {id: tanaka, roles: [remote]}
  - {id: suzuki, roles: [remote]}
)");
    check(ask(layer::internet, groupware, "tanaka", "pc-1"), "4 days old", "allowed", "service:groupware");
    check(ask.ask_at(st::at("2027-04-04T10:00+09:00"), layer::internet, groupware, "tanaka", "pc-1"),
          "exactly 7 days old",
          "allowed",
          "service:groupware");
    const auto old =
        ask.ask_at(st::at("2027-04-04T10:00:01+09:00"), layer::internet, groupware, "tanaka", "pc-1");
    check(old, "7 days and a second", "posture_stale", "role:remote");
    BOOST_TEST(old.role_id == "remote");
    check(ask(layer::internet, groupware, "suzuki", "pc-2"), "never checked", "posture_stale", "role:remote");
}

// Conditions are checked in order: MFA, hours, posture (data class first,
// see data_class_caps_what_a_role_reaches).
BOOST_AUTO_TEST_CASE(condition_order)
{
    const auto ask = asker_for(R"(roles:
  - id: weekend
    layers: [internet]
    services: [groupware]
    data_class: 2
    hours: [{days: [sat, sun], from: "00:00", to: "24:00"}]
    posture_max_age: 7d
users:
  - {id: tanaka, roles: [weekend]}
  - {id: suzuki, roles: [weekend]}
)");
    const auto saturday = st::at("2027-04-03T10:00+09:00");
    check(
        ask(layer::internet, groupware, "suzuki", "pc-2", false), "all fail", "mfa_required", "role:weekend");
    check(
        ask(layer::internet, groupware, "suzuki", "pc-2"), "hours, posture", "outside_hours", "role:weekend");
    check(ask.ask_at(saturday, layer::internet, groupware, "suzuki", "pc-2"),
          "posture",
          "posture_stale",
          "role:weekend");
    check(ask.ask_at(saturday, layer::internet, groupware, "tanaka", "pc-1"),
          "none",
          "allowed",
          "service:groupware");
}

// The first role (in the user's order) that grants the entry on the layer
// and whose conditions hold allows; if none does, the first failure decides.
BOOST_AUTO_TEST_CASE(several_roles)
{
    const auto ask = asker_for(R"(roles:
  - id: desk
    layers: [lgwan]
    screen_transfer: [vdi]
    data_class: 1
  - id: strict
    layers: [internet]
    services: [groupware]
    data_class: 2
  - id: relaxed
    layers: [internet]
    services: [groupware, news]
    data_class: 2
    mfa: false
    hours: [{days: [mon-fri], from: "09:00", to: "17:00"}]
  - id: night
    layers: [internet]
    services: [groupware]
    data_class: 2
    hours: [{days: [mon-sun], from: "22:00", to: "06:00"}]
users:
  - {id: tanaka, roles: [desk, strict, relaxed]}
  - {id: suzuki, roles: [night, relaxed]}
)");
    auto r = ask(layer::internet, groupware, "tanaka", "pc-1");
    check(r, "both factors", "allowed", "service:groupware");
    BOOST_TEST(r.role_id == "strict");
    r = ask(layer::internet, groupware, "tanaka", "pc-1", false);
    check(r, "one factor", "allowed", "service:groupware");
    BOOST_TEST(r.role_id == "relaxed");
    r = ask(layer::lgwan, vdi, "tanaka", "pc-1", false);
    check(r, "desk needs mfa", "mfa_required", "role:desk");
    r = ask(layer::lgwan, vdi, "tanaka", "pc-1");
    BOOST_TEST(r.role_id == "desk");
    // strict fails (one factor), relaxed fails (hours): the first failure.
    r = ask.ask_at(st::at("2027-04-01T18:00+09:00"), layer::internet, groupware, "tanaka", "pc-1", false);
    check(r, "evening, one factor", "mfa_required", "role:strict");
    BOOST_TEST(r.role_id == "strict");
    // night fails (hours), relaxed holds.
    r = ask(layer::internet, groupware, "suzuki", "pc-2");
    check(r, "suzuki by day", "allowed", "service:groupware");
    BOOST_TEST(r.role_id == "relaxed");
    r = ask.ask_at(st::at("2027-04-01T23:00+09:00"), layer::internet, groupware, "suzuki", "pc-2");
    BOOST_TEST(r.role_id == "night");
    r = ask.ask_at(st::at("2027-04-01T19:00+09:00"), layer::internet, groupware, "suzuki", "pc-2");
    check(r, "suzuki at 19:00", "outside_hours", "role:night");
    BOOST_TEST(r.detail == "sun,mon,tue,wed,thu,fri,sat 22:00-06:00 JST", r.detail);
    // Only relaxed grants news.
    r = ask.ask_at(st::at("2027-04-01T23:00+09:00"), layer::internet, news, "suzuki", "pc-2");
    check(r, "news at night", "outside_hours", "role:relaxed");
}

// `enforce: report`: what the role's own conditions would deny is allowed
// and recorded.
BOOST_AUTO_TEST_CASE(report_mode_records_instead_of_denying)
{
    const auto ask = asker_for(R"(roles:
  - id: pilot
    layers: [lgwan, internet]
    services: [news]
    screen_transfer: [vdi]
    data_class: 2
    hours: [{days: [mon-fri], from: "08:00", to: "20:00"}]
    posture_max_age: 7d
    enforce: report
users:
  - {id: tanaka, roles: [pilot]}
  - {id: suzuki, roles: [pilot]}
)");
    auto r = ask(layer::internet, news, "tanaka", "pc-1");
    check(r, "conditions hold", "allowed", "service:news");
    BOOST_TEST(r.role_id == "pilot");
    BOOST_TEST(!r.report_only());

    r = ask(layer::internet, groupware, "tanaka", "pc-1");
    check(r, "not granted", "allowed", "service:groupware");
    BOOST_TEST(r.report_only());
    BOOST_TEST(sp::to_string(r.would_deny) == "not_granted");
    BOOST_TEST(r.role_id == "pilot");
    BOOST_TEST(r.service_id == "groupware");

    r = ask.ask_at(st::at("2027-04-03T10:00+09:00"), layer::internet, news, "tanaka", "pc-1");
    check(r, "saturday", "allowed", "service:news");
    BOOST_TEST(sp::to_string(r.would_deny) == "outside_hours");
    BOOST_TEST(r.role_id == "pilot");

    r = ask(layer::lgwan, vdi, "suzuki", "pc-2");
    check(r, "no posture", "allowed", "screen_transfer:vdi");
    BOOST_TEST(sp::to_string(r.would_deny) == "posture_stale");
}

// Report mode never relaxes the invariants, the identity or MFA.
BOOST_AUTO_TEST_CASE(report_mode_never_relaxes_the_rest)
{
    const auto ask =
        asker_for(R"(roles:
  - {id: pilot, layers: [lgwan, internet], services: ["tag:office"], screen_transfer: [vdi], data_class: 2,
     enforce: report}
users:
  - {id: tanaka, roles: [pilot]}
  - {id: suzuki, roles: [pilot]}
)",
                  "alpha",
                  {},
                  "  - {id: pc-lost, owner: tanaka, kind: lent, status: lost, serial: \"0c\"}\n");
    for (layer l : {layer::internet, layer::lgwan})
    {
        for (const char* t : {"juki.mynumber.example.jp:443", "10.20.0.1:443"})
        {
            const auto r = ask(l, t, "tanaka", "pc-1");
            check(r, t, "mynumber_zone", "invariant:mynumber");
            BOOST_TEST(!r.report_only());
        }
    }
    check(ask(layer::internet, vdi, "tanaka", "pc-1"),
          "lgwan from internet",
          "layer_mismatch",
          "invariant:one_layer");
    check(ask(layer::lgwan, groupware, "tanaka", "pc-1"),
          "internet from lgwan",
          "layer_mismatch",
          "invariant:one_layer");
    check(
        ask(layer::internet, "evil.example:443", "tanaka", "pc-1"), "evil", "not_catalogued", "default:deny");
    check(ask(layer::internet, "news.example.com:80", "tanaka", "pc-1"),
          "port",
          "port_not_allowed",
          "service:news");
    check(ask(layer::internet, news, "tanaka", "pc-lost"), "lost", "device_lost", "device:pc-lost");
    check(ask(layer::internet, news, "suzuki", "pc-1"), "not owned", "device_not_owned", "device:pc-1");
    const auto mfa = ask(layer::internet, news, "tanaka", "pc-1", false);
    check(mfa, "one factor", "mfa_required", "role:pilot");
    BOOST_TEST(!mfa.report_only());
    BOOST_TEST(mfa.role_id == "pilot");
}

// The role held accountable is the first that failed; a report-mode role
// makes not_granted reportable only on its own layer.
BOOST_AUTO_TEST_CASE(report_mode_and_enforcing_roles)
{
    const auto ask = asker_for(R"(roles:
  - id: staff
    layers: [internet]
    services: [groupware]
    data_class: 2
    hours: [{days: [sat], from: "09:00", to: "17:00"}]
  - id: pilot
    layers: [internet]
    services: [news]
    data_class: 2
    enforce: report
  - id: desk
    layers: [lgwan]
    screen_transfer: [vdi]
    data_class: 1
users:
  - {id: tanaka, roles: [staff, pilot]}
  - {id: suzuki, roles: [pilot]}
)");
    // staff grants groupware and fails its hours: it is enforced.
    check(ask(layer::internet, groupware, "tanaka", "pc-1"), "staff fails", "outside_hours", "role:staff");
    // Nobody grants groupware to suzuki; pilot reports on the internet layer.
    auto r = ask(layer::internet, groupware, "suzuki", "pc-2");
    check(r, "groupware", "allowed", "service:groupware");
    BOOST_TEST(sp::to_string(r.would_deny) == "not_granted");
    BOOST_TEST(r.role_id == "pilot");
    // Report mode never lifts the data-class cap: records (3C) is above
    // pilot's class 2, so it is denied, naming pilot.
    r = ask(layer::internet, records, "tanaka", "pc-1");
    check(r, "records above the class", "data_class", "role:pilot");
    BOOST_TEST(!r.report_only());
    // pilot is not on the lgwan layer: there not_granted is enforced.
    r = ask(layer::lgwan, vdi, "suzuki", "pc-2");
    check(r, "vdi for pilot", "not_granted", "default:deny");
    BOOST_TEST(!r.report_only());
}

// α': from the LGWAN listener, a catalogued service marked local_breakout,
// granted to a role with the lgwan layer, and nothing else of the internet.
BOOST_AUTO_TEST_CASE(alpha_prime_local_breakout)
{
    const std::string saas =
        "  - {id: saas, domains: [saas.example.com], ports: [443], data_class: 2, local_breakout: true,\n"
        "     certification: {scheme: ismap, number: T-0002, valid_until: 2099-12-31}}\n";
    const auto ask = asker_for(R"(roles:
  - id: desk
    layers: [lgwan]
    services: [saas]
    screen_transfer: [vdi]
    data_class: 2
  - id: web
    layers: [internet]
    services: [saas, groupware]
    data_class: 2
users:
  - {id: tanaka, roles: [desk]}
  - {id: suzuki, roles: [web]}
)",
                               "alpha_prime",
                               saas);
    auto r = ask(layer::lgwan, "saas.example.com:443", "tanaka", "pc-1");
    check(r, "breakout", "allowed", "service:saas");
    BOOST_TEST(r.role_id == "desk");
    BOOST_TEST((r.dest_zone == sp::zone::internet));
    check(ask(layer::lgwan, vdi, "tanaka", "pc-1"), "vdi", "allowed", "screen_transfer:vdi");
    check(ask(layer::lgwan, "saas.example.com:80", "tanaka", "pc-1"),
          "port",
          "port_not_allowed",
          "service:saas");
    check(ask(layer::lgwan, "saas.example.com:443", "tanaka", "pc-1", false),
          "breakout, one factor",
          "mfa_required",
          "role:desk");
    // Not marked local_breakout, not catalogued, or an address literal.
    for (const char* t : {groupware, "evil.example:443", "198.51.100.7:443"})
    {
        check(ask(layer::lgwan, t, "tanaka", "pc-1"), t, "layer_mismatch", "invariant:one_layer");
    }
    // Through the internet listener it is an ordinary service.
    check(ask(layer::internet, "saas.example.com:443", "suzuki", "pc-2"),
          "internet",
          "allowed",
          "service:saas");
    // A role without the lgwan layer does not grant it from the lgwan listener.
    check(ask(layer::lgwan, "saas.example.com:443", "suzuki", "pc-2"),
          "web on lgwan",
          "not_granted",
          "default:deny");
    check(ask(layer::lgwan, "juki.mynumber.example.jp:443", "tanaka", "pc-1"),
          "mynumber",
          "mynumber_zone",
          "invariant:mynumber");
}

// In α' a role with only the lgwan layer reaches only local_breakout
// services; in the other models local_breakout does not exist.
BOOST_AUTO_TEST_CASE(local_breakout_rules_at_compile)
{
    const std::string saas =
        "  - {id: saas, domains: [saas.example.com], ports: [443], data_class: 2, local_breakout: true,\n"
        "     certification: {scheme: ismap, number: T-0002, valid_until: 2099-12-31}}\n";
    const auto now = st::at(st::thursday_10am);
    const std::string desk = R"(roles:
  - {id: desk, layers: [lgwan], services: [saas, groupware], data_class: 2}
  - {id: web, layers: [internet], services: [saas], data_class: 2, posture_max_age: 7d}
users:
  - {id: tanaka, roles: [desk]}
  - {id: suzuki, roles: [web]}
)";
    const auto prime = st::compile_at(st::policy_yaml(desk, "alpha_prime", saas), now);
    BOOST_TEST(prime.snap == nullptr);
    BOOST_TEST(
        st::has_error(prime.diags,
                      "role `desk` grants service `groupware` but not the internet layer: the grant is "
                      "unreachable",
                      "mark the service `local_breakout: true`"),
        prime.diags.to_string());
    BOOST_TEST(!st::has_error(prime.diags, "service `saas`"), prime.diags.to_string());

    const std::string web_only = R"(roles:
  - {id: web, layers: [internet], services: [saas], data_class: 2, posture_max_age: 7d}
users:
  - {id: tanaka, roles: [web]}
  - {id: suzuki, roles: [web]}
)";
    for (const char* model : {"alpha", "beta", "beta_prime"})
    {
        const auto c = st::compile_at(st::policy_yaml(web_only, model, saas), now);
        BOOST_TEST(c.snap == nullptr, model);
        BOOST_TEST(
            st::has_error(c.diags,
                          std::string("service `saas`: local_breakout is part of model alpha_prime, not ") +
                              model,
                          "set `model: alpha_prime`"),
            model << ": " << c.diags.to_string());
    }
    BOOST_TEST(st::compile_at(st::policy_yaml(web_only, "alpha_prime", saas), now).snap != nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
