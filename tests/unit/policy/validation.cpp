// What compile() checks across roles, users and devices: references to
// missing ids (with "did you mean"), grants that can never apply, the
// network model's rules, policy tests naming unknown users or devices, and
// the warnings (expiry, BYOD, single factor, unused entries).

#include "identity_policy.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

namespace sp = sekisho::policy;
namespace st = sekisho::test;
using st::has_error;
using st::has_warning;

namespace {

const std::string staff_role = "roles:\n"
                               "  - {id: staff, layers: [lgwan, internet], services: [\"tag:office\"], "
                               "screen_transfer: [vdi], data_class: 2}\n";
const std::string both_users = "users:\n"
                               "  - {id: tanaka, roles: [staff]}\n"
                               "  - {id: suzuki, roles: [staff]}\n";

st::compiled compile_now(const std::string& yaml)
{
    return st::compile_at(yaml, st::at(st::thursday_10am));
}

// The standard policy with the given roles and users.
st::compiled with_roles(const std::string& roles_and_users,
                        std::string_view model = "alpha",
                        std::string_view extra = {},
                        std::string_view more_devices = {})
{
    return compile_now(st::policy_yaml(roles_and_users, model, extra, more_devices));
}

// The standard roles and users with more devices.
st::compiled with_devices(std::string_view more_devices, std::string_view extra = {})
{
    return with_roles(staff_role + both_users, "alpha", extra, more_devices);
}

// Beta-model roles need MFA and a posture check on the internet layer.
const std::string beta_role = "roles:\n"
                              "  - {id: staff, layers: [internet], services: [groupware], data_class: 2, "
                              "posture_max_age: 7d}\n";

} // namespace

BOOST_AUTO_TEST_SUITE(validation)

// A policy where everything is used and nothing expires says nothing at all
// (records is granted to nobody on purpose elsewhere; here it is granted).
BOOST_AUTO_TEST_CASE(clean_policy_has_no_diagnostics)
{
    const auto c = with_roles(staff_role +
                              "  - {id: archivist, layers: [internet], services: [records], data_class: 3C}\n"
                              "users:\n"
                              "  - {id: tanaka, roles: [staff, archivist]}\n"
                              "  - {id: suzuki, roles: [staff]}\n");
    BOOST_TEST(c.snap != nullptr);
    BOOST_TEST(c.diags.items().empty(), c.diags.to_string());
}

BOOST_AUTO_TEST_CASE(user_with_unknown_role)
{
    const auto c = with_roles(staff_role + "users:\n  - {id: tanaka, roles: [staf]}\n  - {id: suzuki, roles: "
                                           "[staff, auditor]}\n");
    BOOST_TEST(c.snap == nullptr);
    BOOST_TEST(has_error(c.diags, "user `tanaka`: there is no role `staf`", "did you mean `staff`?"),
               c.diags.to_string());
    BOOST_TEST(has_error(c.diags, "user `suzuki`: there is no role `auditor`"), c.diags.to_string());
    BOOST_TEST(c.diags.error_count() == 2U, c.diags.to_string());
}

BOOST_AUTO_TEST_CASE(device_with_unknown_owner)
{
    const auto c = with_devices("  - {id: pc-3, owner: tanak, kind: lent, status: active, serial: \"0c\"}\n");
    BOOST_TEST(c.snap == nullptr);
    BOOST_TEST(has_error(c.diags, "device `pc-3`: its owner `tanak` is not a user", "did you mean `tanaka`?"),
               c.diags.to_string());
}

