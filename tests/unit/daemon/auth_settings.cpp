// sekisho.yaml `auth:`: a full block, defaults, ranges, the required secrets
// path and unknown keys. (Broken files: tests/fixtures/config_bad/auth_*.yaml.)

#include "daemon/config/settings.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

namespace bdata = boost::unit_test::data;
namespace cfg = sekisho::config;
using namespace std::chrono_literals;

namespace {

std::string with_auth(const std::string& auth)
{
    return "version: 1\n"
           "policy: policy.yaml\n"
           "listeners:\n"
           "  - id: internet\n"
           "    address: 127.0.0.1\n"
           "    port: 8443\n"
           "    layer: internet\n"
           "    tls:\n"
           "      certificate: pki/server.pem\n"
           "      private_key: pki/server.key\n"
           "      client_ca: pki/device-ca.pem\n" +
           auth;
}

cfg::load_result load(const std::string& yaml)
{
    return cfg::load_settings_text(yaml, "test.yaml", "/etc/sekisho");
}

cfg::auth_settings load_auth_ok(const std::string& auth)
{
    auto r = load(with_auth(auth));
    BOOST_TEST_REQUIRE(!r.diags.has_errors(), r.diags.to_string());
    BOOST_TEST_REQUIRE(r.value.has_value());
    BOOST_TEST_REQUIRE(r.value->auth.has_value());
    return *r.value->auth;
}

// The error messages of one load, for BOOST_TEST output and searches.
bool has_error(const cfg::load_result& r, const std::string& message, const std::string& hint = {})
{
    for (const auto& d : r.diags.items())
    {
        if (d.level == sekisho::policy::severity::error && d.message.find(message) != std::string::npos &&
            d.hint.find(hint) != std::string::npos)
        {
            return true;
        }
    }
    return false;
}

struct out_of_range
{
    std::string block; // under `auth:`, after `secrets:`
    std::string message;
    std::string hint;
};

std::ostream& operator<<(std::ostream& os, const out_of_range& c)
{
    return os << c.block;
}

const std::vector<out_of_range> out_of_range_cases = {
    {"  totp: {step: 10s}\n", "auth.totp.step is 10s, outside", "from 15s to 2m"},
    {"  totp: {step: 121s}\n", "auth.totp.step is 121s, outside", "from 15s to 2m"},
    {"  totp: {digits: 5}\n", "auth.totp.digits is 5, outside", "from 6 to 8"},
    {"  totp: {digits: 9}\n", "auth.totp.digits is 9, outside", "from 6 to 8"},
    {"  totp: {window: 4}\n", "auth.totp.window is 4, outside", "from 0 to 3"},
    {"  lockout: {failures: 0}\n", "auth.lockout.failures is 0, outside", "from 1 to 100"},
    {"  lockout: {failures: 101}\n", "auth.lockout.failures is 101, outside", "from 1 to 100"},
    {"  lockout: {backoff: 99ms}\n", "auth.lockout.backoff is 99ms, outside", "from 100ms to 1m"},
    {"  lockout: {backoff: 2m}\n", "auth.lockout.backoff is 2m, outside", "from 100ms to 1m"},
    {"  lockout: {max_backoff: 999ms}\n", "auth.lockout.max_backoff is 999ms, outside", "from 1s to 1h"},
    {"  lockout: {max_backoff: 61m}\n", "auth.lockout.max_backoff is 61m, outside", "from 1s to 1h"},
    {"  lockout: {duration: 59s}\n", "auth.lockout.duration is 59s, outside", "from 1m to 168h"},
    {"  lockout: {duration: 8d}\n", "auth.lockout.duration is 8d, outside", "from 1m to 168h"},
    {"  workers: 0\n", "auth.workers is 0, outside", "from 1 to 64"},
    {"  workers: 65\n", "auth.workers is 65, outside", "from 1 to 64"},
    {"  queue: 0\n", "auth.queue is 0, outside", "from 1 to 100000"},
    {"  queue: 100001\n", "auth.queue is 100001, outside", "from 1 to 100000"},
    {"  session: {idle: 59s}\n", "auth.session.idle is 59s, outside", "from 1m to 24h"},
    {"  session: {idle: 25h}\n", "auth.session.idle is 25h, outside", "from 1m to 24h"},
    {"  session: {max: 9m}\n", "auth.session.max is 9m, outside", "from 10m to 168h"},
    {"  session: {max: 8d}\n", "auth.session.max is 8d, outside", "from 10m to 168h"},
};

} // namespace

