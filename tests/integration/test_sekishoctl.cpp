// sekishoctl policy check | test | explain | diff | matrix, run as an operator
// would: on the shipped example policy, on copies of it, and on a policy of
// users, roles and hours written here.

#include "harness/checks.hpp"

#include <algorithm>
#include <sstream>

using namespace sekisho::test;

namespace {

const std::string example = std::string(SEKISHO_SOURCE_DIR) + "/config/policy.yaml";

// The example includes ${SEKISHO_PKI}/devices.yaml (written by scripts/mkpki);
// a one-device inventory is all sekishoctl needs.
const temp_dir& pki()
{
    static temp_dir d;
    static const bool written = [] {
        write_file(d.file("devices.yaml"),
                   "devices:\n"
                   "  - id: demo-pc\n"
                   "    owner: demo\n"
                   "    fingerprint: \"" +
                       std::string(64, 'a') +
                       "\"\n"
                       "    kind: lent\n"
                       "    status: active\n");
        return true;
    }();
    (void)written;
    return d;
}

run_result ctl(const std::vector<std::string>& args)
{
    static temp_dir d;
    std::vector<std::string> argv = {SEKISHOCTL_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, d, std::chrono::seconds(60), {{"SEKISHO_PKI", pki().path()}});
}

boost::json::object json_of(const run_result& r)
{
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.out + r.err);
    return boost::json::parse(r.out).as_object();
}

// The line of `text` that holds every one of `parts`; empty when none does.
std::string line_with(const std::string& text, const std::vector<std::string>& parts)
{
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
    {
        bool all = true;
        for (const auto& p : parts)
        {
            all = all && line.find(p) != std::string::npos;
        }
        if (all)
        {
            return line;
        }
    }
    return {};
}

bool has(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

// Tanaka (staff) works mon-fri 08:00-20:00 with a second factor; Sato's
// night-shift role only reports; Suzuki's records role needs a posture
// report no older than 7 days. 2027-04-07 is a Wednesday.
const std::string roles_policy = R"(version: 1
model: alpha
zones:
  mynumber: {cidrs: [127.0.20.0/24], domains: [mynumber.example]}
  lgwan: {cidrs: [127.0.10.0/24], domains: [lgwan.example]}
  internet: {cidrs: [127.0.30.0/24], domains: []}
screen_transfer:
  - id: vdi
    host: vdi.lgwan.example
    ports: [443]
    description: Screen transfer "VDI" & relay
    tags: [telework]
    controls: {clipboard: false, file_transfer: false, printing: false, drive_mapping: false}
services:
  - id: groupware
    name: "Groupware <script>alert(1)</script>"
    domains: [files.example.jp]
    ports: [443]
    data_class: 2
    tags: [office]
    certification: {scheme: ismap, number: T-0001, valid_until: 2099-12-31}
  - id: records
    name: Records & archives
    domains: [records.example.jp]
    ports: [443]
    data_class: 3C
    certification: {scheme: ismap, number: T-0002, valid_until: 2099-12-31}
roles:
  - id: staff
    description: Office staff working from home
    layers: [lgwan, internet]
    screen_transfer: ["tag:telework"]
    services: ["tag:office"]
    data_class: 2
    hours: [{days: [mon-fri], from: "08:00", to: "20:00"}]
  - id: night-pilot
    description: Night shift, on trial
    layers: [internet]
    services: [groupware]
    data_class: 2
    hours: [{days: [mon-fri], from: "20:00", to: "08:00"}]
    enforce: report
  - id: records-clerk
    layers: [internet]
    services: [records]
    data_class: 3C
    posture_max_age: 7d
users:
  - {id: tanaka, name: 田中 花子, department: 総務課, roles: [staff]}
  - {id: sato, name: 佐藤 一郎, department: 情報政策課, roles: [night-pilot]}
  - {id: suzuki, name: 鈴木 次郎, department: 税務課, roles: [records-clerk]}
devices:
  - {id: tanaka-pc, fingerprint: "1111111111111111111111111111111111111111111111111111111111111111", owner: tanaka, kind: lent, status: active}
  - {id: sato-pc, fingerprint: "2222222222222222222222222222222222222222222222222222222222222222", owner: sato, kind: lent, status: active}
  - {id: suzuki-pc, fingerprint: "3333333333333333333333333333333333333333333333333333333333333333", owner: suzuki, kind: lent, status: active, posture_verified: "2027-04-01T09:00+09:00"}
)";

