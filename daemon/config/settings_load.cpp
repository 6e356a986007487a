#include "daemon/config/settings.hpp"
#include "daemon/config/settings_sections.hpp"
#include "policy/hostname.hpp"
#include "policy/yaml_reader.hpp"

#include <cstdlib>
#include <filesystem>
#include <set>

namespace sekisho::config {

std::optional<std::string> detail::read_path(policy::yaml_reader& r,
                                             const policy::yaml_node& node,
                                             std::string_view what,
                                             const std::string& base_dir)
{
    auto raw = r.string(node, what);
    if (!raw)
    {
        return std::nullopt;
    }
    std::string why;
    auto expanded = expand_variables(*raw, &why);
    if (!expanded)
    {
        r.error(node, std::string(what) + ": " + why, "set the variable or write `${NAME:-default}`");
        return std::nullopt;
    }
    if (expanded->empty())
    {
        r.error(node, std::string(what) + " is empty");
        return std::nullopt;
    }
    std::filesystem::path p(*expanded);
    if (p.is_relative())
    {
        p = std::filesystem::path(base_dir) / p;
    }
    return p.lexically_normal().string();
}

namespace {

using detail::read_path;
using policy::yaml_node;
using policy::yaml_reader;

std::string indexed(std::string_view what, std::size_t i)
{
    return std::string(what) + "[" + std::to_string(i) + "]";
}

void read_listeners(yaml_reader& r, const yaml_node& node, const std::string& base, settings& out)
{
    if (!r.expect_sequence(node, "listeners"))
    {
        return;
    }
    if (node.size() == 0)
    {
        r.error(node, "listeners is empty", "define at least one listener");
    }
    std::set<std::string, std::less<>> ids;
    for (std::size_t i = 0; i < node.size(); ++i)
    {
        const auto what = indexed("listeners", i);
        const auto& item = node[i];
        if (!r.expect_map(item,
                          what,
                          {"id", "address", "port", "layer", "tls", "proxy_protocol"},
                          {"id", "address", "port", "layer", "tls"}))
        {
            continue;
        }
        listener_settings l;
        l.where = r.where(item);
        bool ok = true;
        if (auto id = r.string(item["id"], what + ".id"))
        {
            l.id = *id;
            if (!ids.insert(*id).second)
            {
                r.error(item["id"], "duplicate listener id `" + *id + "`", "ids must be unique");
                ok = false;
            }
        }
        else
        {
            ok = false;
        }
        if (auto a = r.string(item["address"], what + ".address"))
        {
            if (auto addr = policy::ip_address::parse(*a))
            {
                l.address = *addr;
            }
            else
            {
                r.error(item["address"],
                        what + ".address `" + *a + "` is not an IP address",
                        "e.g. 127.0.0.1 or ::1");
                ok = false;
            }
        }
        else
        {
            ok = false;
        }
        if (auto p = r.integer(item["port"], what + ".port", 0, 65535))
        {
            l.port = static_cast<std::uint16_t>(*p);
        }
        else
        {
            ok = false;
        }
        if (auto text = r.string(item["layer"], what + ".layer"))
        {
            if (auto layer = policy::parse_layer(*text))
            {
                l.layer = *layer;
            }
            else
            {
                r.error(item["layer"],
                        what + ".layer `" + *text + "` is not a telework layer",
                        *text == "mynumber" ? "the My Number layer is never served to telework"
                                            : "use `lgwan` or `internet`");
                ok = false;
            }
        }
        else
        {
            ok = false;
        }
        const auto tls = item["tls"];
        if (r.expect_map(tls,
                         what + ".tls",
                         {"certificate", "private_key", "client_ca", "crl"},
                         {"certificate", "private_key", "client_ca"}))
        {
            auto cert = read_path(r, tls["certificate"], what + ".tls.certificate", base);
            auto key = read_path(r, tls["private_key"], what + ".tls.private_key", base);
            auto ca = read_path(r, tls["client_ca"], what + ".tls.client_ca", base);
            if (cert && key && ca)
            {
                l.tls.certificate = *cert;
                l.tls.private_key = *key;
                l.tls.client_ca = *ca;
            }
            else
            {
                ok = false;
            }
            if (auto crl = tls["crl"])
            {
                l.tls.crl = read_path(r, crl, what + ".tls.crl", base);
                ok = ok && l.tls.crl.has_value();
            }
        }
        else
        {
            ok = false;
        }
        if (auto pp = item["proxy_protocol"])
        {
            ok = detail::read_proxy_protocol(r, pp, what + ".proxy_protocol", l) && ok;
        }
        if (ok)
        {
            for (const auto& other : out.listeners)
            {
                if (other.address == l.address && other.port == l.port && l.port != 0)
                {
                    r.error(item,
                            "listeners `" + other.id + "` and `" + l.id + "` use the same address and port");
                }
            }
            out.listeners.push_back(std::move(l));
        }
    }
}

void read_hosts(yaml_reader& r, const yaml_node& node, settings& out)
{
    if (!node.IsMap())
    {
        r.error(node, "hosts must be a mapping of name: [addresses]");
        return;
    }
    for (const auto& kv : node)
    {
        const auto name = kv.first.Scalar();
        if (auto e = policy::check_policy_hostname(name))
        {
            r.error(kv.first, "hosts: `" + name + "`: " + e->message, e->suggestion);
            continue;
        }
        if (out.hosts.count(name) != 0)
        {
            r.error(kv.first, "hosts: `" + name + "` is listed twice");
            continue;
        }
        const std::string what = "hosts." + name;
        if (!r.expect_sequence(kv.second, what))
        {
            continue;
        }
        if (kv.second.size() == 0)
        {
            r.error(kv.second, what + " lists no address");
            continue;
        }
        std::vector<policy::ip_address> addrs;
        for (std::size_t i = 0; i < kv.second.size(); ++i)
        {
            auto text = r.string(kv.second[i], indexed(what, i));
            if (!text)
            {
                continue;
            }
            if (auto a = policy::ip_address::parse(*text))
            {
                addrs.push_back(*a);
            }
            else
            {
                r.error(kv.second[i], indexed(what, i) + " `" + *text + "` is not an IP address");
            }
        }
        out.hosts.emplace(name, std::move(addrs));
    }
}

template <typename T>
void read_duration(yaml_reader& r,
                   const yaml_node& map,
                   const char* key,
                   const char* section,
                   const bounded<milliseconds>& b,
                   T& out)
{
    if (auto n = map[key])
    {
        if (auto v = r.duration(n, std::string(section) + "." + key, b.min, b.max))
        {
            out = *v;
        }
    }
}

void read_count(yaml_reader& r,
                const yaml_node& map,
                const char* key,
                const bounded<std::uint32_t>& b,
                std::uint32_t& out)
{
    if (auto n = map[key])
    {
        if (auto v = r.integer(n, std::string("limits.") + key, b.min, b.max))
        {
            out = static_cast<std::uint32_t>(*v);
        }
    }
}

} // namespace

namespace {

load_result
load_settings_text_unguarded(const std::string& yaml, const std::string& name, const std::string& base_dir)
{
    load_result result;
    yaml_reader r(name, result.diags);
    const auto parsed = r.parse(yaml);
    if (!parsed)
    {
        return result;
    }
    const yaml_node root = parsed->root;
    if (!root.IsMap())
    {
        result.diags.error({name, 1, 1}, "the configuration must be a mapping", "start with `version: 1`");
        return result;
    }
    settings s;
    s.file = name;
    r.expect_map(root,
                 "the configuration",
                 {"version",
                  "policy",
                  "threads",
                  "listeners",
                  "hosts",
                  "timeouts",
                  "limits",
                  "log",
                  "auth",
                  "admin",
                  "audit",
                  "egress",
                  "metrics",
                  "session_tickets"},
                 {"version", "policy", "listeners"});
    if (auto v = root["version"])
    {
        r.integer(v, "version", 1, 1);
    }
    if (auto p = root["policy"])
    {
        if (auto path = read_path(r, p, "policy", base_dir))
        {
            s.policy_file = *path;
        }
    }
    if (auto t = root["threads"])
    {
        if (auto n = r.integer(t, "threads", threads_default.min, threads_default.max))
        {
            s.threads = static_cast<std::uint32_t>(*n);
        }
    }
    if (auto l = root["listeners"])
    {
        read_listeners(r, l, base_dir, s);
    }
    if (auto h = root["hosts"])
    {
        read_hosts(r, h, s);
    }
    if (auto t = root["timeouts"])
    {
        // Known keys are read even beside an unknown one: one run reports
        // every mistake.
        r.expect_map(t,
                     "timeouts",
                     {"tls_handshake",
                      "request",
                      "dns",
                      "connect",
                      "idle",
                      "tunnel_lifetime",
                      "tls_shutdown",
                      "drain",
                      "policy_recheck",
                      "crl_check"});
        if (t.IsMap())
        {
            namespace d = timeout_defaults;
            read_duration(r, t, "tls_handshake", "timeouts", d::tls_handshake, s.timeout.tls_handshake);
            read_duration(r, t, "request", "timeouts", d::request, s.timeout.request);
            read_duration(r, t, "dns", "timeouts", d::dns, s.timeout.dns);
            read_duration(r, t, "connect", "timeouts", d::connect, s.timeout.connect);
            read_duration(r, t, "idle", "timeouts", d::idle, s.timeout.idle);
            read_duration(r, t, "tunnel_lifetime", "timeouts", d::tunnel_lifetime, s.timeout.tunnel_lifetime);
            read_duration(r, t, "tls_shutdown", "timeouts", d::tls_shutdown, s.timeout.tls_shutdown);
            read_duration(r, t, "drain", "timeouts", d::drain, s.timeout.drain);
            read_duration(r, t, "policy_recheck", "timeouts", d::policy_recheck, s.timeout.policy_recheck);
            read_duration(r, t, "crl_check", "timeouts", d::crl_check, s.timeout.crl_check);
            if (s.timeout.idle > s.timeout.tunnel_lifetime)
            {
                r.warning(t["idle"],
                          "timeouts.idle is longer than timeouts.tunnel_lifetime and never applies");
            }
        }
    }
    if (auto l = root["limits"])
    {
        r.expect_map(l,
                     "limits",
                     {"max_connections",
                      "tunnels_per_device",
                      "request_head_bytes",
                      "relay_buffer_bytes",
                      "relay_large_buffers",
                      "accept_backoff"});
        if (l.IsMap())
        {
            namespace d = limit_defaults;
            read_count(r, l, "max_connections", d::max_connections, s.limit.max_connections);
            read_count(r, l, "tunnels_per_device", d::tunnels_per_device, s.limit.tunnels_per_device);
            read_count(r, l, "request_head_bytes", d::request_head_bytes, s.limit.request_head_bytes);
            read_count(r, l, "relay_buffer_bytes", d::relay_buffer_bytes, s.limit.relay_buffer_bytes);
            read_count(r, l, "relay_large_buffers", d::relay_large_buffers, s.limit.relay_large_buffers);
            read_duration(r, l, "accept_backoff", "limits", d::accept_backoff, s.limit.accept_backoff);
        }
    }
    if (auto l = root["log"])
    {
        r.expect_map(l, "log", {"tunnels"});
        if (l.IsMap())
        {
            if (auto t = l["tunnels"])
            {
                // "stderr" is recognised after ${VAR} expansion.
                std::string why;
                const auto v = r.string(t, "log.tunnels");
                const auto expanded = v ? expand_variables(*v, &why) : std::nullopt;
                if (expanded && *expanded == "stderr")
                {
                    s.log.tunnels = "stderr";
                }
                else if (v)
                {
                    s.log.tunnels = read_path(r, t, "log.tunnels", base_dir).value_or("stderr");
                }
            }
        }
    }
    if (auto a = root["auth"])
    {
        detail::read_auth(r, a, base_dir, s);
    }
    if (auto a = root["admin"])
    {
        detail::read_admin(r, a, base_dir, s);
    }
    if (auto e = root["egress"])
    {
        detail::read_egress(r, e, base_dir, s);
    }
    if (auto a = root["audit"])
    {
        detail::read_audit(r, a, base_dir, s);
    }
    s.session_tickets.where = {name, 1, 1};
    if (auto t = root["session_tickets"])
    {
        detail::read_session_tickets(r, t, base_dir, s);
    }
    if (auto m = root["metrics"])
    {
        detail::read_metrics(r, m, s);
    }
    result.value = std::move(s);
    return result;
}

} // namespace

// Whatever the parser or the standard library throws becomes one more error.
load_result load_settings_text(const std::string& yaml, const std::string& name, const std::string& base_dir)
{
    try
    {
        return load_settings_text_unguarded(yaml, name, base_dir);
    }
    catch (const std::exception& e)
    {
        load_result result;
        result.diags.error({name, 0, 0}, std::string("cannot load the configuration: ") + e.what());
        return result;
    }
}

load_result load_settings_file(const std::string& path)
{
    std::string why;
    auto text = policy::read_text_file(path, &why);
    if (!text)
    {
        load_result result;
        result.diags.error(
            {path, 0, 0}, "cannot read the configuration file: " + why, "check the path and its permissions");
        return result;
    }
    const auto base = std::filesystem::absolute(path).parent_path().string();
    return load_settings_text(*text, path, base);
}

} // namespace sekisho::config
