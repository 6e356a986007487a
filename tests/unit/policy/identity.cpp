// Who is asking: data classes, fingerprint and serial spellings, finding a
// device by its certificate, and every identity reason decide() gives (with
// the rule that names the device or user), in the order they are checked.

#include "decide_policy.hpp"
#include "identity_policy.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <set>
#include <string>

namespace sp = sekisho::policy;
namespace st = sekisho::test;
using sp::layer;
using st::check;

namespace {

// Users and devices for each identity reason (at 2027-04-01 10:00 JST).
const std::string people = R"(roles:
  - id: staff
    layers: [lgwan, internet]
    services: [news, groupware]
    screen_transfer: [vdi]
    data_class: 2
users:
  - {id: tanaka, roles: [staff]}
  - {id: suzuki, roles: [staff]}
  - {id: sato, roles: [staff], expires: 2027-03-31}
  - {id: ito, roles: [staff], expires: "2027-04-01T10:00+09:00"}
devices:
  - {id: pc-1, owner: tanaka, kind: lent, status: active, serial: "01"}
  - {id: pc-lost, owner: tanaka, kind: lent, status: lost, serial: "02"}
  - {id: pc-retired, owner: tanaka, kind: lent, status: retired, serial: "03"}
  - {id: pc-old, owner: tanaka, kind: lent, status: active, serial: "04", expires: 2027-03-31}
  - {id: phone, owner: tanaka, kind: byod, status: active, serial: "05"}
  - {id: pc-sato, owner: sato, kind: lent, status: active, serial: "06"}
  - {id: pc-ito, owner: ito, kind: lent, status: active, serial: "07"}
)";

st::asker people_asker(std::string_view extra = {})
{
    const auto now = st::at(st::thursday_10am);
    return {st::compile_ok(st::destinations_yaml("alpha", extra) + people, now), now};
}

constexpr const char* groupware = "files.cloud.example:443";

const std::string fingerprint_hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

} // namespace

BOOST_AUTO_TEST_SUITE(identity)

BOOST_AUTO_TEST_CASE(data_class_names)
{
    const std::pair<const char*, sp::data_class> good[] = {{"1", sp::data_class::c1},
                                                           {"2", sp::data_class::c2},
                                                           {"3C", sp::data_class::c3c},
                                                           {"3c", sp::data_class::c3c},
                                                           {"3B", sp::data_class::c3b},
                                                           {"3b", sp::data_class::c3b},
                                                           {"3A", sp::data_class::c3a},
                                                           {"3a", sp::data_class::c3a}};
    for (const auto& [text, cls] : good)
    {
        BOOST_TEST_CONTEXT(text)
        {
            const auto parsed = sp::parse_data_class(text);
            BOOST_TEST_REQUIRE(parsed.has_value());
            BOOST_TEST((*parsed == cls));
        }
    }
    for (const char* text : {"", "0", "3", "4", "3D", "c3", "03", "3CC", " 1", "1 ", "33", "Z"})
    {
        BOOST_TEST(!sp::parse_data_class(text).has_value(), "`" << text << "`");
    }
    BOOST_TEST(sp::to_string(sp::data_class::c3c) == "3C");
    BOOST_TEST(sp::to_string(sp::data_class::c3a) == "3A");
    // Ordered from public to secret.
    BOOST_TEST((sp::data_class::c1 < sp::data_class::c2 && sp::data_class::c2 < sp::data_class::c3c &&
                sp::data_class::c3c < sp::data_class::c3b && sp::data_class::c3b < sp::data_class::c3a));
}

BOOST_AUTO_TEST_CASE(fingerprint_spellings)
{
    std::string colons;
    for (std::size_t i = 0; i < fingerprint_hex.size(); i += 2)
    {
        colons += (i == 0 ? "" : ":") + fingerprint_hex.substr(i, 2);
    }
    std::string upper = colons;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) {
        return static_cast<char>(std::toupper(c));
    });
    for (const std::string& text :
         {fingerprint_hex, colons, upper, "sha256:" + fingerprint_hex, "SHA256:" + upper})
    {
        BOOST_TEST(sp::normalise_fingerprint(text).value_or("?") == fingerprint_hex, text);
    }
    for (const std::string& text : {std::string(),
                                    fingerprint_hex.substr(1),
                                    fingerprint_hex + "0",
                                    "sha1:" + fingerprint_hex,
                                    fingerprint_hex.substr(0, 63) + "g",
                                    " " + fingerprint_hex,
                                    std::string(40, 'a')})
    {
        BOOST_TEST(!sp::normalise_fingerprint(text).has_value(), "`" << text << "`");
    }
}

