// sekisho.yaml: the shipped example, defaults, units and path resolution.
// (The broken-configuration fixture folder is in settings_fixtures.cpp.)

#include "daemon/config/settings.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <string>

namespace cfg = sekisho::config;
using namespace std::chrono_literals;

namespace {

const std::string source_dir = SEKISHO_SOURCE_DIR;

// A minimal valid configuration; `extra` is appended at the top level.
std::string minimal(const std::string& extra = {})
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
           "      private_key: /abs/server.key\n"
           "      client_ca: ../ca/device-ca.pem\n" +
           extra;
}

cfg::settings load_ok(const std::string& yaml)
{
    auto r = cfg::load_settings_text(yaml, "test.yaml", "/etc/sekisho");
    BOOST_TEST_REQUIRE(!r.diags.has_errors(), r.diags.to_string());
    BOOST_TEST_REQUIRE(r.value.has_value());
    return *r.value;
}

} // namespace

BOOST_AUTO_TEST_SUITE(settings)

// config/sekisho.yaml loads with SEKISHO_PKI pointing at a test folder.
BOOST_AUTO_TEST_CASE(example_config_loads)
{
    ::setenv("SEKISHO_PKI", "/tmp/sekisho-unit-pki", 1);
    auto r = cfg::load_settings_file(source_dir + "/config/sekisho.yaml");
    ::unsetenv("SEKISHO_PKI");
    BOOST_TEST_REQUIRE(!r.diags.has_errors(), r.diags.to_string());
    BOOST_TEST_REQUIRE(r.value.has_value());
    const auto& s = *r.value;
    BOOST_TEST(s.policy_file == source_dir + "/config/policy.yaml");
    BOOST_TEST(s.threads == 0U);
    BOOST_TEST_REQUIRE(s.listeners.size() == 2U);
    const auto& inet = s.listeners[0];
    BOOST_TEST(inet.id == "internet");
    BOOST_TEST(inet.address.to_string() == "127.0.0.1");
    BOOST_TEST(inet.port == 8443);
    BOOST_TEST((inet.layer == sekisho::policy::layer::internet));
    BOOST_TEST(inet.tls.certificate == "/tmp/sekisho-unit-pki/server.pem");
    BOOST_TEST(inet.tls.private_key == "/tmp/sekisho-unit-pki/server.key");
    BOOST_TEST(inet.tls.client_ca == "/tmp/sekisho-unit-pki/device-ca.pem");
    BOOST_TEST(inet.tls.crl.value_or("") == "/tmp/sekisho-unit-pki/device-ca.crl");
    BOOST_TEST((s.listeners[1].layer == sekisho::policy::layer::lgwan));
    BOOST_TEST(s.listeners[1].port == 8444);
    BOOST_TEST(s.hosts.size() == 4U);
    BOOST_TEST_REQUIRE(s.hosts.count("vdi.lgwan.example") == 1U);
    BOOST_TEST(s.hosts.at("vdi.lgwan.example").at(0).to_string() == "127.0.10.1");
    BOOST_TEST(s.log.tunnels == "stderr");
}

// Without the variable the documented default applies.
BOOST_AUTO_TEST_CASE(example_config_default_pki)
{
    ::unsetenv("SEKISHO_PKI");
    auto r = cfg::load_settings_file(source_dir + "/config/sekisho.yaml");
    BOOST_TEST_REQUIRE(!r.diags.has_errors(), r.diags.to_string());
    BOOST_TEST_REQUIRE(r.value.has_value());
    BOOST_TEST(r.value->listeners.at(0).tls.certificate == "/etc/sekisho/pki/server.pem");
}

