// sekishoctl user passwd | totp-enroll | list | remove and device add | lost |
// retire | list, run as an operator would: the real binary on files in a
// temporary folder, with a real device certificate from the test PKI.

#include "daemon/auth/password.hpp"
#include "daemon/auth/secrets.hpp"
#include "daemon/auth/totp.hpp"
#include "harness/checks.hpp"
#include "policy/identity.hpp"

#include <sstream>

#include <sys/stat.h>

using namespace sekisho::test;

namespace {

const std::string kakuu_devices = std::string(SEKISHO_SOURCE_DIR) + "/config/policies/kakuu-devices.yaml";

run_result ctl(const temp_dir& d, const std::vector<std::string>& args)
{
    std::vector<std::string> argv = {SEKISHOCTL_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, d, std::chrono::seconds(60));
}

// sekishoctl with `input` on stdin (a file, not a terminal: the scripted path).
run_result ctl_with_stdin(const temp_dir& d, const std::string& input, const std::vector<std::string>& args)
{
    const auto file = d.file("stdin.txt");
    write_file(file, input);
    std::vector<std::string> argv = {"sh", "-c", "exec \"$@\" < \"$0\"", file, SEKISHOCTL_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, d, std::chrono::seconds(60));
}

bool has(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

unsigned mode_of(const std::string& path)
{
    struct stat st
    {};
    BOOST_REQUIRE(::stat(path.c_str(), &st) == 0);
    return static_cast<unsigned>(st.st_mode & 07777);
}

sekisho::auth::secrets load_secrets(const std::string& path)
{
    auto loaded = sekisho::auth::load_secrets_file(path);
    BOOST_TEST_REQUIRE(!loaded.diags.has_errors(), loaded.diags.to_string());
    return *loaded.value;
}

// The value of `name=` in a URI's query.
std::string query_value(const std::string& uri, const std::string& name)
{
    const auto at = uri.find(name + "=");
    if (at == std::string::npos)
    {
        return {};
    }
    const auto begin = at + name.size() + 1;
    return uri.substr(begin, uri.find_first_of("& \n", begin) - begin);
}

std::string uri_in(const std::string& out)
{
    const auto at = out.find("otpauth://totp/");
    return at == std::string::npos ? std::string() : out.substr(at, out.find('\n', at) - at);
}

// A secrets file with `user` given a password (and, with enrol, a TOTP key).
std::string secrets_with(const temp_dir& d, const std::string& user, bool enrol)
{
    const auto file = d.file("secrets.yaml");
    auto r = ctl_with_stdin(d, "first password\n", {"user", "passwd", "--secrets", file, user});
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.out + r.err);
    if (enrol)
    {
        r = ctl(d, {"user", "totp-enroll", "--secrets", file, user});
        BOOST_TEST_REQUIRE(r.exit_code == 0, r.out + r.err);
    }
    return file;
}

// A copy of the Kakuu inventory (comments, blank lines, colons in a
// fingerprint) with mode 0640.
std::string inventory_copy(const temp_dir& d)
{
    const auto file = d.file("devices.yaml");
    write_file(file, read_file(kakuu_devices));
    BOOST_REQUIRE(::chmod(file.c_str(), 0640) == 0);
    return file;
}

// The lines that differ between two texts of the same length in lines.
std::vector<std::pair<std::size_t, std::string>> changed_lines(const std::string& before,
                                                               const std::string& after)
{
    const auto a = lines_of(before);
    const auto b = lines_of(after);
    BOOST_TEST_REQUIRE(a.size() == b.size());
    std::vector<std::pair<std::size_t, std::string>> out;
    for (std::size_t i = 0; i < a.size(); ++i)
    {
        if (a[i] != b[i])
        {
            out.emplace_back(i + 1, b[i]);
        }
    }
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(sekishoctl_user)

BOOST_AUTO_TEST_CASE(passwd_from_stdin_stores_an_argon2id_hash_of_that_password)
{
    temp_dir d;
    const auto file = d.file("secrets.yaml");
    auto r = ctl_with_stdin(d, "correct horse 42\n", {"user", "passwd", "--secrets", file, "tanaka"});
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.out + r.err);
    BOOST_TEST(has(r.out, "password of tanaka set (new user, new file, mode 0600)"), r.out);
    BOOST_TEST(has(r.out, "cannot sign in: sekishoctl user totp-enroll"), r.out);
    BOOST_TEST(mode_of(file) == 0600U);
    auto s = load_secrets(file);
    const auto hash = s.users.at("tanaka").password_hash;
    BOOST_TEST(hash.starts_with("$argon2id$"));
    BOOST_TEST(sekisho::auth::verify_password(hash, "correct horse 42"));
    BOOST_TEST(!sekisho::auth::verify_password(hash, "correct horse 43"));
    BOOST_TEST(!has(r.out + r.err, "correct horse"));

    // The interactive dialogue replayed (the password twice) also works, and
    // a second user leaves the first alone.
    r = ctl_with_stdin(d, "s3cret\r\ns3cret\r\n", {"user", "passwd", "--secrets", file, "sato", "--json"});
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.out + r.err);
    auto o = boost::json::parse(r.out).as_object();
    BOOST_TEST(o.at("created_user").as_bool());
    BOOST_TEST(!o.at("created_file").as_bool());
    s = load_secrets(file);
    BOOST_TEST(sekisho::auth::verify_password(s.users.at("sato").password_hash, "s3cret"));
    BOOST_TEST(s.users.at("tanaka").password_hash == hash);
}