// One certificate identifies one device, however its fingerprint or serial
// is spelt.
BOOST_AUTO_TEST_CASE(duplicate_fingerprint_or_serial)
{
    // pc-1's fingerprint (62 zeros, then aa) as openssl prints it.
    std::string spelt = "SHA256:";
    for (int i = 0; i < 31; ++i)
    {
        spelt += "00:";
    }
    spelt += "AA";
    const auto fp = with_devices("  - {id: pc-3, owner: tanaka, kind: lent, status: active, fingerprint: \"" +
                                 spelt + "\"}\n");
    BOOST_TEST(fp.snap == nullptr);
    BOOST_TEST(has_error(fp.diags, "device `pc-3`: its fingerprint is already listed for another device"),
               fp.diags.to_string());

    const auto serial =
        with_devices("  - {id: pc-3, owner: suzuki, kind: lent, status: active, serial: \"0x000B\"}\n");
    BOOST_TEST(serial.snap == nullptr);
    BOOST_TEST(has_error(serial.diags, "device `pc-3`: serial b is already listed for another device"),
               serial.diags.to_string());
}

BOOST_AUTO_TEST_CASE(duplicate_ids)
{
    const auto c = with_roles(staff_role + staff_role.substr(std::string("roles:\n").size()) + both_users +
                              "  - {id: tanaka, roles: [staff]}\n");
    BOOST_TEST(c.snap == nullptr);
    BOOST_TEST(has_error(c.diags, "duplicate id `staff` in roles"), c.diags.to_string());
    BOOST_TEST(has_error(c.diags, "duplicate id `tanaka` in users"), c.diags.to_string());
    const auto d =
        with_devices("  - {id: pc-1, owner: tanaka, kind: lent, status: active, serial: \"0c\"}\n");
    BOOST_TEST(has_error(d.diags, "duplicate id `pc-1` in devices"), d.diags.to_string());
}

BOOST_AUTO_TEST_CASE(references_a_role_cannot_resolve)
{
    const auto tag =
        with_roles("roles:\n  - {id: staff, layers: [lgwan, internet], services: [\"tag:ofice\"], "
                   "screen_transfer: [\"tag:desks\"], data_class: 2}\n" +
                   both_users);
    BOOST_TEST(tag.snap == nullptr);
    BOOST_TEST(
        has_error(tag.diags, "role `staff`: no entry in services has the tag `ofice`", "tags: [ofice]"),
        tag.diags.to_string());
    BOOST_TEST(has_error(tag.diags, "role `staff`: no entry in screen_transfer has the tag `desks`"),
               tag.diags.to_string());

    const auto id = with_roles("roles:\n  - {id: staff, layers: [lgwan, internet], services: [groupwre], "
                               "screen_transfer: [vdl], data_class: 2}\n" +
                               both_users);
    BOOST_TEST(id.snap == nullptr);
    BOOST_TEST(
        has_error(id.diags, "role `staff`: services has no entry `groupwre`", "did you mean `groupware`?"),
        id.diags.to_string());
    BOOST_TEST(has_error(id.diags, "role `staff`: screen_transfer has no entry `vdl`", "did you mean `vdi`?"),
               id.diags.to_string());
}

// Grants that can never apply: the wrong layer, a class above the role's.
BOOST_AUTO_TEST_CASE(unreachable_grants)
{
    const auto layer = with_roles(
        "roles:\n  - {id: staff, layers: [lgwan], services: [groupware], screen_transfer: [vdi], data_class: "
        "2}\n"
        "  - {id: web, layers: [internet], services: [news], screen_transfer: [vdi], data_class: 1}\n" +
        std::string("users:\n  - {id: tanaka, roles: [staff]}\n  - {id: suzuki, roles: [web]}\n"));
    BOOST_TEST(layer.snap == nullptr);
    BOOST_TEST(has_error(layer.diags,
                         "role `staff` grants service `groupware` but not the internet layer: the grant is "
                         "unreachable",
                         "add `internet` to its layers, or remove the service"),
               layer.diags.to_string());
    BOOST_TEST(
        has_error(layer.diags,
                  "role `web` grants screen_transfer endpoints but not the lgwan layer: they are unreachable",
                  "add `lgwan` to its layers"),
        layer.diags.to_string());
    BOOST_TEST(layer.diags.error_count() == 2U, layer.diags.to_string());

    const auto cls = with_roles("roles:\n  - {id: staff, layers: [internet], services: [\"tag:office\"], "
                                "data_class: 1}\n" +
                                both_users);
    // A tag may mix classes: decide() denies the services above the role's
    // class (data_class); only a tag with nothing within reach is an error.
    BOOST_TEST(cls.snap != nullptr, cls.diags.to_string());
    const auto by_id = with_roles("roles:\n  - {id: staff, layers: [internet], services: [news, groupware], "
                                  "data_class: 1}\n" +
                                  both_users);
    BOOST_TEST(by_id.snap == nullptr);
    BOOST_TEST(has_error(by_id.diags,
                         "role `staff` (data class 1) grants service `groupware`, which carries class 2: the "
                         "grant is unreachable"),
               by_id.diags.to_string());
    BOOST_TEST(!has_error(by_id.diags, "service `news`"), by_id.diags.to_string());
}

