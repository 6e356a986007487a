// sekisho.yaml `auth.store`: Redis directly or through sentinels, the
// password file's permissions, TLS, ranges and the mistakes an operator
// makes, each reported with its line.

#include "daemon/config/settings.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

namespace cfg = sekisho::config;
using namespace std::chrono_literals;

namespace {

// Line 1 of `store` is line 14 of the file. Errors about the block as a
// whole point at its first key (line 2).
constexpr int store_first_line = 14;

// A folder of its own with a Redis password file of `mode`.
struct scratch
{
    std::string dir;
    explicit scratch(mode_t mode = 0600)
    {
        char tmpl[] = "/tmp/sekisho-store-XXXXXX";
        dir = ::mkdtemp(tmpl);
        std::ofstream(dir + "/redis.pass") << "s3cret-pass\n";
        ::chmod((dir + "/redis.pass").c_str(), mode);
    }
    ~scratch() { std::filesystem::remove_all(dir); }
    scratch(const scratch&) = delete;
    scratch& operator=(const scratch&) = delete;
};

cfg::load_result load_store(const scratch& s, const std::string& store)
{
    const std::string yaml = "version: 1\n"
                             "policy: policy.yaml\n"
                             "listeners:\n"
                             "  - id: internet\n"
                             "    address: 127.0.0.1\n"
                             "    port: 8443\n"
                             "    layer: internet\n"
                             "    tls:\n"
                             "      certificate: pki/server.pem\n"
                             "      private_key: pki/server.key\n"
                             "      client_ca: pki/device-ca.pem\n"
                             "auth:\n"
                             "  secrets: secrets.yaml\n" +
                             store;
    return cfg::load_settings_text(yaml, "test.yaml", s.dir);
}

// The first diagnostic whose message holds `part` (level and line for the checks).
const sekisho::policy::diagnostic* find(const cfg::load_result& r, const std::string& part)
{
    for (const auto& d : r.diags.items())
    {
        if (d.message.find(part) != std::string::npos)
        {
            return &d;
        }
    }
    return nullptr;
}

bool error_at(const cfg::load_result& r, const std::string& part, int store_line)
{
    const auto* d = find(r, part);
    return d != nullptr && d->level == sekisho::policy::severity::error &&
           d->where.line == store_first_line + store_line - 1;
}

} // namespace

BOOST_AUTO_TEST_SUITE(store_settings)

// No store: the in-process one.
BOOST_AUTO_TEST_CASE(absent_means_memory)
{
    scratch s;
    const auto r = load_store(s, "");
    BOOST_TEST_REQUIRE(!r.diags.has_errors(), r.diags.to_string());
    BOOST_TEST(!r.value->auth->store.redis);
}

BOOST_AUTO_TEST_CASE(redis_with_every_key)
{
    scratch s;
    std::ofstream(s.dir + "/ca.pem") << "not read at load\n";
    const auto r =
        load_store(s,
                   "  store:\n"
                   "    type: redis\n"
                   "    servers: [\"10.0.0.5:6380\", \"[2001:db8::5]:6379\", \"redis.example:6379\"]\n"
                   "    username: sekishod\n"
                   "    password_file: redis.pass\n"
                   "    tls: {ca: ca.pem, server_name: redis.example}\n"
                   "    prefix: \"town:\"\n"
                   "    database: 3\n"
                   "    connect_timeout: 2s\n"
                   "    command_timeout: 100ms\n"
                   "    reconnect_backoff: 50ms\n"
                   "    reconnect_backoff_max: 2s\n");
    BOOST_TEST_REQUIRE(!r.diags.has_errors(), r.diags.to_string());
    const auto& st = r.value->auth->store;
    BOOST_TEST(st.redis);
    BOOST_TEST(!st.local_fallback);
    BOOST_TEST_REQUIRE(st.servers.size() == 3U);
    BOOST_TEST(st.servers[0].host == "10.0.0.5");
    BOOST_TEST(st.servers[0].port == 6380);
    BOOST_TEST(st.servers[1].host == "2001:db8::5");
    BOOST_TEST(st.servers[2].host == "redis.example");
    BOOST_TEST(st.username == "sekishod");
    BOOST_TEST(st.password == "s3cret-pass"); // the line ending dropped
    BOOST_TEST(st.tls);
    BOOST_TEST(st.ca_file == s.dir + "/ca.pem");
    BOOST_TEST(st.server_name == "redis.example");
    BOOST_TEST(st.prefix == "town:");
    BOOST_TEST(st.database == 3U);
    BOOST_TEST((st.connect_timeout == 2s));
    BOOST_TEST((st.command_timeout == 100ms));
    BOOST_TEST((st.reconnect_backoff == 50ms));
    BOOST_TEST((st.reconnect_backoff_max == 2s));
    BOOST_TEST(st.where.line == store_first_line + 1); // the block's first key
}