BOOST_AUTO_TEST_CASE(serial_spellings)
{
    const std::pair<const char*, const char*> good[] = {{"0A:1B", "a1b"},
                                                        {"0x0a1b", "a1b"},
                                                        {"0X0A1B", "a1b"},
                                                        {"a1b", "a1b"},
                                                        {"000a1b", "a1b"},
                                                        {"00", "0"},
                                                        {"0", "0"},
                                                        {"01", "1"}};
    for (const auto& [text, want] : good)
    {
        BOOST_TEST(sp::normalise_serial(text).value_or("?") == want, text);
    }
    for (const std::string& text : {std::string(),
                                    std::string("0x"),
                                    std::string(":"),
                                    std::string("xyz"),
                                    std::string("12 34"),
                                    std::string(41, '1')})
    {
        BOOST_TEST(!sp::normalise_serial(text).has_value(), "`" << text << "`");
    }
    BOOST_TEST(sp::normalise_serial(std::string(40, 'f')).has_value());
}

// The loader stores both normalised, so a certificate's own spelling finds
// the device once normalised the same way.
BOOST_AUTO_TEST_CASE(devices_by_certificate)
{
    const auto now = st::at(st::thursday_10am);
    const std::string yaml = st::destinations_yaml() + R"(roles:
  - {id: staff, layers: [internet], services: [groupware], data_class: 2}
users:
  - {id: tanaka, roles: [staff]}
devices:
  - id: pc-1
    owner: tanaka
    kind: lent
    status: active
    fingerprint: "sha256:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"
    serial: "0A:1B"
  - {id: pc-2, owner: tanaka, kind: lent, status: active, serial: "0x00ff"}
)";
    const auto snap = st::compile_ok(yaml, now);
    const auto* pc1 = snap->find_device("pc-1");
    const auto* pc2 = snap->find_device("pc-2");
    BOOST_TEST_REQUIRE(pc1 != nullptr);
    BOOST_TEST_REQUIRE(pc2 != nullptr);
    BOOST_TEST(pc1->fingerprint == fingerprint_hex);
    BOOST_TEST(pc1->serial == "a1b");
    BOOST_TEST(pc2->fingerprint.empty());
    BOOST_TEST(pc2->serial == "ff");
    BOOST_TEST(snap->find_device("pc-3") == nullptr);

    const std::string other(64, 'e');
    BOOST_TEST(snap->find_device_by_certificate(fingerprint_hex, "") == pc1);
    BOOST_TEST(snap->find_device_by_certificate(fingerprint_hex, "ff") == pc1, "the fingerprint decides");
    // pc-1 is listed with a fingerprint: its serial alone does not match it
    // (another CA may have issued a certificate with the same serial).
    BOOST_TEST(snap->find_device_by_certificate(other, "a1b") == nullptr);
    BOOST_TEST(snap->find_device_by_certificate("", "a1b") == nullptr);
    // pc-2 has only a serial.
    BOOST_TEST(snap->find_device_by_certificate(other, "ff") == pc2);
    BOOST_TEST(snap->find_device_by_certificate("", "ff") == pc2);
    BOOST_TEST(snap->find_device_by_certificate(other, "") == nullptr);
    BOOST_TEST(snap->find_device_by_certificate("", "") == nullptr);
    // A certificate as openssl prints it, normalised by the caller.
    BOOST_TEST(snap->find_device_by_certificate(*sp::normalise_fingerprint("SHA256:" + fingerprint_hex),
                                                *sp::normalise_serial("00:FF")) == pc1);
    BOOST_TEST(snap->find_device_by_certificate(other, *sp::normalise_serial("00:FF")) == pc2);

    BOOST_TEST(snap->find_user("tanaka") != nullptr);
    BOOST_TEST(snap->find_user("nobody") == nullptr);
}

