#include "harness/signin.hpp"

#include "daemon/auth/credentials.hpp"
#include "daemon/auth/password.hpp"
#include "daemon/auth/totp.hpp"
#include "harness/checks.hpp"

namespace sekisho::test {

namespace auth = sekisho::auth;

const std::vector<std::uint8_t>& alice_key()
{
    static const auto key = *auth::base32_decode("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
    return key;
}

std::string code_now(std::chrono::seconds offset)
{
    const auto now = std::chrono::system_clock::now() + offset;
    const auto step = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() / 30;
    auto code = std::to_string(auth::hotp(alice_key(), static_cast<std::uint64_t>(step), 6));
    return std::string(6 - code.size(), '0') + code;
}

// The harness policy plus a second device of alice's (the `stranger` certificate).
std::string policy_with_two_devices()
{
    auto p = test_policy_yaml();
    const std::string lost = "  - {id: lost-pc,";
    const auto pos = p.find(lost);
    BOOST_REQUIRE(pos != std::string::npos);
    p.insert(pos,
             "  - {id: alice-laptop, fingerprint: " + world::get().fingerprint("device-stranger") +
                 ", owner: alice, kind: lent, status: active}\n");
    return p;
}

gateway_options auth_options()
{
    static const std::string hash = *auth::hash_password("correct horse");
    gateway_options o;
    o.policy = policy_with_two_devices();
    o.files = {{"secrets.yaml",
                "version: 1\nusers:\n  alice:\n    password: \"" + hash +
                    "\"\n    totp: JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP\n"}};
    o.extra_config =
        "auth:\n  secrets: secrets.yaml\n  lockout: {failures: 3, backoff: 100ms, max_backoff: 1s, "
        "duration: 1m}\n";
    return o;
}

std::string basic(const std::string& user, const std::string& secret)
{
    return auth::basic_authorization(user + ":" + secret);
}

// CONNECT with a Proxy-Authorization header over a TLS client; returns the response head.
std::string connect_as(tls_client& c, const std::string& authorization, const std::string& target)
{
    const std::string head = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target +
                             "\r\nProxy-Authorization: " + authorization + "\r\n\r\n";
    BOOST_REQUIRE(c.send(head));
    return c.recv_until("\r\n\r\n");
}

std::string echo_target()
{
    return "files.cloud.test:" + std::to_string(world::get().echo.port());
}

} // namespace sekisho::test
