// sekishoctl doctor against real files and a real sekishod: a healthy
// gateway, then one broken thing at a time (an expired or expiring server
// certificate, a stale CRL, a key others may read, a missing audit folder,
// a stopped daemon, a policy edited after it was loaded, a certification
// about to expire, broken YAML), each with its status and what to do. Also
// `sekishoctl metrics` and `sekishoctl policy status`.

#include "harness/audit_log.hpp"
#include "harness/checks.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <csignal>
#include <regex>
#include <sstream>

#include <sys/stat.h>

using namespace sekisho::test;

namespace {

namespace json = boost::json;

// Every check a gateway with two listeners and a CRL reports.
const std::vector<std::string> every_check = {"config",
                                              "certificate:internet",
                                              "certificate:lgwan",
                                              "crl:internet",
                                              "crl:lgwan",
                                              "key_permissions",
                                              "clock",
                                              "audit_disk",
                                              "listeners",
                                              "daemon",
                                              "catalog"};

run_result ctl(const temp_dir& dir, std::vector<std::string> args)
{
    std::vector<std::string> argv{SEKISHOCTL_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, dir);
}

struct report
{
    run_result result;
    json::object body;

    const json::object& check(const std::string& id) const
    {
        for (const auto& c : body.at("checks").as_array())
        {
            if (c.as_object().at("id").as_string() == id)
            {
                return c.as_object();
            }
        }
        BOOST_FAIL("no check " << id << " in " << result.out << result.err);
        throw std::logic_error("unreachable");
    }
    std::string status(const std::string& id) const { return str(check(id), "status"); }
    std::string message(const std::string& id) const { return str(check(id), "message"); }
    std::string action(const std::string& id) const { return str(check(id), "action"); }
    bool has(const std::string& id) const
    {
        const auto& list = body.at("checks").as_array();
        return std::any_of(list.begin(), list.end(), [&](const json::value& c) {
            return c.as_object().at("id").as_string() == id;
        });
    }
};

report run_doctor(const temp_dir& dir, const std::string& config, std::vector<std::string> extra = {})
{
    std::vector<std::string> args{"doctor", "--config", config, "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    report r{ctl(dir, args), {}};
    boost::system::error_code ec;
    auto v = json::parse(r.result.out, ec);
    BOOST_REQUIRE_MESSAGE(!ec && v.is_object(), "not JSON: " << r.result.out << r.result.err);
    r.body = v.as_object();
    return r;
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

// sekisho.yaml and policy.yaml in `dir`, as the harness writes them for a
// gateway, without starting one.
std::string write_setup(const temp_dir& dir, const gateway_options& o)
{
    const auto policy = dir.file("policy.yaml");
    write_file(policy, o.policy.empty() ? test_policy_yaml() : o.policy);
    for (const auto& [name, text] : o.files)
    {
        write_file(dir.file(name), text);
        ::chmod(dir.file(name).c_str(), 0600);
    }
    const auto config = dir.file("sekisho.yaml");
    write_file(config, test_config_yaml(o, policy, dir.file("tunnels.jsonl")));
    return config;
}

// A copy of the world's PKI that a test may break.
std::string copy_pki(const temp_dir& dir)
{
    const auto pki = dir.file("pki");
    const auto r = run({"cp", "-r", world::get().pki, pki}, dir);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return pki;
}

gateway_options admin_and_audit(const temp_dir& keys_dir)
{
    gateway_options o;
    const auto keys = make_audit_keys(keys_dir);
    o.files.emplace_back("audit.key", keys.secret_text);
    o.extra_config = audit_section("audit", "audit.key") + "admin:\n  socket: run/admin.sock\n";
    return o;
}

// "YYYY-MM-DD", `days` from now (UTC).
std::string date_in(long days)
{
    return utc_in(std::chrono::seconds(days * 86400)).substr(0, 10);
}

} // namespace

BOOST_AUTO_TEST_SUITE(doctor)

BOOST_AUTO_TEST_CASE(a_healthy_gateway_then_a_changed_policy_then_a_stopped_daemon)
{
    temp_dir keys;
    gateway g(admin_and_audit(keys));
    const auto config = g.dir().file("sekisho.yaml");
    auto r = run_doctor(g.dir(), config);
    BOOST_TEST(r.result.exit_code == 0, r.result.out << r.result.err);
    for (const auto& id : every_check)
    {
        BOOST_TEST(r.has(id), "missing check " << id << ": " << r.result.out);
    }
    for (const char* id : {"config",
                           "certificate:internet",
                           "certificate:lgwan",
                           "crl:lgwan",
                           "key_permissions",
                           "listeners",
                           "daemon",
                           "catalog"})
    {
        BOOST_TEST(r.status(id) == "ok", id << ": " << r.message(id) << " / " << r.action(id));
    }
    BOOST_TEST(r.status("audit_disk") != "fail", r.message("audit_disk"));
    BOOST_TEST(contains(r.message("listeners"), "port chosen at start"), r.message("listeners"));
    BOOST_TEST(contains(r.message("key_permissions"), "2 key file(s)"), r.message("key_permissions"));
    BOOST_TEST(contains(r.message("crl:internet"), "nextUpdate"), r.message("crl:internet"));
    BOOST_TEST(r.body.at("summary").as_object().at("fail").to_number<int>() == 0);

    // The daemon reports the policy it runs, the same as on disk.
    const auto status = ctl(g.dir(), {"status", "--json", "--admin-socket", g.dir().file("run/admin.sock")});
    const auto hash = std::string(json::parse(status.out).as_object().at("policy").as_string());
    BOOST_TEST(contains(r.message("daemon"), hash.substr(0, 16)), r.message("daemon"));
    BOOST_TEST(contains(r.message("config"), hash.substr(0, 16)), r.message("config"));

    // The text report: one line per check, a summary last.
    const auto text = ctl(g.dir(), {"doctor", "--config", config});
    BOOST_TEST(text.exit_code == 0, text.out << text.err);
    BOOST_TEST(text.out.rfind("OK    config ", 0) == 0U, text.out);
    BOOST_TEST(std::regex_search(text.out, std::regex(R"(\ndoctor: \d+ OK, \d+ WARN, 0 FAIL\n$)")), text.out);

    // With the listeners' real ports, they are connected to.
    auto yaml = read_file(config);
    for (const auto port : {g.internet(), g.lgwan()})
    {
        yaml.replace(yaml.find("port: 0"), 7, "port: " + std::to_string(port));
    }
    const auto fixed = g.dir().file("fixed-ports.yaml");
    write_file(fixed, yaml);
    r = run_doctor(g.dir(), fixed);
    BOOST_TEST(r.status("listeners") == "ok", r.message("listeners"));
    BOOST_TEST(
        contains(r.message("listeners"), "internet 127.0.0.1:" + std::to_string(g.internet()) + " listening"),
        r.message("listeners"));

    // The policy file edited, not yet reloaded: a warning until the reload.
    write_file(g.policy_file(), test_policy_with("Demo User", "Demo Person"));
    r = run_doctor(g.dir(), fixed);
    BOOST_TEST(r.status("daemon") == "warn", r.message("daemon"));
    BOOST_TEST(
        contains(r.action("daemon"), "the policy file changed since it was loaded: run sekishoctl reload"),
        r.action("daemon"));
    BOOST_TEST(r.result.exit_code == 0); // warnings only
    BOOST_TEST(run_doctor(g.dir(), fixed, {"--strict"}).result.exit_code == 1);
    const auto reload = ctl(g.dir(), {"reload", "--admin-socket", g.dir().file("run/admin.sock")});
    BOOST_TEST(reload.exit_code == 0, reload.out << reload.err);
    BOOST_TEST(run_doctor(g.dir(), fixed).status("daemon") == "ok");

    // The daemon stopped: nothing answers on the listeners or the socket.
    BOOST_TEST(g.stop(SIGTERM).value_or(-1) == 0);
    r = run_doctor(g.dir(), fixed);
    BOOST_TEST(r.result.exit_code == 1);
    BOOST_TEST(r.status("listeners") == "fail");
    BOOST_TEST(contains(r.message("listeners"), "nothing answers on 127.0.0.1:" + std::to_string(g.lgwan())),
               r.message("listeners"));
    BOOST_TEST(r.action("listeners") == "is sekishod running? systemctl status sekishod");
    BOOST_TEST(r.status("daemon") == "fail", r.message("daemon"));
    BOOST_TEST(r.status("config") == "ok");
}

BOOST_AUTO_TEST_CASE(an_expired_server_certificate_fails_and_one_about_to_expire_warns)
{
    temp_dir dir;
    gateway_options o;
    o.pki = copy_pki(dir);
    // A certificate that ended on 2020-02-01 (with its key), as the server's.
    for (const char* ext : {".pem", ".key"})
    {
        const auto r = run({"cp", o.pki + "/device-expired" + ext, o.pki + "/server" + ext}, dir);
        BOOST_REQUIRE(r.exit_code == 0);
    }
    const auto config = write_setup(dir, o);
    auto r = run_doctor(dir, config);
    BOOST_TEST(r.result.exit_code == 1);
    BOOST_TEST(r.status("certificate:internet") == "fail");
    BOOST_TEST(contains(r.message("certificate:internet"), "server.pem expired on 2020-02-01"),
               r.message("certificate:internet"));
    BOOST_TEST(contains(r.action("certificate:internet"),
                        "install a renewed server certificate (and its key) at " + o.pki +
                            "/server.pem, then systemctl restart sekishod"),
               r.action("certificate:internet"));
    BOOST_TEST(r.status("config") == "ok"); // sekishod starts with it (and warns)
    BOOST_TEST(r.status("audit_disk") == "warn");
    BOOST_TEST(contains(r.message("audit_disk"), "no audit log configured"));
    BOOST_TEST(r.status("daemon") == "warn");
    BOOST_TEST(contains(r.message("daemon"), "has no admin: section"), r.message("daemon"));

    // One day left: a warning within 30 days, nothing within 0.
    const auto made = run({"openssl",
                           "req",
                           "-x509",
                           "-newkey",
                           "ec",
                           "-pkeyopt",
                           "ec_paramgen_curve:prime256v1",
                           "-nodes",
                           "-days",
                           "1",
                           "-subj",
                           "/CN=localhost",
                           "-keyout",
                           o.pki + "/server.key",
                           "-out",
                           o.pki + "/server.pem"},
                          dir);
    BOOST_REQUIRE_MESSAGE(made.exit_code == 0, made.err);
    ::chmod((o.pki + "/server.key").c_str(), 0600);
    r = run_doctor(dir, config, {"--warn-days", "30"});
    BOOST_TEST(r.status("certificate:lgwan") == "warn", r.message("certificate:lgwan"));
    BOOST_TEST(contains(r.message("certificate:lgwan"), "server.pem expires " + date_in(1)),
               r.message("certificate:lgwan"));
    BOOST_TEST(std::regex_search(r.message("certificate:lgwan"), std::regex(R"(\((0|1) day\(s\) left\))")),
               r.message("certificate:lgwan"));
    BOOST_TEST(contains(r.action("certificate:lgwan"), "install a renewed server certificate"));
    BOOST_TEST(r.status("key_permissions") == "ok", r.message("key_permissions"));
    BOOST_TEST(r.result.exit_code == 0, r.result.out);
    BOOST_TEST(run_doctor(dir, config, {"--warn-days", "0"}).status("certificate:lgwan") == "ok");
}

BOOST_AUTO_TEST_CASE(a_stale_crl_fails)
{
    temp_dir dir;
    gateway_options o;
    o.crl = "device-ca-stale.crl"; // nextUpdate ten days ago
    const auto r = run_doctor(dir, write_setup(dir, o));
    BOOST_TEST(r.result.exit_code == 1);
    BOOST_TEST(r.status("crl:internet") == "fail");
    BOOST_TEST(contains(r.message("crl:internet"), "is past its nextUpdate " + date_in(-10)),
               r.message("crl:internet"));
    BOOST_TEST(contains(r.message("crl:internet"), "sekishod refuses every device (crl_stale)"));
    BOOST_TEST(contains(r.action("crl:internet"), "publish a fresh CRL from the device CA"),
               r.action("crl:internet"));
    BOOST_TEST(r.status("certificate:internet") == "ok");
}

BOOST_AUTO_TEST_CASE(a_key_others_may_read_fails_with_the_chmod_to_run)
{
    temp_dir dir;
    gateway_options o;
    o.pki = copy_pki(dir);
    const auto key = o.pki + "/server.key";
    ::chmod(key.c_str(), 0644);
    const auto r = run_doctor(dir, write_setup(dir, o));
    BOOST_TEST(r.result.exit_code == 1);
    BOOST_TEST(r.status("key_permissions") == "fail");
    BOOST_TEST(contains(r.message("key_permissions"), key + " has mode 0644: group or others may use it"),
               r.message("key_permissions"));
    BOOST_TEST(r.action("key_permissions") == "chmod 600 " + key);
}

BOOST_AUTO_TEST_CASE(a_missing_audit_folder_fails)
{
    temp_dir dir;
    auto o = admin_and_audit(dir);
    o.extra_config = audit_section(dir.file("no-such-folder"), "audit.key");
    const auto r = run_doctor(dir, write_setup(dir, o));
    BOOST_TEST(r.status("config") == "ok", r.message("config"));
    BOOST_TEST(r.status("audit_disk") == "fail");
    BOOST_TEST(contains(r.message("audit_disk"), dir.file("no-such-folder") + ": No such file or directory"),
               r.message("audit_disk"));
    BOOST_TEST(contains(r.action("audit_disk"), "mkdir -p " + dir.file("no-such-folder")),
               r.action("audit_disk"));
    BOOST_TEST(r.status("key_permissions") == "ok", r.message("key_permissions"));
    BOOST_TEST(r.result.exit_code == 1);
}

BOOST_AUTO_TEST_CASE(certifications_and_exceptions_about_to_end_warn_and_an_expired_one_fails)
{
    temp_dir dir;
    gateway_options o;
    o.policy = test_policy_with("valid_until: 2099-12-31", "valid_until: " + date_in(10)) +
               "exceptions:\n"
               "  - id: files-review\n"
               "    service: rebind\n"
               "    waives: [review_overdue]\n"
               "    from: " +
               date_in(-30) + "\n    until: " + date_in(5) + "\n    approved_by: test\n    reason: test\n";
    const auto config = write_setup(dir, o);
    auto r = run_doctor(dir, config);
    BOOST_TEST(r.status("config") == "ok", r.message("config") << r.result.out);
    BOOST_TEST(r.status("catalog:files") == "warn", r.result.out);
    BOOST_TEST(contains(r.message("catalog:files"), "service files: ismap TEST-0001 expires after"),
               r.message("catalog:files"));
    BOOST_TEST(contains(r.action("catalog:files"), "update the certification of files"));
    BOOST_TEST(r.status("catalog:exception:files-review") == "warn", r.result.out);
    BOOST_TEST(
        contains(r.message("catalog:exception:files-review"), "exception files-review for rebind ends"));
    BOOST_TEST(!r.has("catalog"));
    BOOST_TEST(r.result.exit_code == 0);
    // Beyond --warn-days: nothing to say.
    r = run_doctor(dir, config, {"--warn-days", "3"});
    BOOST_TEST(r.status("catalog") == "ok", r.result.out);
    BOOST_TEST(contains(r.message("catalog"), "6 service(s), none expiring within 3 days"),
               r.message("catalog"));

    // Expired without a renewal pending: every tunnel to it is refused.
    write_file(dir.file("policy.yaml"),
               test_policy_with("valid_until: 2099-12-31", "valid_until: " + date_in(-3)));
    r = run_doctor(dir, config);
    BOOST_TEST(r.status("catalog:files") == "fail", r.result.out);
    BOOST_TEST(contains(r.message("catalog:files"), "expired (its last day was"), r.message("catalog:files"));
    BOOST_TEST(contains(r.action("catalog:files"), "every tunnel to files is refused"),
               r.action("catalog:files"));
    BOOST_TEST(r.result.exit_code == 1);
}

BOOST_AUTO_TEST_CASE(broken_yaml_fails_config_with_its_line_and_the_rest_carries_on)
{
    temp_dir dir;
    const auto config = write_setup(dir, {});
    // sekisho.yaml that does not parse.
    write_file(config, read_file(config) + "limits:\n  max_connections: [1\n");
    auto r = run_doctor(dir, config);
    BOOST_TEST(r.result.exit_code == 1);
    BOOST_TEST(r.status("config") == "fail");
    const auto details = r.check("config").at("details").as_array();
    BOOST_REQUIRE(!details.empty());
    BOOST_TEST(
        std::regex_search(std::string(details[0].as_string()), std::regex("sekisho\\.yaml:\\d+:\\d+: error")),
        details[0]);
    BOOST_TEST(contains(r.action("config"), "sekishod --check-config " + config));
    for (const char* id : {"certificate", "crl", "listeners", "audit_disk", "catalog"})
    {
        BOOST_TEST(r.status(id) == "fail", id);
        BOOST_TEST(contains(r.message(id), "not checked"), id << ": " << r.message(id));
    }
    BOOST_TEST(r.has("clock"));
    const auto text = ctl(dir, {"doctor", "--config", config});
    BOOST_TEST(text.exit_code == 1);
    BOOST_TEST(contains(text.out, "→ fix the configuration first (see config above)"), text.out);

    // A policy with an error: sekisho.yaml's own checks still run.
    write_setup(dir, {});
    write_file(dir.file("policy.yaml"), test_policy_with("data_class: 2", "data_class: 7"));
    r = run_doctor(dir, config);
    BOOST_TEST(r.status("config") == "fail");
    const auto first = std::string(r.check("config").at("details").as_array()[0].as_string());
    BOOST_TEST(std::regex_search(first, std::regex("policy\\.yaml:\\d+:\\d+: error")), first);
    BOOST_TEST(r.status("certificate:internet") == "ok", r.message("certificate:internet"));
    BOOST_TEST(r.status("catalog") == "fail");
}

BOOST_AUTO_TEST_CASE(usage_errors)
{
    temp_dir dir;
    BOOST_TEST(ctl(dir, {"doctor", "--warn-days", "soon"}).exit_code == 2);
    BOOST_TEST(ctl(dir, {"doctor", "--warn-days", "4000"}).exit_code == 2);
    BOOST_TEST(ctl(dir, {"doctor", "--bogus"}).exit_code == 2);
    BOOST_TEST(ctl(dir, {"doctor", "extra"}).exit_code == 2);
    BOOST_TEST(ctl(dir, {"metrics", "--bogus"}).exit_code == 2);
    BOOST_TEST(ctl(dir, {"policy", "status", "extra"}).exit_code == 2);
    // Nothing to ask: exit 1 with the reason.
    const auto none = ctl(dir, {"metrics", "--admin-socket", dir.file("none.sock")});
    BOOST_TEST(none.exit_code == 1);
    BOOST_TEST(contains(none.err, "cannot reach sekishod's admin socket"), none.err);
}

BOOST_AUTO_TEST_CASE(metrics_and_policy_status_from_a_running_daemon)
{
    temp_dir keys;
    gateway g(admin_and_audit(keys));
    const auto socket = g.dir().file("run/admin.sock");
    const auto m = ctl(g.dir(), {"metrics", "--admin-socket", socket});
    BOOST_TEST(m.exit_code == 0, m.out << m.err);
    BOOST_TEST(std::regex_search(m.out, std::regex("(^|\n)sekisho_\\w+")), m.out);
    const auto mj = ctl(g.dir(), {"metrics", "--json", "--admin-socket", socket});
    BOOST_TEST(mj.exit_code == 0);
    BOOST_TEST(json::parse(mj.out).as_object().at("format").as_string() == "prometheus");

    const auto status =
        json::parse(ctl(g.dir(), {"status", "--json", "--admin-socket", socket}).out).as_object();
    const auto p = ctl(g.dir(), {"policy", "status", "--json", "--admin-socket", socket});
    BOOST_TEST(p.exit_code == 0, p.out << p.err);
    const auto policy = json::parse(p.out).as_object();
    BOOST_TEST(policy.at("policy") == status.at("policy"));
    BOOST_TEST(str(policy, "file") == g.policy_file());
    BOOST_TEST(num(policy, "services") == 6);
    const auto text = ctl(g.dir(), {"policy", "status", "--admin-socket", socket});
    BOOST_TEST(text.exit_code == 0);
    BOOST_TEST(
        contains(text.out, "policy       " + std::string(status.at("policy").as_string()).substr(0, 16)),
        text.out);
    BOOST_TEST(contains(text.out, "6 service(s), 2 screen-transfer endpoint(s), 3 user(s), 3 device(s)"),
               text.out);
}

BOOST_AUTO_TEST_SUITE_END()

// Lines people read in Japanese with --lang ja or a Japanese locale; ids,
// statuses and --json stay English (docs/i18n.md).
BOOST_AUTO_TEST_CASE(japanese_with_lang_ja_or_a_japanese_locale_and_json_stays_english)
{
    temp_dir keys;
    gateway g(admin_and_audit(keys));
    const auto config = g.dir().file("sekisho.yaml");
    // Every check's line has Japanese after its status and id.
    const auto has_japanese = [](const std::string& line) {
        return std::any_of(
            line.begin(), line.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    };
    const auto each_line_japanese = [&](const std::string& out) {
        std::istringstream in(out);
        std::size_t lines = 0;
        for (std::string line; std::getline(in, line);)
        {
            ++lines;
            BOOST_TEST(has_japanese(line), "not translated: " << line);
        }
        return lines;
    };
    for (const auto& how :
         {std::vector<std::string>{SEKISHOCTL_PATH, "doctor", "--config", config, "--lang", "ja"},
          std::vector<std::string>{"env", "LANG=ja_JP.UTF-8", SEKISHOCTL_PATH, "doctor", "--config", config}})
    {
        const auto text = run(how, g.dir());
        BOOST_TEST(text.exit_code == 0, text.out << text.err);
        BOOST_TEST(text.out.rfind("OK    config ", 0) == 0U, text.out);
        BOOST_TEST(contains(text.out, "は正常です"), text.out);
        BOOST_TEST(contains(text.out, "ポートは起動時に決まります"), text.out);
        BOOST_TEST(
            std::regex_search(text.out, std::regex("\ndoctor: OK \\d+ 件、WARN \\d+ 件、FAIL 0 件\n$")),
            text.out);
        BOOST_TEST(each_line_japanese(text.out) >= every_check.size() + 1);
    }
    // --lang en wins over the locale; --json stays English whatever is asked.
    const auto english = run(
        {"env", "LANG=ja_JP.UTF-8", SEKISHOCTL_PATH, "doctor", "--config", config, "--lang", "en"}, g.dir());
    BOOST_TEST(contains(english.out, "port chosen at start"), english.out);
    const auto r = run_doctor(g.dir(), config, {"--lang", "ja"});
    BOOST_TEST(contains(r.message("listeners"), "port chosen at start"), r.message("listeners"));
    BOOST_TEST(ctl(g.dir(), {"doctor", "--lang", "fr"}).exit_code == 2);
    BOOST_TEST(contains(ctl(g.dir(), {"doctor", "--lang", "fr"}).err, "--lang takes en or ja, not fr"));

    // A stopped daemon: the failures and what to do, in Japanese.
    auto yaml = read_file(config);
    yaml.replace(yaml.find("port: 0"), 7, "port: " + std::to_string(g.internet()));
    const auto fixed = g.dir().file("fixed-ports.yaml");
    write_file(fixed, yaml);
    BOOST_TEST(g.stop(SIGTERM).value_or(-1) == 0);
    const auto stopped = ctl(g.dir(), {"doctor", "--config", fixed, "--lang", "ja"});
    BOOST_TEST(stopped.exit_code == 1);
    BOOST_TEST(contains(stopped.out, "で応答がありません"), stopped.out);
    BOOST_TEST(
        contains(stopped.out, "→ sekishod は動いていますか？ systemctl status sekishod で確認してください"),
        stopped.out);
    each_line_japanese(stopped.out);

    // A policy error: sekishoctl policy check and sekishod --check-config
    // print it with its file:line in Japanese.
    write_file(g.policy_file(), test_policy_with("data_class: 2", "data_class: 7"));
    const auto check = ctl(g.dir(), {"policy", "check", g.policy_file(), "--lang", "ja"});
    BOOST_TEST(check.exit_code == 1);
    BOOST_TEST(std::regex_search(check.out, std::regex("policy\\.yaml:\\d+:\\d+: エラー: ")), check.out);
    BOOST_TEST(contains(check.out, ": NG（エラー 1 件、不合格のテスト 0 件）"), check.out);
    each_line_japanese(check.out);
    const auto daemon = run({SEKISHOD_PATH, "--check-config", config, "--lang", "ja"}, g.dir());
    BOOST_TEST(daemon.exit_code != 0);
    BOOST_TEST(std::regex_search(daemon.err, std::regex("policy\\.yaml:\\d+:\\d+: エラー: ")), daemon.err);
    BOOST_TEST(contains(daemon.err, "何も起動していません"), daemon.err);
    each_line_japanese(daemon.err);
}
