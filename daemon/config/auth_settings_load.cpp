// The `auth:` section of sekisho.yaml (docs/configuration.md#auth): where the
// users' secrets are, TOTP parameters, lockout, the password-hashing workers
// and the telework session's limits. Ranges and defaults: auth_defaults in
// defaults.hpp.

#include "daemon/config/settings_sections.hpp"

#include <string>

namespace sekisho::config::detail {

namespace {

using policy::yaml_node;
using policy::yaml_reader;

void read_totp(yaml_reader& r, const yaml_node& node, totp_settings& out)
{
    namespace d = auth_defaults;
    // Known keys are read even beside an unknown one: one run reports every
    // mistake.
    r.expect_map(node, "auth.totp", {"step", "digits", "window"});
    if (!node.IsMap())
    {
        return;
    }
    read_duration(r, node, "step", "auth.totp", d::totp_step, out.step);
    // RFC 6238 counts time steps in whole seconds.
    if (out.step % std::chrono::seconds(1) != milliseconds(0))
    {
        r.error(node["step"], "auth.totp.step must be a whole number of seconds", "e.g. 30s");
    }
    read_count(r, node, "digits", "auth.totp", d::totp_digits, out.digits);
    read_count(r, node, "window", "auth.totp", d::totp_window, out.window);
}

void read_lockout(yaml_reader& r, const yaml_node& node, lockout_settings& out)
{
    namespace d = auth_defaults;
    r.expect_map(node, "auth.lockout", {"failures", "backoff", "max_backoff", "duration"});
    if (!node.IsMap())
    {
        return;
    }
    read_count(r, node, "failures", "auth.lockout", d::lockout_failures, out.failures);
    read_duration(r, node, "backoff", "auth.lockout", d::lockout_backoff, out.backoff);
    read_duration(r, node, "max_backoff", "auth.lockout", d::lockout_max_backoff, out.max_backoff);
    read_duration(r, node, "duration", "auth.lockout", d::lockout_duration, out.duration);
    if (out.backoff > out.max_backoff)
    {
        r.warning(node["backoff"],
                  "auth.lockout.backoff is longer than auth.lockout.max_backoff, which caps every delay");
    }
}

void read_session(yaml_reader& r, const yaml_node& node, auth_session_settings& out)
{
    namespace d = auth_defaults;
    r.expect_map(node, "auth.session", {"idle", "max"});
    if (!node.IsMap())
    {
        return;
    }
    read_duration(r, node, "idle", "auth.session", d::session_idle, out.idle);
    read_duration(r, node, "max", "auth.session", d::session_max, out.max);
    if (out.idle > out.max)
    {
        // Either key may be the one written; point at one that is there.
        r.warning(node["idle"] ? node["idle"] : node["max"],
                  "auth.session.idle is longer than auth.session.max and never applies");
    }
}

} // namespace

void read_auth(yaml_reader& r, const yaml_node& node, const std::string& base_dir, settings& out)
{
    namespace d = auth_defaults;
    auth_settings a;
    a.where = r.where(node);
    r.expect_map(
        node, "auth", {"secrets", "totp", "lockout", "workers", "queue", "session", "store"}, {"secrets"});
    if (!node.IsMap())
    {
        return;
    }
    if (auto s = node["secrets"])
    {
        a.secrets_file = read_path(r, s, "auth.secrets", base_dir).value_or("");
    }
    if (auto t = node["totp"])
    {
        read_totp(r, t, a.totp);
    }
    if (auto l = node["lockout"])
    {
        read_lockout(r, l, a.lockout);
    }
    read_count(r, node, "workers", "auth", d::workers, a.workers);
    read_count(r, node, "queue", "auth", d::queue, a.queue);
    if (auto s = node["session"])
    {
        read_session(r, s, a.session);
    }
    if (auto s = node["store"])
    {
        read_store(r, s, base_dir, a.store);
    }
    out.auth = std::move(a);
}

} // namespace sekisho::config::detail