std::string write_policy(const temp_dir& d, const std::string& name, const std::string& text)
{
    write_file(d.file(name), text);
    return d.file(name);
}

std::string replaced(std::string text, const std::string& from, const std::string& to)
{
    const auto pos = text.find(from);
    BOOST_TEST_REQUIRE(pos != std::string::npos, from);
    text.replace(pos, from.size(), to);
    return text;
}

std::vector<std::string> explain_args(const std::string& file, std::vector<std::string> more)
{
    std::vector<std::string> args = {"policy", "explain", file};
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

} // namespace

BOOST_AUTO_TEST_SUITE(sekishoctl)

BOOST_AUTO_TEST_CASE(check_passes_the_shipped_example_with_its_tests)
{
    auto r = ctl({"policy", "check", example});
    BOOST_TEST(r.exit_code == 0, r.out + r.err);
    BOOST_TEST(has(r.out, ": OK ("), r.out);
    BOOST_TEST(has(r.out, "7 test(s) passed"), r.out);
    auto o = json_of(ctl({"policy", "check", example, "--json"}));
    BOOST_TEST(o.at("ok").as_bool());
    BOOST_TEST(o.at("tests").as_array().size() == 7U);
}

BOOST_AUTO_TEST_CASE(a_failing_policy_test_fails_check_and_test_with_its_line)
{
    temp_dir d;
    const auto file = write_policy(
        d,
        "policy.yaml",
        replaced(read_file(example), "    expect: deny\n    reason: layer_mismatch", "    expect: allow"));
    auto r = ctl({"policy", "test", file});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(has(r.out, "PASS  the groupware is reachable"), r.out);
    BOOST_TEST(has(r.out, "FAIL  internet services are not reachable from the LGWAN listener"), r.out);
    BOOST_TEST(has(r.out, "NOT OK (0 error(s), 1 failed test(s))"), r.out);
}

BOOST_AUTO_TEST_CASE(explain_answers_why_was_i_blocked)
{
    auto r = ctl(explain_args(example, {"--layer", "internet", "--target", "juki.mynumber.example:8080"}));
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(has(r.out, "answer      403 deny: reason mynumber_zone, rule invariant:mynumber"), r.out);
    BOOST_TEST(has(r.out, "My Number layer"));
    // A catalogued name that DNS points into the My Number layer: the role
    // admits the name, the DNS answer is refused.
    auto o = json_of(ctl(explain_args(example,
                                      {"--user",
                                       "demo",
                                       "--device",
                                       "demo-pc",
                                       "--layer",
                                       "internet",
                                       "--target",
                                       "rebind.cloud.example:8080",
                                       "--resolves",
                                       "127.0.20.1",
                                       "--json"})));
    BOOST_TEST(str(o, "result") == "deny");
    BOOST_TEST(str(o, "reason") == "mynumber_zone");
    BOOST_TEST(str(o, "service") == "rebind-test");
    BOOST_TEST(o.at("roles_consulted").as_bool());
    // The user's own device: allowed, with the rule and the role.
    auto a = json_of(ctl(explain_args(example,
                                      {"--user",
                                       "demo",
                                       "--device",
                                       "demo-pc",
                                       "--layer",
                                       "internet",
                                       "--target",
                                       "files.cloud.example:8080",
                                       "--json"})));
    BOOST_TEST(str(a, "result") == "allow");
    BOOST_TEST(str(a, "rule") == "service:groupware");
    BOOST_TEST(str(a, "role") == "staff");
    BOOST_TEST(a.at("device").as_object().at("own_device").as_bool());
    BOOST_TEST(str(a.at("entry").as_object(), "id") == "groupware");
    // Without --device: what an unregistered device gets.
    auto n = ctl(explain_args(example, {"--layer", "internet", "--target", "files.cloud.example:8080"}));
    BOOST_TEST(has(n.out, "answer      403 deny: reason unknown_device"), n.out);
    BOOST_TEST(has(n.out, "device: none given (--device)"), n.out);
}