BOOST_AUTO_TEST_SUITE(auth_settings)

// Without `auth:` sekishod keeps the device's owner as the user.
BOOST_AUTO_TEST_CASE(absent_means_no_auth)
{
    auto r = load(with_auth(""));
    BOOST_TEST_REQUIRE(!r.diags.has_errors(), r.diags.to_string());
    BOOST_TEST(!r.value->auth.has_value());
}

// config/sekisho.yaml carries the section commented out; uncommented, it
// loads and shows exactly the compiled-in defaults.
BOOST_AUTO_TEST_CASE(example_block_shows_the_defaults)
{
    std::ifstream in(std::string(SEKISHO_SOURCE_DIR) + "/config/sekisho.yaml");
    std::string block;
    bool inside = false;
    for (std::string line; std::getline(in, line);)
    {
        inside = inside ? line.rfind("#  ", 0) == 0 : line == "#auth:";
        if (inside)
        {
            block += line.substr(1) + "\n";
        }
    }
    BOOST_TEST_REQUIRE(block.rfind("auth:\n", 0) == 0U, "no `#auth:` block in config/sekisho.yaml");
    const auto a = load_auth_ok(block);
    const cfg::auth_settings defaults;
    BOOST_TEST(a.secrets_file == "/etc/sekisho/secrets.yaml");
    BOOST_TEST((a.totp.step == defaults.totp.step));
    BOOST_TEST(a.totp.digits == defaults.totp.digits);
    BOOST_TEST(a.totp.window == defaults.totp.window);
    BOOST_TEST(a.lockout.failures == defaults.lockout.failures);
    BOOST_TEST((a.lockout.backoff == defaults.lockout.backoff));
    BOOST_TEST((a.lockout.max_backoff == defaults.lockout.max_backoff));
    BOOST_TEST((a.lockout.duration == defaults.lockout.duration));
    BOOST_TEST(a.workers == defaults.workers);
    BOOST_TEST(a.queue == defaults.queue);
    BOOST_TEST((a.session.idle == defaults.session.idle));
    BOOST_TEST((a.session.max == defaults.session.max));
}

// Every key written, none at its default.
BOOST_AUTO_TEST_CASE(full_block)
{
    const auto a = load_auth_ok("auth:\n"
                                "  secrets: /srv/sekisho/secrets.yaml\n"
                                "  totp: {step: 60s, digits: 8, window: 2}\n"
                                "  lockout:\n"
                                "    failures: 3\n"
                                "    backoff: 500ms\n"
                                "    max_backoff: 10m\n"
                                "    duration: 1h\n"
                                "  workers: 4\n"
                                "  queue: 1000\n"
                                "  session:\n"
                                "    idle: 45m\n"
                                "    max: 10h\n");
    BOOST_TEST(a.secrets_file == "/srv/sekisho/secrets.yaml");
    BOOST_TEST((a.totp.step == 60s));
    BOOST_TEST(a.totp.digits == 8U);
    BOOST_TEST(a.totp.window == 2U);
    BOOST_TEST(a.lockout.failures == 3U);
    BOOST_TEST((a.lockout.backoff == 500ms));
    BOOST_TEST((a.lockout.max_backoff == 10min));
    BOOST_TEST((a.lockout.duration == 1h));
    BOOST_TEST(a.workers == 4U);
    BOOST_TEST(a.queue == 1000U);
    BOOST_TEST((a.session.idle == 45min));
    BOOST_TEST((a.session.max == 10h));
    BOOST_TEST(a.where.file == "test.yaml");
    BOOST_TEST(a.where.line == 13);
}

// Only the required key: everything else is its documented default.
BOOST_AUTO_TEST_CASE(defaults)
{
    const auto a = load_auth_ok("auth:\n  secrets: secrets.yaml\n");
    BOOST_TEST(a.secrets_file == "/etc/sekisho/secrets.yaml");
    BOOST_TEST((a.totp.step == 30s));
    BOOST_TEST(a.totp.digits == 6U);
    BOOST_TEST(a.totp.window == 1U);
    BOOST_TEST(a.lockout.failures == 5U);
    BOOST_TEST((a.lockout.backoff == 1s));
    BOOST_TEST((a.lockout.max_backoff == 1min));
    BOOST_TEST((a.lockout.duration == 15min));
    BOOST_TEST(a.workers == 2U);
    BOOST_TEST(a.queue == 64U);
    BOOST_TEST((a.session.idle == 30min));
    BOOST_TEST((a.session.max == 12h));
    // The struct's initialisers and defaults.hpp agree.
    const cfg::auth_settings fresh;
    BOOST_TEST((fresh.totp.step == cfg::auth_defaults::totp_step.fallback));
    BOOST_TEST((fresh.session.max == cfg::auth_defaults::session_max.fallback));
}