BOOST_AUTO_TEST_CASE(passwd_refuses_an_empty_password_and_two_different_ones)
{
    temp_dir d;
    const auto file = secrets_with(d, "tanaka", false);
    const auto before = read_file(file);
    // stdin is /dev/null: no password at all.
    auto r = ctl(d, {"user", "passwd", "--secrets", file, "tanaka"});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(has(r.err, "the password is empty; nothing changed"), r.err);
    r = ctl_with_stdin(d, "\n", {"user", "passwd", "--secrets", file, "tanaka"});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(has(r.err, "the password is empty"), r.err);
    r = ctl_with_stdin(d, "one\ntwo\n", {"user", "passwd", "--secrets", file, "tanaka"});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(has(r.err, "the two lines of stdin differ"), r.err);
    r = ctl_with_stdin(d, "pw\n", {"user", "passwd", "--secrets", file, "Tanaka"});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(has(r.err, "`Tanaka` is not a valid user id"), r.err);
    BOOST_TEST(read_file(file) == before);
}

BOOST_AUTO_TEST_CASE(totp_enroll_prints_a_uri_and_qr_code_of_the_key_it_stores)
{
    temp_dir d;
    const auto file = secrets_with(d, "tanaka", false);
    auto r = ctl(d, {"user", "totp-enroll", "--secrets", file, "tanaka", "--issuer", "Kakuu Town"});
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.out + r.err);
    BOOST_TEST(mode_of(file) == 0600U);
    const auto uri = uri_in(r.out);
    BOOST_TEST(uri.starts_with("otpauth://totp/Kakuu%20Town:tanaka?"), uri);
    BOOST_TEST(query_value(uri, "issuer") == "Kakuu%20Town");
    BOOST_TEST(query_value(uri, "digits") == "6");
    BOOST_TEST(query_value(uri, "period") == "30");
    const auto decoded = sekisho::auth::base32_decode(query_value(uri, "secret"));
    BOOST_TEST_REQUIRE(decoded.has_value());
    const auto s = load_secrets(file);
    const auto& key = s.users.at("tanaka").totp_key;
    BOOST_TEST(key.size() == 20U);
    BOOST_TEST(*decoded == key);

    // The QR code: rows of half blocks, all as wide, quiet zone included.
    std::size_t rows = 0;
    std::size_t width = 0;
    for (const auto& line : lines_of(r.out))
    {
        if (!has(line, "█"))
        {
            continue;
        }
        std::size_t cells = 0;
        for (std::size_t i = 0; i < line.size();)
        {
            const bool block =
                line.compare(i, 3, "█") == 0 || line.compare(i, 3, "▀") == 0 || line.compare(i, 3, "▄") == 0;
            BOOST_TEST_REQUIRE((block || line[i] == ' '), "not a QR row: " + line);
            i += block ? 3 : 1;
            ++cells;
        }
        BOOST_TEST((width == 0 || cells == width), line);
        width = cells;
        ++rows;
    }
    // Version 1 is 21 modules; the quiet zone adds 4 on each side.
    BOOST_TEST(width >= 29U);
    BOOST_TEST(rows == (width + 1) / 2);

    // A new enrolment replaces the key, and says so.
    r = ctl(d, {"user", "totp-enroll", "--secrets", file, "tanaka", "--json"});
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.out + r.err);
    auto o = boost::json::parse(r.out).as_object();
    BOOST_TEST(o.at("replaced").as_bool());
    const auto again = sekisho::auth::base32_decode(query_value(str(o, "uri"), "secret"));
    BOOST_TEST(*again == load_secrets(file).users.at("tanaka").totp_key);
    BOOST_TEST(*again != key);
    // The password survives an enrolment, and the key survives a new password.
    r = ctl_with_stdin(d, "second password\n", {"user", "passwd", "--secrets", file, "tanaka"});
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.out + r.err);
    BOOST_TEST(has(r.out, "changed (TOTP key kept)"), r.out);
    BOOST_TEST(load_secrets(file).users.at("tanaka").totp_key == *again);
}