// Every value in the example equals the compiled-in default it documents.
BOOST_AUTO_TEST_CASE(example_shows_the_defaults)
{
    auto r = cfg::load_settings_file(source_dir + "/config/sekisho.yaml");
    BOOST_TEST_REQUIRE(!r.diags.has_errors(), r.diags.to_string());
    BOOST_TEST_REQUIRE(r.value.has_value());
    const auto example = *r.value;
    const auto bare = load_ok(minimal());
    BOOST_TEST((example.timeout.tls_handshake == bare.timeout.tls_handshake));
    BOOST_TEST((example.timeout.request == bare.timeout.request));
    BOOST_TEST((example.timeout.dns == bare.timeout.dns));
    BOOST_TEST((example.timeout.connect == bare.timeout.connect));
    BOOST_TEST((example.timeout.idle == bare.timeout.idle));
    BOOST_TEST((example.timeout.tunnel_lifetime == bare.timeout.tunnel_lifetime));
    BOOST_TEST((example.timeout.tls_shutdown == bare.timeout.tls_shutdown));
    BOOST_TEST((example.timeout.drain == bare.timeout.drain));
    BOOST_TEST(example.limit.max_connections == bare.limit.max_connections);
    BOOST_TEST(example.limit.tunnels_per_device == bare.limit.tunnels_per_device);
    BOOST_TEST(example.limit.request_head_bytes == bare.limit.request_head_bytes);
    BOOST_TEST(example.limit.relay_buffer_bytes == bare.limit.relay_buffer_bytes);
    BOOST_TEST(example.limit.relay_large_buffers == bare.limit.relay_large_buffers);
    BOOST_TEST((example.limit.accept_backoff == bare.limit.accept_backoff));
    BOOST_TEST(example.session_tickets.enabled == bare.session_tickets.enabled);
    BOOST_TEST((example.session_tickets.lifetime == bare.session_tickets.lifetime));
}

BOOST_AUTO_TEST_CASE(defaults_when_absent)
{
    const auto s = load_ok(minimal());
    BOOST_TEST((s.timeout.tls_handshake == cfg::timeout_defaults::tls_handshake.fallback));
    BOOST_TEST((s.timeout.idle == 15min));
    BOOST_TEST((s.timeout.drain == 30s));
    BOOST_TEST(s.limit.request_head_bytes == 8192U);
    BOOST_TEST(s.threads == 0U);
    BOOST_TEST(s.hosts.empty());
    BOOST_TEST(s.log.tunnels == "stderr");
}

// Relative paths are relative to the configuration's folder.
BOOST_AUTO_TEST_CASE(paths_resolve_against_base_dir)
{
    const auto s = load_ok(minimal("log:\n  tunnels: ../log/tunnels.jsonl\n"));
    BOOST_TEST(s.policy_file == "/etc/sekisho/policy.yaml");
    BOOST_TEST(s.listeners.at(0).tls.certificate == "/etc/sekisho/pki/server.pem");
    BOOST_TEST(s.listeners.at(0).tls.private_key == "/abs/server.key");
    BOOST_TEST(s.listeners.at(0).tls.client_ca == "/etc/ca/device-ca.pem");
    BOOST_TEST(s.log.tunnels == "/etc/log/tunnels.jsonl");
}

// Each unit, at the edges of a range.
BOOST_AUTO_TEST_CASE(duration_units)
{
    const auto s = load_ok(minimal("timeouts:\n"
                                   "  tls_handshake: 100ms\n"
                                   "  request: 2m\n"
                                   "  dns: 1500ms\n"
                                   "  idle: 24h\n"
                                   "  tunnel_lifetime: 168h\n"
                                   "  drain: 0s\n"
                                   "limits:\n"
                                   "  accept_backoff: 10s\n"
                                   "  request_head_bytes: 1024\n"
                                   "  max_connections: 1000000\n"
                                   "threads: 256\n"));
    BOOST_TEST((s.timeout.tls_handshake == 100ms));
    BOOST_TEST((s.timeout.request == 2min));
    BOOST_TEST((s.timeout.dns == 1500ms));
    BOOST_TEST((s.timeout.idle == 24h));
    BOOST_TEST((s.timeout.tunnel_lifetime == 168h));
    BOOST_TEST((s.timeout.drain == 0s));
    BOOST_TEST((s.limit.accept_backoff == 10s));
    BOOST_TEST(s.limit.request_head_bytes == 1024U);
    BOOST_TEST(s.limit.max_connections == 1000000U);
    BOOST_TEST(s.threads == 256U);
}

// 2305843009213693962s is 10s plus 125 * 2^64 ms: far above the range. It
// must be refused, not wrap around into the range.
BOOST_AUTO_TEST_CASE(duration_overflow_is_refused)
{
    auto r = cfg::load_settings_text(
        minimal("timeouts:\n  tls_handshake: 2305843009213693962s\n"), "test.yaml", "/etc/sekisho");
    BOOST_TEST(r.diags.has_errors(),
               "accepted as " << (r.value ? r.value->timeout.tls_handshake.count() : -1) << "ms");
}