// Empty sub-sections keep their defaults too.
BOOST_AUTO_TEST_CASE(empty_sub_sections)
{
    const auto a = load_auth_ok("auth:\n  secrets: s.yaml\n  totp: {}\n  lockout: {}\n  session: {}\n");
    BOOST_TEST(a.totp.digits == 6U);
    BOOST_TEST(a.lockout.failures == 5U);
    BOOST_TEST((a.session.idle == 30min));
}

// The path is expanded and resolved like every other path.
BOOST_AUTO_TEST_CASE(secrets_path_expansion)
{
    ::unsetenv("SEKISHO_UT_UNSET_VARIABLE");
    BOOST_TEST(
        load_auth_ok("auth:\n  secrets: ${SEKISHO_UT_UNSET_VARIABLE:-../private}/s.yaml\n").secrets_file ==
        "/etc/private/s.yaml");
    ::setenv("SEKISHO_UT_AUTH_DIR", "/run/creds", 1);
    BOOST_TEST(load_auth_ok("auth:\n  secrets: ${SEKISHO_UT_AUTH_DIR}/s.yaml\n").secrets_file ==
               "/run/creds/s.yaml");
    ::unsetenv("SEKISHO_UT_AUTH_DIR");
    auto r = load(with_auth("auth:\n  secrets: ${SEKISHO_UT_UNSET_VARIABLE}/s.yaml\n"));
    BOOST_TEST(has_error(r, "auth.secrets: environment variable `SEKISHO_UT_UNSET_VARIABLE` is not set"),
               r.diags.to_string());
}

// The edges of every range are accepted.
BOOST_AUTO_TEST_CASE(range_edges_accepted)
{
    const auto low = load_auth_ok("auth:\n"
                                  "  secrets: s.yaml\n"
                                  "  totp: {step: 15s, digits: 6, window: 0}\n"
                                  "  lockout: {failures: 1, backoff: 100ms, max_backoff: 1s, duration: 1m}\n"
                                  "  workers: 1\n"
                                  "  queue: 1\n"
                                  "  session: {idle: 1m, max: 10m}\n");
    BOOST_TEST((low.totp.step == 15s));
    BOOST_TEST(low.totp.window == 0U);
    BOOST_TEST((low.lockout.backoff == 100ms));
    BOOST_TEST((low.lockout.duration == 1min));
    BOOST_TEST(low.workers == 1U);
    BOOST_TEST((low.session.max == 10min));
    const auto high = load_auth_ok("auth:\n"
                                   "  secrets: s.yaml\n"
                                   "  totp: {step: 2m, digits: 8, window: 3}\n"
                                   "  lockout: {failures: 100, backoff: 1m, max_backoff: 1h, duration: 7d}\n"
                                   "  workers: 64\n"
                                   "  queue: 100000\n"
                                   "  session: {idle: 24h, max: 7d}\n");
    BOOST_TEST((high.totp.step == 120s));
    BOOST_TEST(high.totp.digits == 8U);
    BOOST_TEST((high.lockout.duration == 168h));
    BOOST_TEST(high.queue == 100000U);
    BOOST_TEST((high.session.idle == 24h));
    BOOST_TEST((high.session.max == 168h));
}

// One step past either edge of every range is refused, with the range.
BOOST_DATA_TEST_CASE(range_edges_refused, bdata::make(out_of_range_cases), c)
{
    auto r = load(with_auth("auth:\n  secrets: s.yaml\n" + c.block));
    BOOST_TEST(has_error(r, c.message, c.hint), r.diags.to_string());
    BOOST_TEST(r.diags.error_count() == 1U, r.diags.to_string());
}