BOOST_AUTO_TEST_CASE(explain_shows_the_role_whose_hours_deny)
{
    temp_dir d;
    const auto file = write_policy(d, "roles.yaml", roles_policy);
    const std::vector<std::string> tanaka = {"--user",
                                             "tanaka",
                                             "--device",
                                             "tanaka-pc",
                                             "--mfa",
                                             "--layer",
                                             "internet",
                                             "--target",
                                             "files.example.jp:443"};
    auto args = explain_args(file, tanaka);
    args.insert(args.end(), {"--at", "2027-04-07T22:00+09:00"});
    auto r = ctl(args);
    BOOST_TEST(r.exit_code == 0, r.out + r.err);
    BOOST_TEST(has(r.out, "user tanaka: 田中 花子, 総務課; roles staff"), r.out);
    BOOST_TEST(has(r.out, "device tanaka-pc: lent, active, the user's own device"), r.out);
    BOOST_TEST(has(r.out, "destination zone internet; service groupware"), r.out);
    BOOST_TEST(has(r.out, "data class 2"), r.out);
    BOOST_TEST(has(r.out, "role        staff (enforce; layers lgwan, internet)"), r.out);
    BOOST_TEST(has(r.out, "ok    grant: service groupware is granted (tag:office)"), r.out);
    BOOST_TEST(
        has(r.out, "FAIL  hours: mon,tue,wed,thu,fri 08:00-20:00 JST: 2027-04-07 22:00 JST (wed) is outside"),
        r.out);
    BOOST_TEST(has(r.out,
                   "answer      403 deny: reason outside_hours, rule role:staff, role staff, "
                   "mon,tue,wed,thu,fri 08:00-20:00 JST"),
               r.out);
    // Within the hours: allowed by the same role.
    args.back() = "2027-04-07T10:00+09:00";
    BOOST_TEST(
        has(ctl(args).out, "answer      200 allow: reason allowed, rule service:groupware, role staff"));
    // Without a second factor the role refuses before it looks at the hours.
    auto no_mfa = explain_args(file, tanaka);
    no_mfa.erase(std::find(no_mfa.begin(), no_mfa.end(), "--mfa"));
    no_mfa.insert(no_mfa.end(), {"--at", "2027-04-07T22:00+09:00", "--json"});
    auto m = json_of(ctl(no_mfa));
    BOOST_TEST(str(m, "reason") == "mfa_required");
    const auto& roles = m.at("roles").as_array();
    BOOST_TEST_REQUIRE(roles.size() == 1U);
    BOOST_TEST(str(roles[0].as_object(), "outcome") == "mfa_required");
    const auto& steps = roles[0].as_object().at("steps").as_array();
    BOOST_TEST(str(steps.back().as_object(), "name") == "mfa");
    // A stale posture report, with its age.
    auto p = ctl(explain_args(file,
                              {"--user",
                               "suzuki",
                               "--device",
                               "suzuki-pc",
                               "--mfa",
                               "--layer",
                               "internet",
                               "--target",
                               "records.example.jp:443",
                               "--at",
                               "2027-04-09T10:00+09:00"}));
    BOOST_TEST(has(p.out, "answer      403 deny: reason posture_stale, rule role:records-clerk"), p.out);
    BOOST_TEST(has(p.out, "8d 1h before: too old"), p.out);
    // Another user's device.
    auto o = ctl(explain_args(file,
                              {"--user",
                               "tanaka",
                               "--device",
                               "sato-pc",
                               "--layer",
                               "lgwan",
                               "--target",
                               "vdi.lgwan.example:443"}));
    BOOST_TEST(has(o.out, "owned by sato, not by tanaka"), o.out);
    BOOST_TEST(has(o.out, "reason device_not_owned"), o.out);
}