BOOST_AUTO_TEST_CASE(totp_enroll_needs_a_password_first)
{
    temp_dir d;
    const auto file = secrets_with(d, "tanaka", false);
    auto r = ctl(d, {"user", "totp-enroll", "--secrets", file, "sato"});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(has(r.err, "no user `sato` in"), r.err);
    BOOST_TEST(has(r.err, "set a password first: sekishoctl user passwd"), r.err);
    BOOST_TEST(!has(r.out, "otpauth://"));
}

BOOST_AUTO_TEST_CASE(list_shows_who_is_enrolled_and_never_a_hash_or_a_key)
{
    temp_dir d;
    const auto file = secrets_with(d, "demo", true);
    auto r = ctl_with_stdin(d, "pw\n", {"user", "passwd", "--secrets", file, "sato"});
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.out + r.err);
    const auto s = load_secrets(file);
    const auto key = sekisho::auth::base32_encode(s.users.at("demo").totp_key);
    const auto hash = s.users.at("demo").password_hash;
    const auto salt = hash.substr(hash.rfind('$', hash.rfind('$') - 1) + 1, 16);

    r = ctl(d, {"user", "list", "--secrets", file});
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.out + r.err);
    BOOST_TEST(has(r.out, "USER  PASSWORD  TOTP"), r.out);
    BOOST_TEST(has(r.out, "demo  set       enrolled"), r.out);
    BOOST_TEST(has(r.out, "sato  set       -"), r.out);
    BOOST_TEST(has(r.out, "2 user(s): 1 can sign in"), r.out);

    // With the policy: names, roles and devices (the example's devices come
    // from ${SEKISHO_PKI}/devices.yaml).
    write_file(d.file("devices.yaml"),
               "devices:\n  - id: demo-pc\n    owner: demo\n    fingerprint: \"" + std::string(64, 'a') +
                   "\"\n    kind: lent\n    status: active\n");
    auto with_policy = run({SEKISHOCTL_PATH,
                            "user",
                            "list",
                            "--secrets",
                            file,
                            "--policy",
                            std::string(SEKISHO_SOURCE_DIR) + "/config/policy.yaml"},
                           d,
                           std::chrono::seconds(60),
                           {{"SEKISHO_PKI", d.path()}});
    BOOST_TEST_REQUIRE(with_policy.exit_code == 0, with_policy.out + with_policy.err);
    BOOST_TEST(has(with_policy.out, "demo-pc (lent, active)"), with_policy.out);
    BOOST_TEST(has(with_policy.out, "Demo User"), with_policy.out);
    BOOST_TEST(has(with_policy.out, "(not in the policy: refused)"), with_policy.out);

    auto json = ctl(d, {"user", "list", "--secrets", file, "--json"});
    BOOST_TEST_REQUIRE(json.exit_code == 0, json.out + json.err);
    const auto users = boost::json::parse(json.out).as_object().at("users").as_array();
    BOOST_TEST(users.size() == 2U);
    BOOST_TEST(users[0].as_object().at("totp").as_bool());
    BOOST_TEST(!users[1].as_object().at("totp").as_bool());

    for (const auto* out : {&r, &with_policy, &json})
    {
        const auto all = out->out + out->err;
        BOOST_TEST(!has(all, "$argon2"), all);
        BOOST_TEST(!has(all, salt), all);
        BOOST_TEST(!has(all, key.substr(0, 8)), all);
    }
}