// RFC 6238 steps are whole seconds.
BOOST_AUTO_TEST_CASE(totp_step_whole_seconds)
{
    auto r = load(with_auth("auth:\n  secrets: s.yaml\n  totp: {step: 15500ms}\n"));
    BOOST_TEST(has_error(r, "auth.totp.step must be a whole number of seconds"), r.diags.to_string());
}

BOOST_AUTO_TEST_CASE(missing_secrets)
{
    auto r = load(with_auth("auth:\n  workers: 2\n"));
    BOOST_TEST(has_error(r, "auth is missing the required key `secrets`"), r.diags.to_string());
    BOOST_TEST(r.diags.error_count() == 1U, r.diags.to_string());
}

// `auth:` with every key commented out is not "no auth": it is a mistake.
BOOST_AUTO_TEST_CASE(empty_auth_is_an_error)
{
    auto r = load(with_auth("auth:\n"));
    BOOST_TEST(has_error(r, "auth must be a mapping"), r.diags.to_string());
}

// Misspelt keys at each level, with the spelling they meant; the keys beside
// them are still read.
BOOST_AUTO_TEST_CASE(unknown_keys_did_you_mean)
{
    auto r = load(with_auth("auth:\n"
                            "  secret: s.yaml\n"
                            "  worker: 2\n"
                            "  totp: {step: 30s, digit: 6}\n"
                            "  lockout: {failure: 5}\n"
                            "  session: {idel: 1h, max: 200h}\n"));
    BOOST_TEST(has_error(r, "unknown key `secret` in auth", "did you mean `secrets`?"), r.diags.to_string());
    BOOST_TEST(has_error(r, "unknown key `worker` in auth", "did you mean `workers`?"), r.diags.to_string());
    BOOST_TEST(has_error(r, "unknown key `digit` in auth.totp", "did you mean `digits`?"),
               r.diags.to_string());
    BOOST_TEST(has_error(r, "unknown key `failure` in auth.lockout", "did you mean `failures`?"),
               r.diags.to_string());
    BOOST_TEST(has_error(r, "unknown key `idel` in auth.session", "did you mean `idle`?"),
               r.diags.to_string());
    BOOST_TEST(has_error(r, "auth is missing the required key `secrets`"), r.diags.to_string());
    BOOST_TEST(has_error(r, "auth.session.max is 200h, outside"), r.diags.to_string());
    BOOST_TEST(r.diags.error_count() == 7U, r.diags.to_string());
}

// `auth` is a known top-level key (a misspelling is caught there).
BOOST_AUTO_TEST_CASE(top_level_misspelling)
{
    auto r = load(with_auth("autth:\n  secrets: s.yaml\n"));
    BOOST_TEST(has_error(r, "unknown key `autth` in the configuration", "did you mean `auth`?"),
               r.diags.to_string());
}

// Settings that cannot take effect are warnings, not errors.
BOOST_AUTO_TEST_CASE(contradictions_warn)
{
    auto r = load(with_auth("auth:\n"
                            "  secrets: s.yaml\n"
                            "  lockout: {backoff: 1m, max_backoff: 10s}\n"
                            "  session: {max: 20m}\n"));
    BOOST_TEST(!r.diags.has_errors(), r.diags.to_string());
    BOOST_TEST_REQUIRE(r.diags.items().size() == 2U, r.diags.to_string());
    BOOST_TEST(r.diags.items()[0].message.find("auth.lockout.backoff is longer") != std::string::npos);
    BOOST_TEST(r.diags.items()[0].where.line == 14);
    BOOST_TEST(r.diags.items()[1].message.find("auth.session.idle is longer") != std::string::npos);
    BOOST_TEST(r.diags.items()[1].where.line == 15);
}

