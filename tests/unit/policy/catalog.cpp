// The cloud service catalog (policy/catalog.hpp): every rule with an allow
// and a deny, decided at the moment asked — certification validity across the
// midnight-JST boundary, pending renewals, withdrawal, ISMAP-LIU categories,
// supply-chain restrictions and residency, reviews, known-exploited
// vulnerabilities — and exceptions, which waive catalog rules for a time and
// nothing else. Load and compile diagnostics come with file:line.

#include "decide_policy.hpp"
#include "identity_policy.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

namespace sp = sekisho::policy;
namespace st = sekisho::test;
using sp::layer;
using st::check;

namespace {

// tanaka may reach every service tagged `cat` (class up to 3C, business
// web_conference); suzuki the same without a business.
const std::string roles = R"(roles:
  - id: staff
    layers: [internet]
    services: ["tag:cat"]
    data_class: 3C
    business: [web_conference]
  - id: other
    layers: [internet]
    services: ["tag:cat"]
    data_class: 3C
users:
  - {id: tanaka, roles: [staff]}
  - {id: suzuki, roles: [other]}
)";

// One catalogued service `svc` at svc.example.jp:443 with the given class
// and catalog keys (YAML lines indented for a service entry), and `tail`
// after the services (supply_chain:, exceptions:).
std::string policy_with(const std::string& data_class, const std::string& keys, const std::string& tail = {})
{
    return st::policy_yaml(roles,
                           "alpha",
                           "  - id: svc\n    domains: [svc.example.jp]\n    ports: [443]\n    data_class: " +
                               data_class + "\n    tags: [cat]\n" + keys + tail);
}

const std::string ismap_2027 = "    certification: {scheme: ismap, number: C21-0001-1, registered: "
                               "2021-04-01, valid_until: 2027-03-31}\n";

st::compiled compile_with(const std::string& yaml)
{
    return st::compile_at(yaml, st::at("2026-11-22T10:00+09:00"));
}

sp::decision ask(const st::compiled& c, const char* when, const char* user = "tanaka")
{
    BOOST_TEST_REQUIRE(c.snap != nullptr, c.diags.to_string());
    const st::asker a{c.snap, st::at(when)};
    return a(layer::internet, "svc.example.jp:443", user, user == std::string("tanaka") ? "pc-1" : "pc-2");
}

} // namespace

BOOST_AUTO_TEST_SUITE(catalog)

// A certification is valid through its valid_until day in Asia/Tokyo and
// ends at the next 00:00 JST, whatever the time zone of the machine.
BOOST_AUTO_TEST_CASE(certification_expires_at_midnight_tokyo)
{
    const auto c = compile_with(policy_with("2", ismap_2027));
    check(ask(c, "2027-03-31T23:59:59+09:00"), "last second", "allowed", "service:svc");
    check(ask(c, "2027-03-31T14:59:59Z"), "the same second in UTC", "allowed", "service:svc");
    const auto expired = ask(c, "2027-04-01T00:00:00+09:00");
    check(expired, "midnight", "certification_expired", "catalog:svc");
    BOOST_TEST(expired.detail == "ismap C21-0001-1 valid until 2027-03-31", expired.detail);
    BOOST_TEST(expired.service_id == "svc");
    // Before its registration date it is not valid yet.
    check(ask(c, "2021-03-31T23:59:59+09:00"),
          "before registration",
          "certification_not_yet_valid",
          "catalog:svc");
    check(ask(c, "2021-04-01T00:00:00+09:00"), "registration day", "allowed", "service:svc");
}

BOOST_AUTO_TEST_CASE(a_pending_renewal_keeps_it_valid_and_withdrawal_ends_it)
{
    const auto pending = compile_with(policy_with("2",
                                                  "    certification: {scheme: ismap, number: C1, "
                                                  "valid_until: 2027-03-31, renewal_pending: 2027-02-01}\n"));
    check(ask(pending, "2027-06-01T10:00+09:00"), "renewal pending", "allowed", "service:svc");

    const auto withdrawn = compile_with(policy_with(
        "2",
        "    certification: {scheme: ismap, number: C1, valid_until: 2027-03-31, withdrawn: 2027-01-10}\n"));
    check(ask(withdrawn, "2027-01-09T23:59:59+09:00"), "day before", "allowed", "service:svc");
    check(ask(withdrawn, "2027-01-10T00:00+09:00"), "withdrawn", "certification_withdrawn", "catalog:svc");

    const auto none = compile_with(policy_with("2", ""));
    check(ask(none, "2026-11-22T10:00+09:00"), "no certification", "certification_missing", "catalog:svc");
    BOOST_TEST(st::has_warning(none.diags, "service `svc` has no certification"), none.diags.to_string());
}