BOOST_AUTO_TEST_CASE(remove_drops_the_user_and_refuses_an_unknown_one)
{
    temp_dir d;
    const auto file = secrets_with(d, "tanaka", true);
    auto r = ctl_with_stdin(d, "pw\n", {"user", "passwd", "--secrets", file, "sato"});
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.out + r.err);
    r = ctl(d, {"user", "remove", "--secrets", file, "tanaka"});
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.out + r.err);
    BOOST_TEST(has(r.out, "removed tanaka"), r.out);
    const auto s = load_secrets(file);
    BOOST_TEST(s.users.count("tanaka") == 0U);
    BOOST_TEST(s.users.count("sato") == 1U);
    BOOST_TEST(mode_of(file) == 0600U);
    r = ctl(d, {"user", "remove", "--secrets", file, "sto"});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(has(r.err, "no user `sto` in " + file + " (did you mean `sato`?)"), r.err);
}

// `user add`: password and TOTP key in one step, for a user not yet in the
// file; an existing user is refused and the file left as it was.
BOOST_AUTO_TEST_CASE(add_sets_the_password_and_enrols_in_one_step)
{
    temp_dir d;
    const auto file = d.file("secrets.yaml");
    auto r = ctl_with_stdin(d, "first password\n", {"user", "add", "--secrets", file, "tanaka", "--json"});
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.out + r.err);
    boost::system::error_code ec;
    const auto o = boost::json::parse(r.out, ec);
    BOOST_TEST_REQUIRE(!ec, r.out);
    BOOST_TEST(o.at("action").as_string() == "add");
    BOOST_TEST(std::string(o.at("uri").as_string()).starts_with("otpauth://totp/"));
    const auto s = load_secrets(file);
    BOOST_TEST(s.users.at("tanaka").totp_key.size() == 20U);
    BOOST_TEST(sekisho::auth::verify_password(s.users.at("tanaka").password_hash, "first password"));
    BOOST_TEST(mode_of(file) == 0600U);

    const auto before = read_file(file);
    r = ctl_with_stdin(d, "other password\n", {"user", "add", "--secrets", file, "tanaka"});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(has(r.err, "tanaka is already in " + file), r.err);
    BOOST_TEST(read_file(file) == before);
}

// Without a running sekishod: the lock is written to the file all the same
// (it holds from the next start or reload), and the command says that the
// daemon could not be told and exits 1. (With a daemon: suite `admin`.)
BOOST_AUTO_TEST_CASE(lock_and_unlock_without_a_daemon_change_the_file_and_say_so)
{
    temp_dir d;
    const auto file = secrets_with(d, "tanaka", true);
    const auto nowhere = d.file("no-daemon.sock");
    auto r = ctl(d, {"user", "lock", "--secrets", file, "tanaka", "--admin-socket", nowhere});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(has(r.out, "tanaka locked"), r.out);
    BOOST_TEST(has(r.out, "cannot reach sekishod's admin socket " + nowhere), r.out);
    BOOST_TEST(load_secrets(file).users.at("tanaka").locked);
    BOOST_TEST(mode_of(file) == 0600U);

    r = ctl(d, {"user", "unlock", "--secrets", file, "tanaka", "--admin-socket", nowhere});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(has(r.out, "tanaka unlocked"), r.out);
    BOOST_TEST(has(r.out, "end by themselves after auth.lockout.duration"), r.out);
    BOOST_TEST(!load_secrets(file).users.at("tanaka").locked);

    r = ctl(d, {"user", "lock", "--secrets", file, "tanka"});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(has(r.err, "(did you mean `tanaka`?)"), r.err);
    r = ctl(d, {"user", "lock", "tanaka"});
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(has(r.err, "user lock needs --secrets"), r.err);
    r = ctl(d, {"--help"});
    BOOST_TEST(has(r.out, "sekishoctl user unlock --secrets FILE USER"), r.out);
}

