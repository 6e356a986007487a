#pragma once
// A real sekishod process on loopback port 0, with a configuration and policy
// written for the test world. Ports are read back from its `listening` lines.

#include "harness/process.hpp"
#include "harness/world.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sekisho::test {

struct gateway_options
{
    std::string crl = "device-ca.crl"; // file in the PKI folder; empty: no CRL
    // The PKI folder of the TLS files; empty: the world's (a test that
    // revokes or replaces files uses its own copy).
    std::string pki;
    // YAML mapping bodies (indented by the harness), e.g. "idle: 1s".
    std::vector<std::string> timeouts = {
        "tls_handshake: 2s", "request: 1s", "dns: 1s", "connect: 1s", "drain: 5s"};
    std::vector<std::string> limits;
    unsigned threads = 2;
    // Run under this wrapper (e.g. {"prlimit", "--nofile=64:64", "--"}).
    std::vector<std::string> wrapper;
    // Appended to sekisho.yaml as is (e.g. an `auth:` section).
    std::string extra_config;
    // Files written (mode 0600) beside sekisho.yaml before the daemon starts.
    std::vector<std::pair<std::string, std::string>> files;
    // The policy text; empty: test_policy_yaml().
    std::string policy;
    // Keys added to both listeners, indented by the harness (e.g.
    // "proxy_protocol:\n  trusted: [127.0.0.1]").
    std::string listener_extra;
    // Added to sekishod's environment (e.g. NOTIFY_SOCKET).
    std::map<std::string, std::string> env;
};

class gateway
{
public:
    explicit gateway(gateway_options options = {});
    ~gateway();
    gateway(const gateway&) = delete;
    gateway& operator=(const gateway&) = delete;

    std::uint16_t port(const std::string& listener) const;
    std::uint16_t internet() const { return port("internet"); }
    std::uint16_t lgwan() const { return port("lgwan"); }
    std::string log() const;
    std::string policy_file() const { return dir_.file("policy.yaml"); }
    // How many times `event=NAME` appears in the log so far.
    std::size_t count_events(const std::string& name) const;
    // Writes the policy file, sends SIGHUP and waits for the reload's outcome
    // line (policy_reloaded, policy_unchanged or policy_rejected); returns it.
    std::string reload_with(const std::string& policy_yaml);
    process& proc() { return *process_; }
    const temp_dir& dir() const { return dir_; }

    // Tunnel records written so far.
    std::vector<boost::json::object> records() const;
    // The record of the connection from 127.0.0.1:local_port (waits for it).
    boost::json::object record_for(std::uint16_t local_port,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
    // The record whose peer is exactly `peer` ("203.0.113.7:40000").
    boost::json::object record_from(const std::string& peer,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

    // kill -9, as a crash: no clean stop is expected afterwards.
    void crash();
    // Sends sig and waits for the exit status.
    std::optional<int> stop(int sig, std::chrono::milliseconds timeout = std::chrono::seconds(15));

private:
    temp_dir dir_;
    std::unique_ptr<process> process_;
    std::vector<std::pair<std::string, std::uint16_t>> ports_;
};

// The configuration and policy files the harness writes (exposed for
// --check-config tests).
std::string test_policy_yaml();
// test_policy_yaml() with the first `from` replaced by `to` (which must be there).
std::string test_policy_with(const std::string& from, const std::string& to);
// "2026-11-22T12:00:03Z": now plus `from_now`, in UTC, for expiry fields.
std::string utc_in(std::chrono::seconds from_now);
std::string
test_config_yaml(const gateway_options& o, const std::string& policy_path, const std::string& log_path);

} // namespace sekisho::test