// A service without data_class counts as 3C: only a 3C role reaches it.
BOOST_AUTO_TEST_CASE(unclassified_service_counts_as_3c)
{
    const std::string unclassified = "  - {id: wiki, domains: [wiki.example.com], ports: [443]}\n";
    const auto low = with_roles(
        "roles:\n  - {id: staff, layers: [internet], services: [wiki], data_class: 2}\n" + both_users,
        "alpha",
        unclassified);
    BOOST_TEST(low.snap == nullptr);
    BOOST_TEST(has_warning(low.diags, "services[3] has no `data_class`: it is treated as 3C"),
               low.diags.to_string());
    BOOST_TEST(has_error(low.diags, "grants service `wiki`, which carries class 3C"), low.diags.to_string());
    const auto high = with_roles(
        "roles:\n  - {id: staff, layers: [internet], services: [wiki], data_class: 3C}\n" + both_users,
        "alpha",
        unclassified);
    BOOST_TEST(high.snap != nullptr, high.diags.to_string());
    BOOST_TEST((high.snap->document().services.back().max_class == sp::data_class::c3c));
}

BOOST_AUTO_TEST_CASE(role_granting_nothing)
{
    const auto c =
        with_roles(staff_role + "  - {id: idle, layers: [internet], data_class: 1}\n" +
                   "users:\n  - {id: tanaka, roles: [staff, idle]}\n  - {id: suzuki, roles: [staff]}\n");
    BOOST_TEST(c.snap == nullptr);
    BOOST_TEST(has_error(c.diags, "role `idle` grants nothing", "list the services"), c.diags.to_string());
    BOOST_TEST(c.diags.error_count() == 1U, c.diags.to_string());
}

BOOST_AUTO_TEST_CASE(policy_test_with_unknown_user_or_device)
{
    const std::string tests = "tests:\n"
                              "  - {name: t1, user: tanak, device: pc-1, layer: internet, target: "
                              "\"news.example.com:443\", expect: allow}\n"
                              "  - {name: t2, user: tanaka, device: laptop, layer: internet, target: "
                              "\"news.example.com:443\", expect: allow}\n";
    const auto c = with_roles(staff_role + both_users, "alpha", tests);
    BOOST_TEST(c.snap == nullptr);
    BOOST_TEST(has_error(c.diags, "policy test `t1`: there is no user `tanak`", "did you mean `tanaka`?"),
               c.diags.to_string());
    BOOST_TEST(has_error(c.diags, "policy test `t2`: there is no device `laptop`"), c.diags.to_string());
    // The tests themselves do not run on a policy with errors.
    BOOST_TEST(!has_error(c.diags, "failed"), c.diags.to_string());
}