BOOST_AUTO_TEST_CASE(ismap_liu_only_for_its_business_categories_and_class_2)
{
    const std::string liu = "    certification: {scheme: ismap_liu, number: L1, valid_until: 2030-03-31, "
                            "liu_categories: [web_conference, file_sharing]}\n";
    const auto c = compile_with(policy_with("2", liu));
    check(ask(c, "2026-11-22T10:00+09:00"), "web_conference role", "allowed", "service:svc");
    check(ask(c, "2026-11-22T10:00+09:00", "suzuki"), "no business", "liu_category", "role:other");

    const auto high = compile_with(policy_with("3C", liu));
    BOOST_TEST(high.snap == nullptr);
    BOOST_TEST(st::has_error(
                   high.diags, "registered under ISMAP-LIU but approved for class 3C", "data_class 1 or 2"),
               high.diags.to_string());
    const auto no_categories =
        sp::load_policy_text(policy_with("2",
                                         "    certification: {scheme: ismap_liu, number: L1, "
                                         "valid_until: 2030-03-31}\n"),
                             "p.yaml");
    BOOST_TEST(st::has_error(no_categories.diags, "is ismap_liu without liu_categories"),
               no_categories.diags.to_string());
}

BOOST_AUTO_TEST_CASE(municipal_assessment_up_to_the_policys_ceiling)
{
    const std::string own =
        "    certification: {scheme: municipal_assessment, number: M1, valid_until: 2030-03-31}\n";
    const auto one = compile_with(policy_with("1", own));
    check(ask(one, "2026-11-22T10:00+09:00"), "class 1", "allowed", "service:svc");
    const auto two = compile_with(policy_with("2", own));
    BOOST_TEST(two.snap == nullptr);
    BOOST_TEST(st::has_error(two.diags, "has only a municipal assessment but is approved for class 2"),
               two.diags.to_string());
    const auto raised =
        compile_with(policy_with("2", own, "supply_chain:\n  municipal_assessment_max_class: 2\n"));
    check(ask(raised, "2026-11-22T10:00+09:00"), "ceiling raised", "allowed", "service:svc");
}

BOOST_AUTO_TEST_CASE(restricted_providers_and_countries)
{
    const std::string record = ismap_2027 +
                               "    provider: {name: Example K.K., corporate_number: \"1234567890123\", "
                               "country: JP, parent_country: US}\n"
                               "    subprocessors:\n      - {name: Mail Co, country: IE}\n";
    const auto clean =
        compile_with(policy_with("2", record, "supply_chain:\n  restricted_countries: [XX]\n"));
    check(ask(clean, "2026-11-22T10:00+09:00"), "nothing restricted", "allowed", "service:svc");

    for (const auto& [list, detail] :
         {std::pair<std::string, std::string>{"[US]", "provider Example K.K.'s parent in US"},
          {"[IE]", "subprocessor Mail Co in IE"},
          {"[JP]", "provider Example K.K. in JP"}})
    {
        const auto c =
            compile_with(policy_with("2", record, "supply_chain:\n  restricted_countries: " + list + "\n"));
        const auto d = ask(c, "2026-11-22T10:00+09:00");
        check(d, list, "restricted_country", "supply_chain:restricted_countries");
        BOOST_TEST(d.detail == detail);
        BOOST_TEST(st::has_warning(c.diags, "every tunnel to it is denied (restricted_country)"),
                   c.diags.to_string());
    }
    for (const char* who : {"Example K.K.", "\"1234567890123\""})
    {
        const auto c = compile_with(
            policy_with("2", record, std::string("supply_chain:\n  restricted_providers: [") + who + "]\n"));
        check(ask(c, "2026-11-22T10:00+09:00"),
              who,
              "restricted_provider",
              "supply_chain:restricted_providers");
    }
}

// With a restriction list in force, an unrecorded provider is not clear of it.
BOOST_AUTO_TEST_CASE(restriction_lists_deny_an_unrecorded_provider)
{
    const auto countries =
        compile_with(policy_with("2", ismap_2027, "supply_chain:\n  restricted_countries: [XX]\n"));
    const auto d = ask(countries, "2026-11-22T10:00+09:00");
    check(d, "no provider country", "restricted_country", "supply_chain:restricted_countries");
    BOOST_TEST(d.detail == "provider country not recorded");
    const auto providers =
        compile_with(policy_with("2", ismap_2027, "supply_chain:\n  restricted_providers: [Bad]\n"));
    check(ask(providers, "2026-11-22T10:00+09:00"),
          "no provider",
          "restricted_provider",
          "supply_chain:restricted_providers");
    // Without lists, nothing is asked of the provider record.
    check(ask(compile_with(policy_with("2", ismap_2027)), "2026-11-22T10:00+09:00"),
          "no lists",
          "allowed",
          "service:svc");
}