BOOST_AUTO_TEST_CASE(kind_and_status_names)
{
    BOOST_TEST(sp::to_string(sp::device_kind::lent) == "lent");
    BOOST_TEST(sp::to_string(sp::device_kind::byod) == "byod");
    BOOST_TEST(sp::to_string(sp::device_status::active) == "active");
    BOOST_TEST(sp::to_string(sp::device_status::lost) == "lost");
    BOOST_TEST(sp::to_string(sp::device_status::retired) == "retired");
}

// Every reason has its own stable name and parses back.
BOOST_AUTO_TEST_CASE(every_reason_round_trips)
{
    std::set<std::string_view> names;
    const int last = static_cast<int>(sp::reason::mfa_required);
    for (int i = 0; i <= last; ++i)
    {
        const auto r = static_cast<sp::reason>(i);
        names.insert(sp::to_string(r));
        BOOST_TEST((sp::parse_reason(sp::to_string(r)) == r), sp::to_string(r));
    }
    BOOST_TEST(names.size() == static_cast<std::size_t>(last + 1));
    for (const char* name : {"unknown_device",
                             "device_lost",
                             "device_retired",
                             "device_expired",
                             "byod_not_allowed",
                             "unknown_user",
                             "user_expired",
                             "device_not_owned",
                             "not_granted",
                             "data_class",
                             "outside_hours",
                             "posture_stale",
                             "mfa_required"})
    {
        BOOST_TEST(names.count(name) == 1U, name);
    }
    BOOST_TEST(!sp::parse_reason("denied").has_value());
    BOOST_TEST(!sp::parse_reason("").has_value());
}

// Only a role's own conditions may be reported instead of enforced.
BOOST_AUTO_TEST_CASE(only_role_conditions_are_reportable)
{
    // Not data_class (data above the role's class is the harm itself) and
    // not mfa_required (two factors are a rule of telework).
    const std::set<sp::reason> reportable{
        sp::reason::not_granted, sp::reason::outside_hours, sp::reason::posture_stale};
    for (int i = 0; i <= static_cast<int>(sp::reason::mfa_required); ++i)
    {
        const auto r = static_cast<sp::reason>(i);
        BOOST_TEST(sp::reportable(r) == (reportable.count(r) == 1U), sp::to_string(r));
    }
}

BOOST_AUTO_TEST_CASE(registered_device_of_its_owner_is_allowed)
{
    const auto ask = people_asker();
    const auto r = ask(layer::internet, groupware, "tanaka", "pc-1");
    check(r, "tanaka on pc-1", "allowed", "service:groupware");
    BOOST_TEST(r.role_id == "staff");
    BOOST_TEST(r.service_id == "groupware");
    BOOST_TEST(!r.report_only());
    check(ask(layer::lgwan, "vdi.lgwan.example.jp:443", "tanaka", "pc-1"),
          "lgwan",
          "allowed",
          "screen_transfer:vdi");
}

BOOST_AUTO_TEST_CASE(unknown_device)
{
    const auto ask = people_asker();
    for (const char* device : {"", "pc-9", "PC-1"})
    {
        const auto r = ask(layer::internet, groupware, "tanaka", device);
        check(r, std::string("device `") + device + "`", "unknown_device", "identity:device");
        BOOST_TEST(r.role_id.empty());
    }
}

BOOST_AUTO_TEST_CASE(lost_retired_and_expired_devices)
{
    const auto ask = people_asker();
    check(ask(layer::internet, groupware, "tanaka", "pc-lost"), "lost", "device_lost", "device:pc-lost");
    check(ask(layer::lgwan, "vdi.lgwan.example.jp:443", "tanaka", "pc-retired"),
          "retired",
          "device_retired",
          "device:pc-retired");
    check(ask(layer::internet, groupware, "tanaka", "pc-old"), "expired", "device_expired", "device:pc-old");
    // `expires: 2027-03-31` is valid through the end of that day in Tokyo.
    check(ask.ask_at(st::at("2027-03-31T23:59:59+09:00"), layer::internet, groupware, "tanaka", "pc-old"),
          "last second",
          "allowed",
          "service:groupware");
    check(ask.ask_at(st::at("2027-04-01T00:00+09:00"), layer::internet, groupware, "tanaka", "pc-old"),
          "midnight",
          "device_expired",
          "device:pc-old");
}