// Policy tests ask as a user on a device, with or without MFA.
BOOST_AUTO_TEST_CASE(policy_tests_ask_as_a_user)
{
    const std::string tests =
        "tests:\n"
        "  - {name: ok, user: tanaka, device: pc-1, mfa: true, layer: internet, target: "
        "\"news.example.com:443\", expect: allow, rule: \"service:news\"}\n"
        "  - {name: one factor, user: tanaka, device: pc-1, layer: internet, target: "
        "\"news.example.com:443\", expect: deny, reason: mfa_required, rule: \"role:staff\"}\n"
        "  - {name: not owner, user: suzuki, device: pc-1, mfa: true, layer: internet, target: "
        "\"news.example.com:443\", expect: deny, reason: device_not_owned}\n"
        "  - {name: nobody, layer: internet, target: \"news.example.com:443\", expect: deny, "
        "reason: unknown_device, rule: \"identity:device\"}\n"
        "  - {name: no grant, user: tanaka, device: pc-1, mfa: true, layer: internet, target: "
        "\"records.cloud.example:443\", expect: deny, reason: not_granted}\n";
    const auto c = with_roles(staff_role + both_users, "alpha", tests);
    BOOST_TEST(c.snap != nullptr, c.diags.to_string());
    const auto wrong =
        with_roles(staff_role + both_users,
                   "alpha",
                   "tests:\n  - {name: t, user: tanaka, device: pc-1, layer: internet, target: "
                   "\"news.example.com:443\", expect: allow}\n");
    BOOST_TEST(wrong.snap == nullptr);
    BOOST_TEST(has_error(wrong.diags,
                         "policy test `t` failed: expected allow, got deny (mfa_required) by role:staff"),
               wrong.diags.to_string());
}

// Expiry is reported relative to compile_inputs.now: within 30 days, or past.
BOOST_AUTO_TEST_CASE(expiry_warnings)
{
    const std::string users = "users:\n"
                              "  - {id: tanaka, roles: [staff], expires: 2027-04-10}\n"
                              "  - {id: suzuki, roles: [staff], expires: 2027-03-15}\n"
                              "  - {id: sato, roles: [staff], expires: 2027-05-01}\n"
                              "  - {id: ito, roles: [staff], expires: \"2027-04-02T09:00+09:00\"}\n";
    const std::string devices =
        "  - {id: pc-3, owner: sato, kind: lent, status: active, serial: \"0c\", expires: 2027-04-30}\n"
        "  - {id: pc-4, owner: sato, kind: lent, status: active, serial: \"0d\", expires: 2027-03-01}\n"
        "  - {id: pc-5, owner: sato, kind: lent, status: retired, serial: \"0e\", expires: 2027-03-01}\n"
        "  - {id: pc-6, owner: sato, kind: lent, status: active, serial: \"0f\", expires: 2027-06-01}\n";
    const auto yaml = st::policy_yaml(staff_role + users, "alpha", {}, devices);
    const auto c = st::compile_at(yaml, st::at(st::thursday_10am));
    BOOST_TEST(c.snap != nullptr, "expiry only warns: " << c.diags.to_string());
    BOOST_TEST(has_warning(c.diags, "user `tanaka` expires on 2027-04-10 (in 9 days)", "extend `expires`"),
               c.diags.to_string());
    BOOST_TEST(has_warning(c.diags, "user `suzuki` expired on 2027-03-15: it is refused"),
               c.diags.to_string());
    BOOST_TEST(has_warning(c.diags, "user `ito` expires on 2027-04-02 (in 0 days)"), c.diags.to_string());
    BOOST_TEST(!has_warning(c.diags, "user `sato`"), c.diags.to_string());
    BOOST_TEST(has_warning(c.diags, "device `pc-3` expires on 2027-04-30 (in 29 days)"), c.diags.to_string());
    BOOST_TEST(has_warning(c.diags, "device `pc-4` expired on 2027-03-01"), c.diags.to_string());
    BOOST_TEST(!has_warning(c.diags, "device `pc-5`"),
               "retired devices are not reported: " << c.diags.to_string());
    BOOST_TEST(!has_warning(c.diags, "device `pc-6`"), c.diags.to_string());

    // A month earlier nothing has expired and only pc-4 is near.
    const auto before = st::compile_at(yaml, st::at("2027-02-15T10:00+09:00"));
    BOOST_TEST(!has_warning(before.diags, "expired on"), before.diags.to_string());
    BOOST_TEST(has_warning(before.diags, "device `pc-4` expires on 2027-03-01 (in 14 days)"),
               before.diags.to_string());
    BOOST_TEST(!has_warning(before.diags, "user `tanaka`"), before.diags.to_string());
}