BOOST_AUTO_TEST_CASE(explain_report_mode_allows_and_names_what_would_deny)
{
    temp_dir d;
    const auto file = write_policy(d, "roles.yaml", roles_policy);
    const std::vector<std::string> sato = {"--user",
                                           "sato",
                                           "--device",
                                           "sato-pc",
                                           "--mfa",
                                           "--layer",
                                           "internet",
                                           "--target",
                                           "files.example.jp:443",
                                           "--at",
                                           "2027-04-07T10:00+09:00"};
    auto r = ctl(explain_args(file, sato));
    BOOST_TEST(r.exit_code == 0, r.out + r.err);
    BOOST_TEST(has(r.out, "role        night-pilot (report; layers internet)"), r.out);
    BOOST_TEST(has(r.out, "=> would deny: outside_hours"), r.out);
    BOOST_TEST(has(r.out, "answer      200 allow: reason allowed, rule service:groupware, role night-pilot"),
               r.out);
    BOOST_TEST(has(r.out, "report      allowed, but role night-pilot would deny: outside_hours"), r.out);
    auto args = explain_args(file, sato);
    args.push_back("--json");
    auto o = json_of(ctl(args));
    BOOST_TEST(str(o, "result") == "allow");
    BOOST_TEST(str(o, "would_deny") == "outside_hours");
    BOOST_TEST(str(o, "role") == "night-pilot");
    BOOST_TEST(str(o, "report") == "allowed, but role night-pilot would deny: outside_hours");
}

// `--lang ja`: the why, what to do, the labels and a role's steps in
// Japanese (daemon/i18n/ja_explain.cpp); codes and ids as they are; --json
// stays English.
BOOST_AUTO_TEST_CASE(explain_in_japanese)
{
    auto r = ctl(explain_args(
        example, {"--layer", "internet", "--target", "juki.mynumber.example:8080", "--lang", "ja"}));
    BOOST_TEST(r.exit_code == 0, r.out + r.err);
    // The labels take 4 to 8 columns: the texts start at column 10.
    BOOST_TEST(has(r.out, "\n判定      403 拒否: 理由 mynumber_zone、ルール invariant:mynumber\n"), r.out);
    BOOST_TEST(
        has(r.out,
            "\n理由      接続先はマイナンバー利用事務系にあります。テレワークからは、名前でも、アドレスで"
            "も、DNS を経由しても到達できません（不変条件 1）。\n"),
        r.out);
    BOOST_TEST(has(r.out, "\n対処      なし: どのポリシーでも開けられません。"), r.out);
    BOOST_TEST(r.out.rfind("ポリシー  ", 0) == 0U, r.out);
    BOOST_TEST(!has(r.out, "My Number layer"), r.out);
    BOOST_TEST(!has(r.out, "what to do"), r.out);
    // A role's steps, matched by their shape.
    temp_dir d;
    const auto file = write_policy(d, "roles.yaml", roles_policy);
    auto h = ctl(explain_args(file,
                              {"--user",
                               "tanaka",
                               "--device",
                               "tanaka-pc",
                               "--mfa",
                               "--layer",
                               "internet",
                               "--target",
                               "files.example.jp:443",
                               "--at",
                               "2027-04-07T22:00+09:00",
                               "--lang",
                               "ja"}));
    BOOST_TEST(h.exit_code == 0, h.out + h.err);
    BOOST_TEST(has(h.out, "要求元    利用者 tanaka: 田中 花子, 総務課。ロール: staff"), h.out);
    BOOST_TEST(
        has(h.out,
            "FAIL  時間帯: mon,tue,wed,thu,fri 08:00-20:00 JST: 2027-04-07 22:00 JST (wed) は時間外です"),
        h.out);
    BOOST_TEST(has(h.out, "理由      ロールがテレワークできる時間帯（Asia/Tokyo）の外です。"), h.out);
    // --json: English whatever the language.
    auto o = json_of(ctl(explain_args(
        example,
        {"--layer", "internet", "--target", "juki.mynumber.example:8080", "--json", "--lang", "ja"})));
    BOOST_TEST(str(o, "reason") == "mynumber_zone");
    BOOST_TEST(str(o, "meaning").rfind("The destination is in the My Number layer", 0) == 0U,
               str(o, "meaning"));
    BOOST_TEST(str(o, "action") == "None: no policy can open it. Use a terminal inside the My Number layer.");
    const auto& chain = o.at("chain").as_array();
    BOOST_TEST_REQUIRE(!chain.empty());
    BOOST_TEST(str(chain.back().as_object(), "label") == "what to do");
    BOOST_TEST(str(chain.back().as_object(), "text") == str(o, "action"));
    for (const auto& line : chain)
    {
        BOOST_TEST(!has(str(line.as_object(), "text"), "拒否"), str(line.as_object(), "text"));
    }
}