BOOST_AUTO_TEST_CASE(device_add_appends_the_certificates_fingerprint_and_keeps_the_file)
{
    temp_dir d;
    const auto file = inventory_copy(d);
    const auto before = read_file(file);
    const auto& w = world::get();
    auto r = ctl(d,
                 {"device",
                  "add",
                  "--inventory",
                  file,
                  "--id",
                  "alice-pc",
                  "--owner",
                  "alice",
                  "--cert",
                  w.cert("device-alice"),
                  "--kind",
                  "byod"});
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.out + r.err);
    BOOST_TEST(has(r.out, "added alice-pc (owner alice, byod, active)"), r.out);
    BOOST_TEST(has(r.out, "systemctl reload sekishod"), r.out);

    const auto after = read_file(file);
    // Appended: every line before, comments included, is still there as it was.
    BOOST_TEST_REQUIRE(after.starts_with(before));
    BOOST_TEST(has(after, "# 人事係 佐藤 花子. Colons in a fingerprint are fine (openssl prints them).\n"));
    BOOST_TEST(mode_of(file) == 0640U);
    // The same layout as the entries before it.
    const auto added = after.substr(before.size());
    BOOST_TEST(has(added, "\n  - id: alice-pc\n    owner: alice\n    fingerprint: \""), added);
    BOOST_TEST(has(added, "    kind: byod\n    status: active\n"), added);

    // The fingerprint is what openssl x509 -fingerprint -sha256 prints.
    const auto expected = sekisho::policy::normalise_fingerprint(w.fingerprint("device-alice"));
    BOOST_TEST_REQUIRE(expected.has_value());
    BOOST_TEST(has(added, "fingerprint: \"" + *expected + "\""), added);
    auto list = ctl(d, {"device", "list", "--inventory", file, "--json"});
    BOOST_TEST_REQUIRE(list.exit_code == 0, list.out + list.err);
    const auto devices = boost::json::parse(list.out).as_object().at("devices").as_array();
    const auto& last = devices.back().as_object();
    BOOST_TEST(str(last, "id") == "alice-pc");
    BOOST_TEST(str(last, "fingerprint") == *expected);
    BOOST_TEST(str(last, "kind") == "byod");
    BOOST_TEST(!str(last, "serial").empty());
}

BOOST_AUTO_TEST_CASE(lost_and_retire_change_only_that_devices_status_line)
{
    temp_dir d;
    const auto file = inventory_copy(d);
    const auto before = read_file(file);
    auto r = ctl(d, {"device", "lost", "--inventory", file, "sato-pc"});
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.out + r.err);
    BOOST_TEST(has(r.out, "sato-pc status: active -> lost"), r.out);
    BOOST_TEST(has(r.out, "systemctl reload sekishod"), r.out);
    const auto lost = read_file(file);
    auto changes = changed_lines(before, lost);
    BOOST_TEST_REQUIRE(changes.size() == 1U);
    BOOST_TEST(changes[0].second == "    status: lost");
    BOOST_TEST(lines_of(before)[changes[0].first - 1] == "    status: active");
    BOOST_TEST(has(r.out, file + ":" + std::to_string(changes[0].first) + ":"), r.out);
    BOOST_TEST(mode_of(file) == 0640U);

    r = ctl(d, {"device", "retire", "--inventory", file, "sato-pc", "--json"});
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.out + r.err);
    auto o = boost::json::parse(r.out).as_object();
    BOOST_TEST(str(o, "was") == "lost");
    BOOST_TEST(str(o, "status") == "retired");
    changes = changed_lines(lost, read_file(file));
    BOOST_TEST_REQUIRE(changes.size() == 1U);
    BOOST_TEST(changes[0].second == "    status: retired");

    // Again: nothing to do, nothing written.
    const auto retired = read_file(file);
    r = ctl(d, {"device", "retire", "--inventory", file, "sato-pc"});
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(has(r.out, "already retired; nothing changed"), r.out);
    BOOST_TEST(read_file(file) == retired);
}

BOOST_AUTO_TEST_CASE(device_errors_exit_1_with_the_reason_and_leave_the_file_alone)
{
    temp_dir d;
    const auto file = inventory_copy(d);
    const auto& w = world::get();
    auto r = ctl(d,
                 {"device",
                  "add",
                  "--inventory",
                  file,
                  "--id",
                  "alice-pc",
                  "--owner",
                  "alice",
                  "--cert",
                  w.cert("device-alice")});
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.out + r.err);
    const auto before = read_file(file);

    auto expect_refused = [&](const std::vector<std::string>& args, const std::string& message) {
        auto refused = ctl(d, args);
        BOOST_TEST(refused.exit_code == 1, refused.out + refused.err);
        BOOST_TEST(has(refused.err, message), refused.err);
        BOOST_TEST(read_file(file) == before);
    };
    expect_refused({"device", "lost", "--inventory", file, "sato-p"},
                   "no device `sato-p` in " + file + " (did you mean `sato-pc`?)");
    expect_refused({"device", "retire", "--inventory", file, "nobody-pc"}, "no device `nobody-pc`");
    expect_refused({"device",
                    "add",
                    "--inventory",
                    file,
                    "--id",
                    "alice-pc2",
                    "--owner",
                    "alice",
                    "--cert",
                    w.cert("device-alice")},
                   "this certificate is already listed, as device `alice-pc`");
    expect_refused({"device",
                    "add",
                    "--inventory",
                    file,
                    "--id",
                    "yamada-pc",
                    "--owner",
                    "alice",
                    "--cert",
                    w.cert("device-demo")},
                   "device `yamada-pc` is already listed");
    expect_refused({"device",
                    "add",
                    "--inventory",
                    file,
                    "--id",
                    "Alice_PC",
                    "--owner",
                    "alice",
                    "--cert",
                    w.cert("device-demo")},
                   "`Alice_PC` is not a valid device id");
    expect_refused({"device",
                    "add",
                    "--inventory",
                    file,
                    "--id",
                    "demo-pc",
                    "--owner",
                    "demo",
                    "--cert",
                    w.key("device-demo")},
                   "no certificate in");
    // --kind takes two words: a usage error.
    auto r2 = ctl(d,
                  {"device",
                   "add",
                   "--inventory",
                   file,
                   "--id",
                   "demo-pc",
                   "--owner",
                   "demo",
                   "--cert",
                   w.cert("device-demo"),
                   "--kind",
                   "owned"});
    BOOST_TEST(r2.exit_code == 2);
    BOOST_TEST(has(r2.err, "--kind is `lent` or `byod`"), r2.err);
}