BOOST_AUTO_TEST_CASE(byod_device_warning)
{
    const std::string phone = "  - {id: phone, owner: tanaka, kind: byod, status: active, serial: \"0c\"}\n";
    const auto refused = with_devices(phone);
    BOOST_TEST(refused.snap != nullptr, refused.diags.to_string());
    BOOST_TEST(has_warning(refused.diags,
                           "device `phone` is byod but byod_allowed is false: it is refused",
                           "set `byod_allowed: true`"),
               refused.diags.to_string());
    const auto allowed = with_devices(phone, "byod_allowed: true\n");
    BOOST_TEST(allowed.snap != nullptr, allowed.diags.to_string());
    BOOST_TEST(!has_warning(allowed.diags, "is byod"), allowed.diags.to_string());
    const auto lost =
        with_devices("  - {id: phone, owner: tanaka, kind: byod, status: lost, serial: \"0c\"}\n");
    BOOST_TEST(!has_warning(lost.diags, "is byod"), lost.diags.to_string());
}

BOOST_AUTO_TEST_CASE(unused_entries_and_single_factor_warn)
{
    const auto c =
        with_roles("roles:\n"
                   "  - {id: staff, layers: [internet], services: [news], data_class: 1, mfa: false}\n"
                   "  - {id: spare, layers: [internet], services: [news], data_class: 1}\n" +
                   std::string("users:\n  - {id: tanaka, roles: [staff]}\n  - {id: suzuki, roles: "
                               "[staff]}\n"));
    BOOST_TEST(c.snap != nullptr, c.diags.to_string());
    BOOST_TEST(has_warning(c.diags, "role `staff` admits single-factor sessions (mfa: false)"),
               c.diags.to_string());
    BOOST_TEST(has_warning(c.diags, "role `spare` is held by no user"), c.diags.to_string());
    BOOST_TEST(has_warning(c.diags, "service `groupware` is granted by no role: nobody can reach it"),
               c.diags.to_string());
    BOOST_TEST(has_warning(c.diags, "screen_transfer `vdi` is granted by no role"), c.diags.to_string());

    const auto nobody = compile_now(st::destinations_yaml() + staff_role);
    BOOST_TEST(nobody.snap != nullptr, nobody.diags.to_string());
    BOOST_TEST(has_warning(nobody.diags, "the policy lists no users: every tunnel will be refused"),
               nobody.diags.to_string());
}

// β and β': MFA and a posture check on every internet-layer role.
BOOST_AUTO_TEST_CASE(beta_models_need_mfa_and_posture)
{
    for (const char* model : {"beta", "beta_prime"})
    {
        BOOST_TEST_CONTEXT(model)
        {
            const auto ok = with_roles(beta_role + both_users, model);
            BOOST_TEST(ok.snap != nullptr, ok.diags.to_string());

            const auto no_mfa =
                with_roles("roles:\n  - {id: staff, layers: [internet], services: [groupware], "
                           "data_class: 2, posture_max_age: 7d, mfa: false}\n" +
                               both_users,
                           model);
            BOOST_TEST(no_mfa.snap == nullptr);
            BOOST_TEST(has_error(no_mfa.diags,
                                 "role `staff`: model " + std::string(model) +
                                     " requires MFA on every internet-layer role",
                                 "remove `mfa: false`"),
                       no_mfa.diags.to_string());

            const auto no_posture = with_roles(
                "roles:\n  - {id: staff, layers: [internet], services: [groupware], data_class: 2}\n" +
                    both_users,
                model);
            BOOST_TEST(no_posture.snap == nullptr);
            BOOST_TEST(has_error(no_posture.diags,
                                 "role `staff`: model " + std::string(model) +
                                     " requires an endpoint posture check on every internet-layer role",
                                 "posture_max_age"),
                       no_posture.diags.to_string());

            // An lgwan-only role may admit one factor (with the usual warning).
            const auto lgwan =
                with_roles(beta_role + "  - {id: desk, layers: [lgwan], screen_transfer: [vdi], data_class: "
                                       "1, mfa: false}\n"
                                       "users:\n  - {id: tanaka, roles: [staff, desk]}\n  - {id: suzuki, "
                                       "roles: [staff]}\n",
                           model);
            BOOST_TEST(lgwan.snap != nullptr, lgwan.diags.to_string());
            BOOST_TEST(has_warning(lgwan.diags, "role `desk` admits single-factor sessions"),
                       lgwan.diags.to_string());
        }
    }
    // In α the same roles only warn, or are fine.
    const auto alpha = with_roles(
        "roles:\n  - {id: staff, layers: [internet], services: [groupware], data_class: 2, mfa: false}\n" +
        both_users);
    BOOST_TEST(alpha.snap != nullptr, alpha.diags.to_string());
}