// An exception may waive liu_category too, and is then named.
BOOST_AUTO_TEST_CASE(an_liu_category_exception_is_named)
{
    const auto c = compile_with(policy_with("2",
                                            "    certification: {scheme: ismap_liu, number: L1, valid_until: "
                                            "2030-03-31, liu_categories: [file_sharing]}\n",
                                            "exceptions:\n  - {id: pilot, service: svc, waives: "
                                            "[liu_category], from: 2026-11-01, until: 2026-12-31, "
                                            "approved_by: CISO, reason: trial}\n"));
    const auto d = ask(c, "2026-11-22T10:00+09:00", "suzuki");
    check(d, "waived", "allowed", "service:svc");
    BOOST_TEST(d.exception_id == "pilot");
    check(ask(c, "2027-01-01T00:00+09:00", "suzuki"), "after it", "liu_category", "role:other");
}

BOOST_AUTO_TEST_CASE(residency_by_data_class)
{
    const std::string rule = "supply_chain:\n  residency:\n    - {min_class: 2, countries: [JP]}\n";
    const auto in_japan =
        compile_with(policy_with("2", ismap_2027 + "    residency: {storage: [JP], failover: [JP]}\n", rule));
    check(ask(in_japan, "2026-11-22T10:00+09:00"), "JP only", "allowed", "service:svc");

    const auto failover_abroad =
        compile_with(policy_with("2", ismap_2027 + "    residency: {storage: [JP], failover: [SG]}\n", rule));
    const auto d = ask(failover_abroad, "2026-11-22T10:00+09:00");
    check(d, "failover in SG", "residency", "supply_chain:residency[0]");
    BOOST_TEST(d.detail == "failover in SG");

    const auto unrecorded = compile_with(policy_with("2", ismap_2027, rule));
    check(
        ask(unrecorded, "2026-11-22T10:00+09:00"), "not recorded", "residency", "supply_chain:residency[0]");
    // Class 1 is below the rule: storage abroad is fine.
    const auto public_data =
        compile_with(policy_with("1", ismap_2027 + "    residency: {storage: [US], failover: [US]}\n", rule));
    check(ask(public_data, "2026-11-22T10:00+09:00"), "class 1 abroad", "allowed", "service:svc");
}

BOOST_AUTO_TEST_CASE(review_overdue_denies_or_warns)
{
    const std::string approval =
        ismap_2027 + "    approval: {by: CISO, on: 2026-04-01, review_due: 2026-12-31}\n";
    const auto deny = compile_with(policy_with("2", approval));
    check(ask(deny, "2026-12-31T23:59+09:00"), "due day", "allowed", "service:svc");
    check(ask(deny, "2027-01-01T00:00+09:00"), "overdue", "review_overdue", "catalog:svc");
    const auto near = st::compile_at(policy_with("2", approval), st::at("2026-12-10T10:00+09:00"));
    BOOST_TEST(st::has_warning(near.diags, "review is due on 2026-12-31 (in 21 days)"),
               near.diags.to_string());

    const auto warn = compile_with(policy_with("2", approval, "supply_chain:\n  review_overdue: warn\n"));
    const auto d = ask(warn, "2027-01-01T00:00+09:00");
    check(d, "warn", "allowed", "service:svc");
    BOOST_TEST(sp::to_string(d.would_deny) == "review_overdue");
}

BOOST_AUTO_TEST_CASE(known_exploited_vulnerabilities)
{
    const auto open =
        compile_with(policy_with("2", ismap_2027 + "    sbom: {kev_open: 2, attested: 2026-11-01}\n"));
    const auto d = ask(open, "2026-11-22T10:00+09:00");
    check(d, "open KEV", "kev_open", "catalog:svc");
    BOOST_TEST(d.detail == "2 open past the grace period");
    const auto clean =
        compile_with(policy_with("2",
                                 ismap_2027 + "    sbom: {received: 2026-03-01, format: cyclonedx, "
                                              "kev_open: 0, attested: 2026-11-01}\n",
                                 "supply_chain:\n  kev_attestation_max_age: 90d\n"));
    check(ask(clean, "2026-11-22T10:00+09:00"), "attested clean", "allowed", "service:svc");
    check(ask(clean, "2027-03-01T10:00+09:00"),
          "attestation too old",
          "kev_open",
          "supply_chain:kev_attestation_max_age");
    const auto unattested =
        compile_with(policy_with("2", ismap_2027, "supply_chain:\n  kev_attestation_max_age: 90d\n"));
    check(ask(unattested, "2026-11-22T10:00+09:00"),
          "no attestation",
          "kev_open",
          "supply_chain:kev_attestation_max_age");
}