BOOST_AUTO_TEST_CASE(diff_lists_the_decisions_a_change_flips)
{
    temp_dir d;
    // Withdraw files.cloud.example (keep the wildcard), drop the tests, add a
    // service no role grants.
    auto text = replaced(read_file(example),
                         "domains: [files.cloud.example, \"*.files.cloud.example\"]",
                         "domains: [\"*.files.cloud.example\"]");
    text.erase(text.find("\ntests:"));
    text = replaced(text,
                    "\n# Supply-chain rules",
                    "\n  - id: mail\n    domains: [mail.cloud.example]\n    ports: [443]\n    data_class: 1\n"
                    "    certification: {scheme: ismap, number: T-0009, valid_until: 2099-12-31}\n\n# "
                    "Supply-chain rules");
    const auto changed = write_policy(d, "new.yaml", text);
    auto r = ctl({"policy", "diff", example, changed});
    BOOST_TEST(r.exit_code == 0, r.out + r.err);
    BOOST_TEST(has(r.out, "2 decision(s) change (0 now allowed, 1 now denied, 1 for another reason)"), r.out);
    BOOST_TEST(!line_with(r.out,
                          {"demo",
                           "internet",
                           "files.cloud.example:8080",
                           "allow (service:groupware via role staff) -> deny (not_catalogued, default:deny)"})
                    .empty(),
               r.out);
    BOOST_TEST(!line_with(r.out,
                          {"demo",
                           "internet",
                           "mail.cloud.example:443",
                           "deny (not_catalogued, default:deny) -> deny (not_granted, default:deny)"})
                    .empty(),
               r.out);
    auto same = ctl({"policy", "diff", example, example});
    BOOST_TEST(has(same.out, "0 decision(s) change"), same.out);
    auto j = json_of(ctl({"policy", "diff", example, changed, "--json"}));
    const auto& changes = j.at("changes").as_array();
    BOOST_TEST_REQUIRE(changes.size() == 2U);
    BOOST_TEST(str(changes[0].as_object(), "user") == "demo");
    BOOST_TEST(str(changes[0].as_object(), "device") == "demo-pc");
    BOOST_TEST(str(changes[0].as_object().at("after_decision").as_object(), "reason") == "not_catalogued");
}