// β': posture reports at most a week old, and no BYOD.
BOOST_AUTO_TEST_CASE(beta_prime_is_stricter)
{
    const auto old =
        with_roles("roles:\n  - {id: staff, layers: [internet], services: [groupware], data_class: 2, "
                   "posture_max_age: 8d}\n" +
                       both_users,
                   "beta_prime");
    BOOST_TEST(old.snap == nullptr);
    BOOST_TEST(has_error(old.diags,
                         "role `staff`: model beta_prime allows posture reports at most 7 days old",
                         "posture_max_age: 7d"),
               old.diags.to_string());
    BOOST_TEST(with_roles("roles:\n  - {id: staff, layers: [internet], services: [groupware], data_class: 2, "
                          "posture_max_age: 168h}\n" +
                              both_users,
                          "beta_prime")
                   .snap != nullptr);
    BOOST_TEST(with_roles("roles:\n  - {id: staff, layers: [internet], services: [groupware], data_class: 2, "
                          "posture_max_age: 8d}\n" +
                              both_users,
                          "beta")
                   .snap != nullptr);

    const auto byod = with_roles(beta_role + both_users, "beta_prime", "byod_allowed: true\n");
    BOOST_TEST(byod.snap == nullptr);
    BOOST_TEST(has_error(byod.diags, "model beta_prime does not allow BYOD devices", "byod_allowed: false"),
               byod.diags.to_string());
    BOOST_TEST(with_roles(beta_role + both_users, "beta", "byod_allowed: true\n").snap != nullptr);
}