BOOST_AUTO_TEST_CASE(byod_needs_byod_allowed)
{
    check(people_asker()(layer::internet, groupware, "tanaka", "phone"),
          "byod refused",
          "byod_not_allowed",
          "device:phone");
    check(people_asker("byod_allowed: true\n")(layer::internet, groupware, "tanaka", "phone"),
          "byod allowed",
          "allowed",
          "service:groupware");
}

BOOST_AUTO_TEST_CASE(unknown_and_expired_users)
{
    const auto ask = people_asker();
    check(ask(layer::internet, groupware, "", "pc-1"), "nobody", "unknown_user", "identity:user");
    const auto ghost = ask(layer::internet, groupware, "ghost", "pc-1");
    check(ghost, "ghost", "unknown_user", "identity:user");
    BOOST_TEST(ghost.detail == "ghost");
    check(ask(layer::internet, groupware, "sato", "pc-sato"), "sato", "user_expired", "user:sato");
    // Expired at the very instant `expires` names.
    check(ask(layer::internet, groupware, "ito", "pc-ito"), "ito", "user_expired", "user:ito");
    check(ask.ask_at(st::at("2027-04-01T09:59+09:00"), layer::internet, groupware, "ito", "pc-ito"),
          "ito before",
          "allowed",
          "service:groupware");
}

BOOST_AUTO_TEST_CASE(device_of_another_user)
{
    const auto r = people_asker()(layer::internet, groupware, "suzuki", "pc-1");
    check(r, "suzuki on pc-1", "device_not_owned", "device:pc-1");
    BOOST_TEST(r.detail == "owner tanaka");
}

// The device is checked before the user, the user's expiry before ownership.
BOOST_AUTO_TEST_CASE(identity_order)
{
    const auto ask = people_asker();
    check(ask(layer::internet, groupware, "", ""), "nobody, nothing", "unknown_device", "identity:device");
    check(ask(layer::internet, groupware, "ghost", "pc-lost"),
          "ghost on lost",
          "device_lost",
          "device:pc-lost");
    check(ask(layer::internet, groupware, "suzuki", "phone"),
          "suzuki on byod",
          "byod_not_allowed",
          "device:phone");
    check(ask(layer::internet, groupware, "sato", "pc-1"), "expired, not owner", "user_expired", "user:sato");
}

// The invariants that do not depend on who asks come first; the identity
// comes before the layer and the destination.
BOOST_AUTO_TEST_CASE(identity_between_invariants_and_destination)
{
    const auto ask = people_asker();
    for (const char* t : {"juki.mynumber.example.jp:443", "10.20.0.1:443", "[::ffff:10.20.0.1]:443"})
    {
        check(ask(layer::internet, t, "", ""), t, "mynumber_zone", "invariant:mynumber");
        check(ask(layer::lgwan, t, "ghost", "pc-lost"), t, "mynumber_zone", "invariant:mynumber");
    }
    check(ask(layer::internet, "127.0.0.1:443", "", ""),
          "loopback",
          "special_address",
          "invariant:special_address");
    for (const char* t :
         {"vdi.lgwan.example.jp:443", "evil.example:443", "files.cloud.example:80", "8.8.8.8:443"})
    {
        check(ask(layer::internet, t, "", ""), t, "unknown_device", "identity:device");
        check(ask(layer::internet, t, "tanaka", "pc-lost"), t, "device_lost", "device:pc-lost");
    }
    check(ask(layer::internet, "vdi.lgwan.example.jp:443", "tanaka", "pc-1"),
          "known",
          "layer_mismatch",
          "invariant:one_layer");
}

BOOST_AUTO_TEST_SUITE_END()