BOOST_AUTO_TEST_CASE(diff_compares_each_user_at_the_given_time)
{
    temp_dir d;
    const auto before = write_policy(d, "before.yaml", roles_policy);
    // Shorter hours for staff, and suzuki's device reported lost.
    auto text = replaced(roles_policy, "from: \"08:00\", to: \"20:00\"", "from: \"09:00\", to: \"17:00\"");
    text = replaced(
        text, "kind: lent, status: active, posture_verified", "kind: lent, status: lost, posture_verified");
    const auto after = write_policy(d, "after.yaml", text);
    auto r = ctl({"policy", "diff", before, after, "--at", "2027-04-07T18:00+09:00"});
    BOOST_TEST(r.exit_code == 0, r.out + r.err);
    BOOST_TEST(
        has(r.out, "(3 user(s) + no user) x 3 destination(s) x 2 layers, at 2027-04-07 18:00 JST (wed)"),
        r.out);
    const auto tanaka = line_with(r.out, {"tanaka", "internet", "files.example.jp:443"});
    BOOST_TEST(has(tanaka, "allow (service:groupware via role staff) -> deny (outside_hours, role:staff)"),
               r.out);
    BOOST_TEST(has(line_with(r.out, {"tanaka", "lgwan", "vdi.lgwan.example:443"}),
                   "allow (screen_transfer:vdi via role staff) -> deny (outside_hours, role:staff)"),
               r.out);
    BOOST_TEST(has(line_with(r.out, {"suzuki", "internet", "records.example.jp:443"}),
                   "allow (service:records via role records-clerk) -> deny (device_lost, device:suzuki-pc)"),
               r.out);
    // Sato's report-only role and the unidentified device change nothing.
    BOOST_TEST(line_with(r.out, {"sato "}).empty(), r.out);
    BOOST_TEST(line_with(r.out, {"(no user)"}).empty(), r.out);
    // At 10:00 the hours agree: only suzuki's lost device shows.
    auto morning = ctl({"policy", "diff", before, after, "--at", "2027-04-07T10:00+09:00"});
    BOOST_TEST(line_with(morning.out, {"tanaka"}).empty(), morning.out);
    BOOST_TEST(!line_with(morning.out, {"suzuki"}).empty(), morning.out);
}

BOOST_AUTO_TEST_CASE(diff_refuses_more_than_two_million_decisions)
{
    temp_dir d;
    // (2000 users + nobody) x 500 destinations x 2 layers = 2,001,000.
    std::string y = "version: 1\nmodel: alpha\nzones:\n"
                    "  mynumber: {cidrs: [127.0.20.0/24], domains: [mynumber.example]}\n"
                    "  lgwan: {cidrs: [127.0.10.0/24], domains: [lgwan.example]}\n"
                    "  internet: {cidrs: [127.0.30.0/24], domains: []}\nservices:\n";
    for (int i = 0; i < 500; ++i)
    {
        const auto n = std::to_string(i);
        y += "  - {id: s" + n + ", domains: [s" + n +
             ".example.jp], ports: [443], data_class: 1, tags: [office],\n"
             "     certification: {scheme: ismap, number: T-" +
             n + ", valid_until: 2099-12-31}}\n";
    }
    y +=
        "roles:\n  - {id: staff, layers: [internet], services: [\"tag:office\"], data_class: 1, mfa: false}\n"
        "users:\n";
    for (int i = 0; i < 2000; ++i)
    {
        y += "  - {id: u" + std::to_string(i) + ", roles: [staff]}\n";
    }
    const auto file = write_policy(d, "big.yaml", y);
    auto r = ctl({"policy", "diff", file, file});
    BOOST_TEST(r.exit_code == 2, r.out + r.err);
    BOOST_TEST(has(r.err, "diff would compare 2001000 requests"), r.err);
    BOOST_TEST(r.out.empty(), r.out);
}

BOOST_AUTO_TEST_CASE(matrix_prints_roles_layers_and_what_they_reach)
{
    temp_dir d;
    const auto file = write_policy(d, "roles.yaml", roles_policy);
    auto r = ctl({"policy", "matrix", file});
    BOOST_TEST(r.exit_code == 0, r.out + r.err);
    BOOST_TEST(has(r.out, "role staff: Office staff working from home"), r.out);
    BOOST_TEST(has(r.out, "  hours       mon,tue,wed,thu,fri 08:00-20:00 JST"), r.out);
    BOOST_TEST(has(r.out, "  mfa         required"), r.out);
    BOOST_TEST(has(r.out, "  posture     a report no older than 7d"), r.out);
    BOOST_TEST(has(r.out, "  users       1"), r.out);
    BOOST_TEST(!line_with(r.out, {"reaches", "screen_transfer", "vdi", "vdi.lgwan.example :443"}).empty(),
               r.out);
    BOOST_TEST(!line_with(r.out, {"denied: data class", "service", "records", "class 3C"}).empty(), r.out);
    BOOST_TEST(!line_with(r.out, {"report only: data class", "records"}).empty(), r.out);
    BOOST_TEST(has(r.out, "not granted: groupware"), r.out);

    auto o = json_of(ctl({"policy", "matrix", file, "--json"}));
    const auto& roles = o.at("roles").as_array();
    BOOST_TEST_REQUIRE(roles.size() == 3U);
    const auto& staff = roles[0].as_object();
    BOOST_TEST(str(staff, "id") == "staff");
    BOOST_TEST(str(staff, "mode") == "enforce");
    BOOST_TEST(num(staff, "users") == 1);
    BOOST_TEST(str(roles[1].as_object(), "mode") == "report");
    BOOST_TEST(num(roles[2].as_object(), "posture_max_age") == 7 * 86400);
    const auto& layers = staff.at("layers").as_array();
    BOOST_TEST_REQUIRE(layers.size() == 2U);
    BOOST_TEST(str(layers[0].as_object(), "layer") == "lgwan");
    BOOST_TEST(str(layers[0].as_object().at("reaches").as_array().at(0).as_object(), "id") == "vdi");
    const auto& internet = layers[1].as_object();
    BOOST_TEST(str(internet.at("reaches").as_array().at(0).as_object(), "granted_by") == "tag:office");
    BOOST_TEST(str(internet.at("denied_by_data_class").as_array().at(0).as_object(), "id") == "records");
}