// `admin:` (the admin API's socket) is read in the same file.
BOOST_AUTO_TEST_CASE(admin_section)
{
    auto none = load(with_auth(""));
    BOOST_TEST_REQUIRE(none.value.has_value());
    BOOST_TEST(!none.value->admin.has_value());

    auto ok = load(with_auth("admin:\n  socket: run/admin.sock\n  group: sekisho-admin\n"
                             "  request_timeout: 2s\n  request_bytes: 4096\n  connections: 4\n"));
    BOOST_TEST_REQUIRE(!ok.diags.has_errors(), ok.diags.to_string());
    const auto& a = *ok.value->admin;
    BOOST_TEST(a.socket == "/etc/sekisho/run/admin.sock"); // relative to the file's folder
    BOOST_TEST(a.group == "sekisho-admin");
    BOOST_TEST(a.request_timeout.count() == 2000);
    BOOST_TEST(a.request_bytes == 4096U);
    BOOST_TEST(a.connections == 4U);

    auto defaults = load(with_auth("admin:\n  socket: /run/sekisho/admin.sock\n"));
    BOOST_TEST_REQUIRE(!defaults.diags.has_errors(), defaults.diags.to_string());
    BOOST_TEST(defaults.value->admin->group.empty());
    BOOST_TEST(defaults.value->admin->request_timeout.count() == 10000);

    auto bad = load(with_auth("admin:\n  socket: /" + std::string(120, 'x') +
                              "\n  request_timeout: 1h\n  connections: 0\n  colour: blue\n"));
    BOOST_TEST(has_error(bad, "admin.socket is 121 bytes long"), bad.diags.to_string());
    BOOST_TEST(has_error(bad, "admin.request_timeout is 1h, outside"), bad.diags.to_string());
    BOOST_TEST(has_error(bad, "admin.connections"), bad.diags.to_string());
    BOOST_TEST(has_error(bad, "unknown key `colour`"), bad.diags.to_string());
    auto missing = load(with_auth("admin:\n  group: wheel\n"));
    BOOST_TEST(has_error(missing, "admin is missing the required key `socket`"), missing.diags.to_string());
}

// `egress:`: an upstream proxy per layer, its password from a private file.
BOOST_AUTO_TEST_CASE(egress_section)
{
    char pattern[] = "/tmp/sekisho-egress-XXXXXX";
    const std::string dir = ::mkdtemp(pattern);
    const auto write = [&](const std::string& name, const std::string& text, mode_t mode) {
        const auto path = dir + "/" + name;
        std::ofstream(path) << text;
        ::chmod(path.c_str(), mode);
    };
    write("pw", "s3cret\n", 0600);
    write("open-pw", "s3cret\n", 0644);
    const auto with_proxy = [&](const std::string& proxy) {
        return cfg::load_settings_text(
            with_auth("egress:\n  internet:\n    proxy: " + proxy + "\n"), "test.yaml", dir);
    };
    auto ok =
        with_proxy("{address: 127.0.0.1, port: 3128, username: sekisho, password_file: pw, resolve: proxy}");
    BOOST_TEST_REQUIRE(!ok.diags.has_errors(), ok.diags.to_string());
    const auto& p = *ok.value->egress_internet.proxy;
    BOOST_TEST(p.port == 3128);
    BOOST_TEST(p.username == "sekisho");
    BOOST_TEST(p.password == "s3cret"); // without the line end
    BOOST_TEST(!p.resolve_locally);
    BOOST_TEST(!ok.value->egress_lgwan.proxy.has_value());
    BOOST_TEST(ok.value->egress(sekisho::policy::layer::internet).proxy.has_value());

    auto open = with_proxy("{address: 127.0.0.1, port: 3128, username: sekisho, password_file: open-pw}");
    BOOST_TEST(has_error(open, "may be read by others", "chmod 600"), open.diags.to_string());
    auto name = with_proxy("{address: proxy.pref.example, port: 3128}");
    BOOST_TEST(has_error(name, "is not an IP address"), name.diags.to_string());
    auto half = with_proxy("{address: 127.0.0.1, port: 3128, username: sekisho}");
    BOOST_TEST(has_error(half, "needs both username and password_file"), half.diags.to_string());
    auto tls = with_proxy("{address: 127.0.0.1, port: 3128, tls: {ca: proxy-ca.pem}}");
    BOOST_TEST_REQUIRE(!tls.diags.has_errors(), tls.diags.to_string());
    BOOST_TEST(tls.value->egress_internet.proxy->tls);
    BOOST_TEST(tls.value->egress_internet.proxy->ca_file == dir + "/proxy-ca.pem");
    BOOST_TEST(tls.value->egress_internet.proxy->server_name == "127.0.0.1"); // the address by default
    auto no_ca = with_proxy("{address: 127.0.0.1, port: 3128, tls: {server_name: proxy.pref.example}}");
    BOOST_TEST(has_error(no_ca, "missing the required key `ca`"), no_ca.diags.to_string());
    auto resolve = with_proxy("{address: 127.0.0.1, port: 3128, resolve: dns}");
    BOOST_TEST(has_error(resolve, "neither local nor proxy"), resolve.diags.to_string());
    std::filesystem::remove_all(dir);
}