BOOST_AUTO_TEST_CASE(add_needs_devices_last_and_fills_an_empty_devices_key)
{
    temp_dir d;
    const auto& w = world::get();
    const auto file = d.file("policy-part.yaml");
    const std::string text = "devices:\n  - id: a-pc\n    owner: a\n    serial: \"01\"\n    kind: lent\n"
                             "    status: active\nusers: []\n";
    write_file(file, text);
    auto r = ctl(d,
                 {"device",
                  "add",
                  "--inventory",
                  file,
                  "--id",
                  "alice-pc",
                  "--owner",
                  "alice",
                  "--cert",
                  w.cert("device-alice")});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(has(r.err, "`devices:` is not the last top-level key (`users:` comes after it, at line 7)"),
               r.err);
    BOOST_TEST(read_file(file) == text);

    const auto fresh = d.file("fresh.yaml");
    write_file(fresh, "# Town inventory\ndevices:\n");
    r = ctl(d,
            {"device",
             "add",
             "--inventory",
             fresh,
             "--id",
             "alice-pc",
             "--owner",
             "alice",
             "--cert",
             w.cert("device-alice")});
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.out + r.err);
    const auto after = read_file(fresh);
    BOOST_TEST(after.starts_with("# Town inventory\ndevices:\n  # Added by sekishoctl on "), after);
    BOOST_TEST(has(after, "CN=alice"), after);
    BOOST_TEST(has(after, "\n  - id: alice-pc\n    owner: alice\n"), after);
    r = ctl(d, {"device", "list", "--inventory", fresh});
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(has(r.out, "1 device(s), 1 active"), r.out);
}

BOOST_AUTO_TEST_CASE(add_turns_an_empty_flow_list_into_the_first_entry)
{
    // The packaged inventory ships as `devices: []` (the policy loader needs a
    // list); the first device replaces the brackets with a block list.
    temp_dir d;
    const auto& w = world::get();
    const auto file = d.file("devices.yaml");
    write_file(file, read_file(std::string(SEKISHO_SOURCE_DIR) + "/config/packaged/devices.yaml"));
    auto r = ctl(d,
                 {"device",
                  "add",
                  "--inventory",
                  file,
                  "--id",
                  "alice-pc",
                  "--owner",
                  "alice",
                  "--cert",
                  w.cert("device-alice")});
    BOOST_TEST_REQUIRE(r.exit_code == 0, r.out + r.err);
    const auto after = read_file(file);
    BOOST_TEST(!has(after, "[]"), after);
    BOOST_TEST(has(after, "\ndevices:\n"), after);
    BOOST_TEST(has(after, "\n  - id: alice-pc\n    owner: alice\n"), after);
    r = ctl(d, {"device", "list", "--inventory", file});
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(has(r.out, "1 device(s), 1 active"), r.out);
    // Brackets with something between them are not touched.
    write_file(file, "devices: [ {id: x} ]\n");
    r = ctl(d,
            {"device",
             "add",
             "--inventory",
             file,
             "--id",
             "b-pc",
             "--owner",
             "b",
             "--cert",
             w.cert("device-alice")});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(read_file(file) == "devices: [ {id: x} ]\n");
}

BOOST_AUTO_TEST_SUITE_END()