// An idle timeout longer than the lifetime is a warning, not an error.
BOOST_AUTO_TEST_CASE(idle_longer_than_lifetime_warns)
{
    auto r = cfg::load_settings_text(
        minimal("timeouts:\n  idle: 2h\n  tunnel_lifetime: 1h\n"), "test.yaml", "/etc/sekisho");
    BOOST_TEST(!r.diags.has_errors(), r.diags.to_string());
    BOOST_TEST_REQUIRE(r.diags.items().size() == 1U);
    BOOST_TEST(r.diags.items()[0].message.find("idle") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(hosts_with_both_families)
{
    const auto s = load_ok(minimal("hosts:\n  vdi.lgwan.example: [\"::1\", 127.0.10.1]\n"));
    BOOST_TEST_REQUIRE(s.hosts.at("vdi.lgwan.example").size() == 2U);
    BOOST_TEST(s.hosts.at("vdi.lgwan.example")[0].to_string() == "::1");
}

// "stderr" is recognised after ${VAR} expansion; anything else is a path.
BOOST_AUTO_TEST_CASE(log_tunnels_after_expansion)
{
    ::unsetenv("SEKISHO_UT_UNSET_VARIABLE");
    BOOST_TEST(load_ok(minimal("log:\n  tunnels: ${SEKISHO_UT_UNSET_VARIABLE:-stderr}\n")).log.tunnels ==
               "stderr");
    BOOST_TEST(
        load_ok(minimal("log:\n  tunnels: ${SEKISHO_UT_UNSET_VARIABLE:-/var/log/t.jsonl}\n")).log.tunnels ==
        "/var/log/t.jsonl");
}

BOOST_AUTO_TEST_CASE(missing_file)
{
    auto r = cfg::load_settings_file(source_dir + "/tests/fixtures/no-such-config.yaml");
    BOOST_TEST(r.diags.has_errors());
}

BOOST_AUTO_TEST_SUITE_END()

// session_tickets: on by default with a per-start secret; a key file is
// resolved like every path; the lifetime is bounded; mistakes have lines.
BOOST_AUTO_TEST_SUITE(session_tickets)

BOOST_AUTO_TEST_CASE(on_by_default_one_hour)
{
    const auto s = load_ok(minimal());
    BOOST_TEST(s.session_tickets.enabled);
    BOOST_TEST(s.session_tickets.key_file.empty());
    BOOST_TEST((s.session_tickets.lifetime == 1h));
}

BOOST_AUTO_TEST_CASE(every_key)
{
    const auto s = load_ok(minimal("session_tickets:\n  key_file: keys/ticket.key\n  lifetime: 30m\n"));
    BOOST_TEST(s.session_tickets.key_file == "/etc/sekisho/keys/ticket.key");
    BOOST_TEST((s.session_tickets.lifetime == 30min));
    BOOST_TEST(!load_ok(minimal("session_tickets:\n  enabled: false\n")).session_tickets.enabled);
}

BOOST_AUTO_TEST_CASE(mistakes_have_lines)
{
    auto r =
        cfg::load_settings_text(minimal("session_tickets:\n  lifetime: 2d\n"), "test.yaml", "/etc/sekisho");
    auto text = r.diags.to_string();
    BOOST_TEST(text.find("test.yaml:13:13: error: session_tickets.lifetime") != std::string::npos, text);
    r = cfg::load_settings_text(minimal("session_tickets:\n  key_fiel: x\n"), "test.yaml", "/etc/sekisho");
    text = r.diags.to_string();
    BOOST_TEST(text.find("test.yaml:13:3: error: unknown key `key_fiel`") != std::string::npos, text);
    BOOST_TEST(text.find("did you mean `key_file`?") != std::string::npos, text);
    r = cfg::load_settings_text(
        minimal("session_tickets:\n  enabled: false\n  key_file: t.key\n"), "test.yaml", "/etc/sekisho");
    BOOST_TEST(!r.diags.has_errors());
    BOOST_TEST(r.diags.to_string().find("key_file is ignored") != std::string::npos, r.diags.to_string());
}

BOOST_AUTO_TEST_SUITE_END()