// config/sekisho.yaml carries an `egress:` example commented out; with a real
// password file in place of /etc/sekisho/proxy-password it loads.
BOOST_AUTO_TEST_CASE(example_egress_block_loads)
{
    std::ifstream in(std::string(SEKISHO_SOURCE_DIR) + "/config/sekisho.yaml");
    std::string block;
    bool inside = false;
    for (std::string line; std::getline(in, line);)
    {
        inside = inside ? line.rfind("#  ", 0) == 0 : line == "#egress:";
        if (inside)
        {
            block += line.substr(1) + "\n";
        }
    }
    BOOST_TEST_REQUIRE(block.rfind("egress:\n", 0) == 0U, "no `#egress:` block in config/sekisho.yaml");
    char pattern[] = "/tmp/sekisho-egress-example-XXXXXX";
    const std::string dir = ::mkdtemp(pattern);
    const auto pw = dir + "/proxy-password";
    std::ofstream(pw) << "example\n";
    ::chmod(pw.c_str(), 0600);
    const std::string shipped = "/etc/sekisho/proxy-password";
    block.replace(block.find(shipped), shipped.size(), pw);
    auto r = cfg::load_settings_text(with_auth(block), "test.yaml", dir);
    BOOST_TEST_REQUIRE(!r.diags.has_errors(), r.diags.to_string());
    const auto& internet = r.value->egress_internet;
    BOOST_TEST_REQUIRE(internet.proxy.has_value());
    BOOST_TEST(internet.proxy->username == "town-kakuu");
    BOOST_TEST(internet.proxy->resolve_locally);
    BOOST_TEST_REQUIRE(internet.dns.has_value());
    BOOST_TEST(internet.dns->servers.at(0) == "192.0.2.53:53");
    const auto& lgwan = r.value->egress_lgwan;
    BOOST_TEST(!lgwan.proxy.has_value());
    BOOST_TEST_REQUIRE(lgwan.dns.has_value());
    const cfg::layer_dns defaults;
    BOOST_TEST(lgwan.dns->cache_entries == defaults.cache_entries);
    BOOST_TEST((lgwan.dns->max_ttl == defaults.max_ttl));
    BOOST_TEST((lgwan.dns->negative_ttl == defaults.negative_ttl));
    std::filesystem::remove_all(dir);
}

// DNS server spellings, and the mistakes reported.
BOOST_AUTO_TEST_CASE(egress_dns_servers)
{
    const auto with_dns = [](const std::string& servers) {
        return load(with_auth("egress:\n  lgwan:\n    dns: {servers: " + servers + "}\n"));
    };
    auto ok = with_dns("[10.0.0.53, \"10.0.0.54:5353\", \"fd00::53\", \"[fd00::54]:5353\"]");
    BOOST_TEST_REQUIRE(!ok.diags.has_errors(), ok.diags.to_string());
    const auto& s = ok.value->egress_lgwan.dns->servers;
    BOOST_TEST(
        s == (std::vector<std::string>{"10.0.0.53:53", "10.0.0.54:5353", "[fd00::53]:53", "[fd00::54]:5353"}),
        boost::test_tools::per_element());
    BOOST_TEST(has_error(with_dns("[dns.lgwan.example]"), "is not an address with an optional port"));
    BOOST_TEST(has_error(with_dns("[\"10.0.0.53:0\"]"), "is not an address with an optional port"));
    BOOST_TEST(has_error(with_dns("[]"), "servers is empty"));
    BOOST_TEST(has_error(with_dns("[\"10.0.0.53:53x\"]"), "is not an address with an optional port"));
    // Every bad entry is reported, not only the first.
    const auto two = with_dns("[bad-1, bad-2]");
    BOOST_TEST(two.diags.error_count() == 2U, two.diags.to_string());
    // With the proxy resolving, the layer's DNS would never be asked: said.
    const auto unused = load(with_auth("egress:\n  internet:\n    dns: {servers: [10.0.0.53]}\n"
                                       "    proxy: {address: 127.0.0.1, port: 3128, resolve: proxy}\n"));
    BOOST_TEST(!unused.diags.has_errors(), unused.diags.to_string());
    BOOST_TEST(unused.diags.to_string().find("dns is never asked") != std::string::npos,
               unused.diags.to_string());
}

BOOST_AUTO_TEST_SUITE_END()
