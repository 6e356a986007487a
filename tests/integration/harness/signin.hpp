#pragma once
// Signing in as alice (password "correct horse", TOTP key JBSWY3DP...) for
// the suites that need a telework session: the gateway options with an
// `auth:` section and a secrets file, the current TOTP code, and a CONNECT
// with Proxy-Authorization over a TLS client.

#include "harness/clients.hpp"
#include "harness/gateway.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace sekisho::test {

const std::vector<std::uint8_t>& alice_key();
// alice's TOTP code at now + offset.
std::string code_now(std::chrono::seconds offset = std::chrono::seconds(0));
// The harness policy plus a second device of alice's (the `stranger` certificate).
std::string policy_with_two_devices();
// That policy, alice in secrets.yaml, and lockout after 3 failures.
gateway_options auth_options();
// "Basic base64(user:secret)"
std::string basic(const std::string& user, const std::string& secret);
// CONNECT with a Proxy-Authorization header over a TLS client; the response head.
std::string connect_as(tls_client& c, const std::string& authorization, const std::string& target);
// files.cloud.test:<echo port>
std::string echo_target();

} // namespace sekisho::test