// Mistakes inside roles:, users: and devices: entries, found by the loader.
BOOST_AUTO_TEST_CASE(entry_errors)
{
    const std::pair<std::string, std::string> cases[] = {
        {"  - {id: r, layers: [mynumber], services: [news], data_class: 1}\n",
         "roles[1].layers[0]: the My Number layer is never reachable by telework"},
        {"  - {id: r, layers: [wan], services: [news], data_class: 1}\n",
         "roles[1].layers[0] `wan` is not a layer"},
        {"  - {id: r, layers: [], services: [news], data_class: 1}\n", "roles[1].layers is empty"},
        {"  - {id: r, layers: [internet], services: [news], data_class: 3B}\n",
         "roles[1].data_class 3B: 3A and 3B information is never handled by telework"},
        {"  - {id: r, layers: [internet], services: [news], data_class: 3a}\n", "roles[1].data_class 3A"},
        {"  - {id: r, layers: [internet], services: [news], data_class: 4}\n", "`4` is not a data class"},
        {"  - {id: r, layers: [internet], services: [news], data_class: 1, enforce: audit}\n",
         "roles[1].enforce `audit` is not a mode"},
        {"  - {id: r, layers: [internet], services: [news], data_class: 1, posture_max_age: 30m}\n",
         "roles[1].posture_max_age"},
        {"  - {id: r, layers: [internet], services: [news], data_class: 1, limits: {tunnels_per_user: 0}}\n",
         "roles[1].limits.tunnels_per_user"},
        {"  - {id: r, layers: [internet], services: [news], data_class: 1, mfa: maybe}\n", "roles[1].mfa"},
        {"  - {id: r, layers: [internet], services: [News], data_class: 1}\n", "roles[1].services[0]"},
        {"  - {id: r, layers: [internet], service: [news], data_class: 1}\n",
         "unknown key `service` in roles[1]"},
        {"  - {id: r, layers: [internet], services: [news]}\n",
         "roles[1] is missing the required key `data_class`"},
    };
    for (const auto& [role, message] : cases)
    {
        const auto c = with_roles(staff_role + role + both_users);
        BOOST_TEST(c.snap == nullptr, message);
        BOOST_TEST(has_error(c.diags, message), message << ": " << c.diags.to_string());
    }

    const std::pair<std::string, std::string> device_cases[] = {
        {"  - {id: d, owner: tanaka, kind: lent, status: active}\n",
         "devices[2] has neither `fingerprint` nor `serial`"},
        {"  - {id: d, owner: tanaka, kind: lent, status: active, fingerprint: \"abcd\"}\n",
         "devices[2].fingerprint is not a SHA-256 fingerprint"},
        {"  - {id: d, owner: tanaka, kind: lent, status: active, serial: \"zz\"}\n",
         "devices[2].serial is not a certificate serial number"},
        {"  - {id: d, owner: tanaka, kind: rented, status: active, serial: \"0c\"}\n",
         "devices[2].kind `rented` is not a device kind"},
        {"  - {id: d, owner: tanaka, kind: lent, status: stolen, serial: \"0c\"}\n",
         "devices[2].status `stolen` is not a device status"},
        {"  - {id: d, owner: tanaka, kind: lent, status: active, serial: \"0c\", expires: soon}\n",
         "devices[2].expires `soon` is not a time"},
        {"  - {id: d, kind: lent, status: active, serial: \"0c\"}\n",
         "devices[2] is missing the required key `owner`"},
    };
    for (const auto& [device, message] : device_cases)
    {
        const auto c = with_devices(device);
        BOOST_TEST(c.snap == nullptr, message);
        BOOST_TEST(has_error(c.diags, message), message << ": " << c.diags.to_string());
    }

    const auto empty_roles =
        with_roles(staff_role + "users:\n  - {id: tanaka, roles: []}\n  - {id: suzuki, roles: "
                                "[staff]}\n");
    BOOST_TEST(has_error(empty_roles.diags, "users[0].roles is empty"), empty_roles.diags.to_string());
}

// The per-user tunnel limit is the largest among the user's roles.
BOOST_AUTO_TEST_CASE(tunnels_per_user_is_the_largest)
{
    const auto c = with_roles(
        "roles:\n"
        "  - {id: a, layers: [internet], services: [news], data_class: 1, limits: {tunnels_per_user: 8}}\n"
        "  - {id: b, layers: [internet], services: [news], data_class: 1, limits: {tunnels_per_user: 32}}\n"
        "  - {id: c, layers: [internet], services: [news], data_class: 1}\n"
        "users:\n  - {id: tanaka, roles: [a, b, c]}\n  - {id: suzuki, roles: [c]}\n");
    BOOST_TEST_REQUIRE(c.snap != nullptr, c.diags.to_string());
    BOOST_TEST(c.snap->tunnels_per_user(*c.snap->find_user("tanaka")) == 32U);
    BOOST_TEST(c.snap->tunnels_per_user(*c.snap->find_user("suzuki")) == 0U);
    const auto& roles = c.snap->roles_of(*c.snap->find_user("tanaka"));
    BOOST_TEST(roles.size() == 3U);
}

BOOST_AUTO_TEST_SUITE_END()