BOOST_AUTO_TEST_CASE(matrix_html_is_self_contained_and_escaped)
{
    temp_dir d;
    const auto file = write_policy(d, "roles.yaml", roles_policy);
    auto r = ctl({"policy", "matrix", file, "--html"});
    BOOST_TEST(r.exit_code == 0, r.out + r.err);
    BOOST_TEST(r.out.rfind("<!DOCTYPE html>", 0) == 0U, r.out);
    BOOST_TEST(has(r.out, "</html>"));
    BOOST_TEST(has(r.out, "Groupware &lt;script&gt;alert(1)&lt;/script&gt;"), r.out);
    BOOST_TEST(has(r.out, "Records &amp; archives"), r.out);
    BOOST_TEST(has(r.out, "Screen transfer &quot;VDI&quot; &amp; relay"), r.out);
    BOOST_TEST(!has(r.out, "<script"), r.out);
    BOOST_TEST(!has(r.out, "src="), r.out);
    BOOST_TEST(!has(r.out, "http://"), r.out);
    BOOST_TEST(!has(r.out, "https://"), r.out);
    BOOST_TEST(!has(r.out, "田中")); // users are counted, not listed
    BOOST_TEST(has(r.out, "<h2 id=\"role-night-pilot\">Role night-pilot</h2>"), r.out);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2)
{
    BOOST_TEST(ctl({"policy", "frobnicate", example}).exit_code == 2);
    BOOST_TEST(
        ctl({"policy", "explain", example, "--layer", "mynumber", "--target", "a.example:1"}).exit_code == 2);
    BOOST_TEST(ctl({"policy", "explain", example, "--layer", "internet"}).exit_code == 2);
    BOOST_TEST(
        ctl({"policy", "explain", example, "--layer", "internet", "--target", "a.example:1", "--at", "soon"})
            .exit_code == 2);
    BOOST_TEST(ctl({"policy", "explain", example, "--layer", "internet", "--target", "a.example:1", "--user"})
                   .exit_code == 2);
    BOOST_TEST(ctl({"policy", "diff", example}).exit_code == 2);
    BOOST_TEST(ctl({"policy", "check", example, "--user", "demo"}).exit_code == 2);
    BOOST_TEST(ctl({"policy", "matrix", example, "--html", "--json"}).exit_code == 2);
    BOOST_TEST(ctl({"policy", "matrix", example, "--mfa"}).exit_code == 2);
    BOOST_TEST(ctl({"policy", "check", "/nonexistent.yaml"}).exit_code == 1);
    BOOST_TEST(ctl({"policy", "matrix", "/nonexistent.yaml"}).exit_code == 1);
    auto help = ctl({"--help"});
    BOOST_TEST(help.exit_code == 0);
    BOOST_TEST(has(help.out, "sekishoctl policy matrix FILE [--html | --json]"), help.out);
}

BOOST_AUTO_TEST_SUITE_END()