BOOST_AUTO_TEST_CASE(sentinels_need_a_master_name_and_defaults_apply)
{
    scratch s;
    auto r =
        load_store(s, "  store:\n    type: redis\n    sentinels: [\"10.0.0.1:26379\", \"10.0.0.2:26379\"]\n");
    BOOST_TEST(error_at(r, "auth.store.sentinels needs master_name", 2), r.diags.to_string());

    r = load_store(s,
                   "  store:\n    type: redis\n    sentinels: [\"10.0.0.1:26379\", \"10.0.0.2:26379\"]\n"
                   "    master_name: sekisho\n");
    BOOST_TEST_REQUIRE(!r.diags.has_errors(), r.diags.to_string());
    const auto& st = r.value->auth->store;
    BOOST_TEST(st.sentinels.size() == 2U);
    BOOST_TEST(st.master_name == "sekisho");
    BOOST_TEST(st.prefix == "sekisho:");
    BOOST_TEST((st.connect_timeout == cfg::store_defaults::connect_timeout.fallback));
    BOOST_TEST((st.command_timeout == 250ms));
    BOOST_TEST((st.reconnect_backoff == 250ms));
    BOOST_TEST((st.reconnect_backoff_max == 5s));
}

BOOST_AUTO_TEST_CASE(mistakes_are_errors_with_their_line)
{
    scratch s;
    auto r = load_store(s, "  store:\n    type: redis\n");
    BOOST_TEST(error_at(r, "needs either servers or sentinels", 2), r.diags.to_string());
    r = load_store(s,
                   "  store:\n    type: redis\n    servers: [\"a:1\"]\n    sentinels: [\"b:2\"]\n"
                   "    master_name: m\n");
    BOOST_TEST(error_at(r, "needs either servers or sentinels", 2), r.diags.to_string());
    r = load_store(
        s, "  store:\n    type: redis\n    servers: [\"redis.example\", \"h:99999\", \"[::1]6379\"]\n");
    BOOST_TEST(error_at(r, "`redis.example` is not host:port", 3), r.diags.to_string());
    BOOST_TEST(find(r, "`h:99999` is not host:port") != nullptr, r.diags.to_string());
    BOOST_TEST(find(r, "`[::1]6379` is not host:port") != nullptr, r.diags.to_string());
    r = load_store(s, "  store:\n    type: reddis\n");
    BOOST_TEST(error_at(r, "auth.store.type `reddis` is not memory or redis", 2), r.diags.to_string());
    r = load_store(s, "  store:\n    type: redis\n    servers: [\"a:1\"]\n    on_unavailable: open\n");
    BOOST_TEST(error_at(r, "`open` is not fail_closed or local_fallback", 4), r.diags.to_string());
    r = load_store(s, "  store:\n    type: redis\n    servers: [\"a:1\"]\n    command_timeout: 5ms\n");
    BOOST_TEST(error_at(r, "auth.store.command_timeout is 5ms, outside", 4), r.diags.to_string());
    r = load_store(s,
                   "  store:\n    type: redis\n    servers: [\"a:1\"]\n    tls: {ca: ca.pem, key: k.pem}\n");
    BOOST_TEST(error_at(r, "needs both certificate and key", 4), r.diags.to_string());
    r = load_store(s, "  store:\n    type: redis\n    servers: [\"a:1\"]\n    sentinel: [\"b:2\"]\n");
    BOOST_TEST(error_at(r, "unknown key `sentinel` in auth.store", 4), r.diags.to_string());
    r = load_store(s, "  store:\n    type: redis\n    servers: [\"a:1\"]\n    password_file: missing.pass\n");
    BOOST_TEST(error_at(r, "auth.store.password_file " + s.dir + "/missing.pass", 4), r.diags.to_string());
}

// A password others may read is not read (like the secrets file).
BOOST_AUTO_TEST_CASE(a_password_file_others_may_read_is_refused)
{
    scratch s(0644);
    const auto r =
        load_store(s, "  store:\n    type: redis\n    servers: [\"a:1\"]\n    password_file: redis.pass\n");
    BOOST_TEST(error_at(r, "may be read by others; it is not read", 4), r.diags.to_string());
    BOOST_TEST(find(r, "may be read by others")->hint == "chmod 600 " + s.dir + "/redis.pass");
}

// Choices that weaken the guarantees, or cannot take effect, are warned about.
BOOST_AUTO_TEST_CASE(local_fallback_and_memory_with_servers_warn)
{
    scratch s;
    auto r = load_store(
        s, "  store:\n    type: redis\n    servers: [\"a:1\"]\n    on_unavailable: local_fallback\n");
    BOOST_TEST_REQUIRE(!r.diags.has_errors(), r.diags.to_string());
    BOOST_TEST(r.value->auth->store.local_fallback);
    const auto* w = find(r, "local_fallback lets a device hold one layer");
    BOOST_TEST_REQUIRE(w != nullptr, r.diags.to_string());
    BOOST_TEST(w->where.line == store_first_line + 3);
    r = load_store(s, "  store:\n    type: memory\n    servers: [\"a:1\"]\n");
    BOOST_TEST(!r.diags.has_errors(), r.diags.to_string());
    BOOST_TEST(!r.value->auth->store.redis);
    BOOST_TEST(find(r, "auth.store.servers applies to type: redis only") != nullptr, r.diags.to_string());
}

BOOST_AUTO_TEST_SUITE_END()