// An exception waives the rules it names, for its dates, and is named in
// the decision; other rules still apply.
BOOST_AUTO_TEST_CASE(exceptions_waive_catalog_rules_for_a_time)
{
    const std::string local_vendor = "    provider: {name: 地元ベンダー株式会社, country: JP}\n";
    const std::string exception =
        "exceptions:\n  - id: vendor-2026\n    service: svc\n"
        "    waives: [certification_missing]\n    from: 2026-10-01\n    until: 2027-03-31\n"
        "    approved_by: 副町長\n    reason: 地元ベンダー、ISMAP 申請中\n"
        "    compensating_controls: [国内保管を契約で担保]\n";
    const auto c = compile_with(policy_with("2", local_vendor, exception));
    const auto d = ask(c, "2027-03-31T23:59:59+09:00");
    check(d, "waived", "allowed", "service:svc");
    BOOST_TEST(d.exception_id == "vendor-2026");
    check(ask(c, "2027-04-01T00:00+09:00"), "exception ended", "certification_missing", "catalog:svc");
    check(ask(c, "2026-09-30T23:59+09:00"), "before it began", "certification_missing", "catalog:svc");
    BOOST_TEST(!st::has_warning(c.diags, "has no certification"), c.diags.to_string());

    // It waives only what it names.
    const auto with_kev = compile_with(
        policy_with("2", local_vendor + "    sbom: {kev_open: 1, attested: 2026-11-01}\n", exception));
    check(ask(with_kev, "2026-11-22T10:00+09:00"), "KEV not waived", "kev_open", "catalog:svc");
}

BOOST_AUTO_TEST_CASE(exceptions_never_touch_zones_identity_or_roles)
{
    for (const char* reason :
         {"mynumber_zone", "not_screen_transfer", "unknown_device", "not_granted", "data_class"})
    {
        const auto loaded = sp::load_policy_text(
            policy_with("2",
                        ismap_2027,
                        std::string("exceptions:\n  - {id: e1, service: svc, waives: [") + reason +
                            "], from: 2026-01-01, until: 2027-01-01, approved_by: x, reason: y}\n"),
            "p.yaml");
        BOOST_TEST(
            st::has_error(loaded.diags, std::string("cannot waive `") + reason + "`", "catalog rules only"),
            loaded.diags.to_string());
    }
    const auto unknown = compile_with(policy_with("2",
                                                  ismap_2027,
                                                  "exceptions:\n  - {id: e1, service: svx, waives: "
                                                  "[review_overdue], from: 2026-01-01, until: 2027-01-01, "
                                                  "approved_by: x, reason: y}\n"));
    BOOST_TEST(unknown.snap == nullptr);
    BOOST_TEST(
        st::has_error(unknown.diags, "names service `svx`, which is not in services:", "did you mean `svc`?"),
        unknown.diags.to_string());
}

// A year the clock cannot hold is refused, not wrapped: "9999-12-31" written
// for "no expiry" used to become a date in 1816 (found by fuzz-ismap-csv).
BOOST_AUTO_TEST_CASE(a_year_outside_1900_to_2200_is_not_a_time)
{
    for (const char* date : {"9999-12-31", "2201-01-01", "1600-01-01", "0001-01-01", "2027-01-01T-1:00Z"})
    {
        const auto loaded = sp::load_policy_text(
            policy_with("2",
                        std::string("    certification: {scheme: ismap, number: X, valid_until: ") + date +
                            "}\n"),
            "far.yaml");
        BOOST_TEST(st::has_error(loaded.diags, std::string("valid_until `") + date + "` is not a time"),
                   loaded.diags.to_string());
        BOOST_TEST(loaded.diags.has_errors());
    }
    const auto ok = sp::load_policy_text(
        policy_with("2", "    certification: {scheme: ismap, number: X, valid_until: 2200-12-31}\n"),
        "edge.yaml");
    BOOST_TEST(!st::has_error(ok.diags, "is not a time"), ok.diags.to_string());
}

