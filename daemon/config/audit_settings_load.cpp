// The `audit:` section of sekisho.yaml (docs/configuration.md#audit): where
// the tamper-evident audit log is written, the key that signs its
// checkpoints, what happens when it cannot be written, and the optional
// syslog collector it is forwarded to. Ranges and defaults: audit_defaults.

#include "daemon/config/settings_sections.hpp"

#include <string>

namespace sekisho::config::detail {

namespace {

void read_forward(policy::yaml_reader& r,
                  const policy::yaml_node& node,
                  const std::string& base_dir,
                  audit_settings& audit)
{
    namespace d = audit_defaults;
    const std::string what = "audit.forward";
    if (!r.expect_map(node,
                      what,
                      {"address",
                       "port",
                       "transport",
                       "ca",
                       "server_name",
                       "certificate",
                       "private_key",
                       "app_name",
                       "state_file",
                       "connect_timeout",
                       "reconnect_max"},
                      {"address", "port"}))
    {
        return;
    }
    audit_forward_settings f;
    f.where = r.where(node);
    if (auto a = r.string(node["address"], what + ".address"))
    {
        if (auto addr = policy::ip_address::parse(*a))
        {
            f.address = *addr;
        }
        else
        {
            r.error(node["address"],
                    what + ".address `" + *a + "` is not an IP address",
                    "give the collector's address: sekisho does not look it up in DNS");
        }
    }
    if (auto port = r.integer(node["port"], what + ".port", 1, 65535))
    {
        f.port = static_cast<std::uint16_t>(*port);
    }
    if (auto t = node["transport"])
    {
        const auto text = r.string(t, what + ".transport");
        if (text && (*text == "tcp" || *text == "tls"))
        {
            f.tls = *text == "tls";
        }
        else if (text)
        {
            r.error(t,
                    what + ".transport `" + *text + "` is neither tcp nor tls",
                    "tls (RFC 5425) for a collector across a network; tcp on the same host");
        }
    }
    if (auto c = node["ca"])
    {
        f.ca_file = read_path(r, c, what + ".ca", base_dir).value_or("");
    }
    if (auto n = node["server_name"])
    {
        f.server_name = r.string(n, what + ".server_name").value_or("");
    }
    if (auto c = node["certificate"])
    {
        f.certificate = read_path(r, c, what + ".certificate", base_dir).value_or("");
    }
    if (auto k = node["private_key"])
    {
        f.private_key = read_path(r, k, what + ".private_key", base_dir).value_or("");
    }
    if (f.tls && f.ca_file.empty())
    {
        r.error(node,
                what + " with transport: tls needs `ca`",
                "the CA file that issued the collector's certificate");
    }
    if (!f.tls && (!f.ca_file.empty() || !f.certificate.empty()))
    {
        r.error(node, what + " has TLS files but transport is not tls", "add `transport: tls`");
    }
    if (f.certificate.empty() != f.private_key.empty())
    {
        r.error(node, what + " needs both certificate and private_key, or neither");
    }
    if (auto a = node["app_name"])
    {
        f.app_name = r.string(a, what + ".app_name").value_or("sekisho");
        const bool printable =
            !f.app_name.empty() && f.app_name.size() <= 48 &&
            f.app_name.find_first_not_of(
                "!\"#$%&'()*+,-./"
                "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~") ==
                std::string::npos;
        if (!printable)
        {
            r.error(a, what + ".app_name must be 1 to 48 printable ASCII characters (RFC 5424 APP-NAME)");
        }
    }
    f.state_file = audit.directory + "/forward.state";
    if (auto s = node["state_file"])
    {
        f.state_file = read_path(r, s, what + ".state_file", base_dir).value_or(f.state_file);
    }
    read_duration(r, node, "connect_timeout", what, d::forward_connect_timeout, f.connect_timeout);
    read_duration(r, node, "reconnect_max", what, d::forward_reconnect_max, f.reconnect_max);
    audit.forward = std::move(f);
}

} // namespace

void read_audit(policy::yaml_reader& r,
                const policy::yaml_node& node,
                const std::string& base_dir,
                settings& out)
{
    namespace d = audit_defaults;
    audit_settings a;
    a.where = r.where(node);
    if (!r.expect_map(node,
                      "audit",
                      {"directory",
                       "signing_key",
                       "instance",
                       "on_failure",
                       "queue_events",
                       "fsync_interval",
                       "checkpoint_events",
                       "checkpoint_interval",
                       "rotate_bytes",
                       "rotate_interval",
                       "retry_interval",
                       "forward"},
                      {"directory", "signing_key"}))
    {
        return;
    }
    a.directory = read_path(r, node["directory"], "audit.directory", base_dir).value_or("");
    a.signing_key = read_path(r, node["signing_key"], "audit.signing_key", base_dir).value_or("");
    if (auto i = node["instance"])
    {
        a.instance = r.string(i, "audit.instance").value_or("");
    }
    if (auto f = node["on_failure"])
    {
        const auto text = r.string(f, "audit.on_failure");
        if (text && (*text == "fail_closed" || *text == "best_effort"))
        {
            a.fail_closed = *text == "fail_closed";
        }
        else if (text)
        {
            r.error(f,
                    "audit.on_failure `" + *text + "` is neither fail_closed nor best_effort",
                    "fail_closed refuses new tunnels while the audit log cannot be written");
        }
    }
    read_count(r, node, "queue_events", "audit", d::queue_events, a.queue_events);
    read_duration(r, node, "fsync_interval", "audit", d::fsync_interval, a.fsync_interval);
    read_count(r, node, "checkpoint_events", "audit", d::checkpoint_events, a.checkpoint_events);
    read_duration(r, node, "checkpoint_interval", "audit", d::checkpoint_interval, a.checkpoint_interval);
    read_count(r, node, "rotate_bytes", "audit", d::rotate_bytes, a.rotate_bytes);
    read_duration(r, node, "rotate_interval", "audit", d::rotate_interval, a.rotate_interval);
    read_duration(r, node, "retry_interval", "audit", d::retry_interval, a.retry_interval);
    if (auto f = node["forward"])
    {
        read_forward(r, f, base_dir, a);
    }
    out.audit = std::move(a);
}

} // namespace sekisho::config::detail