BOOST_AUTO_TEST_CASE(malformed_catalog_entries_are_errors_with_their_line)
{
    const auto loaded = sp::load_policy_text(
        policy_with("2",
                    "    certification: {scheme: iso27001, number: X, valid_until: 2027-13-01}\n"
                    "    provider: {name: P, country: jp, corporate_number: \"12345\"}\n"
                    "    subprocessors: [{name: S, country: Japan}]\n"
                    "    residency: {storage: [JP]}\n"
                    "    sbom: {format: pdf, kev_open: 1}\n"),
        "bad.yaml");
    const auto text = loaded.diags.to_string();
    BOOST_TEST(st::has_error(loaded.diags, "scheme `iso27001` is not a certification scheme"), text);
    BOOST_TEST(st::has_error(loaded.diags, "valid_until `2027-13-01` is not a time"), text);
    BOOST_TEST(st::has_error(loaded.diags, "country `jp` is not a country code"), text);
    BOOST_TEST(st::has_error(loaded.diags, "corporate_number `12345` is not 13 digits"), text);
    BOOST_TEST(st::has_error(loaded.diags, "country `Japan` is not a country code"), text);
    BOOST_TEST(st::has_error(loaded.diags, "residency is missing the required key `failover`"), text);
    BOOST_TEST(st::has_error(loaded.diags, "format `pdf` is not an SBOM format"), text);
    BOOST_TEST(st::has_error(loaded.diags, "kev_open needs `attested`"), text);
    BOOST_TEST(text.find("bad.yaml:") != std::string::npos, text);
    const auto renewal = sp::load_policy_text(
        policy_with("2",
                    "    certification: {scheme: ismap, number: C1, valid_until: 2027-03-31, "
                    "renewal_pending: 2027-04-01}\n"),
        "r.yaml");
    BOOST_TEST(st::has_error(renewal.diags, "renewal_pending is on or after valid_until"),
               renewal.diags.to_string());
}

// `certification: {registry: N}` takes the registration imported from the
// ISMAP list (`registrations:`, written by sekishoctl catalog import-ismap).
BOOST_AUTO_TEST_CASE(a_certification_may_come_from_the_imported_registry)
{
    const std::string list =
        "registrations:\n"
        "  - {number: C21-0001-1, scheme: ismap, service: Svc, provider: P, "
        "registered: 2021-04-01, valid_until: 2027-03-31}\n"
        "  - {number: C21-0002-1, scheme: ismap, valid_until: 2027-03-31, withdrawn: 2026-11-01}\n";
    const auto c = compile_with(policy_with("2", "    certification: {registry: C21-0001-1}\n", list));
    check(ask(c, "2027-03-31T23:59+09:00"), "listed", "allowed", "service:svc");
    check(ask(c, "2027-04-01T00:00+09:00"), "expired", "certification_expired", "catalog:svc");
    const auto gone = compile_with(policy_with("2", "    certification: {registry: C21-0002-1}\n", list));
    check(ask(gone, "2026-11-22T10:00+09:00"),
          "removed from the list",
          "certification_withdrawn",
          "catalog:svc");
    const auto unknown = compile_with(policy_with("2", "    certification: {registry: C99}\n", list));
    BOOST_TEST(unknown.snap == nullptr);
    BOOST_TEST(st::has_error(unknown.diags, "certification.registry `C99` is not in registrations:"),
               unknown.diags.to_string());
    const auto mixed = sp::load_policy_text(
        policy_with("2", "    certification: {registry: C21-0001-1, valid_until: 2030-01-01}\n", list),
        "m.yaml");
    BOOST_TEST(st::has_error(mixed.diags, "unknown key `valid_until`"), mixed.diags.to_string());
}

BOOST_AUTO_TEST_CASE(what_expires_soon_is_a_warning)
{
    const auto soon = st::compile_at(policy_with("2",
                                                 "    certification: {scheme: ismap, number: C9, "
                                                 "valid_until: 2026-12-10}\n"),
                                     st::at("2026-11-22T10:00+09:00"));
    BOOST_TEST(st::has_warning(soon.diags, "certification ismap C9 expires on 2026-12-10 (in 18 days)"),
               soon.diags.to_string());
    const auto past = st::compile_at(policy_with("2", ismap_2027), st::at("2027-05-01T10:00+09:00"));
    BOOST_TEST(past.snap != nullptr); // a warning, not an error: the rest of the policy still works
    BOOST_TEST(st::has_warning(past.diags, "expired on 2027-03-31"), past.diags.to_string());
}

BOOST_AUTO_TEST_SUITE_END()
