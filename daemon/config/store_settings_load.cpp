// auth.store in sekisho.yaml (docs/configuration.md#auth-store): the shared
// session store of several instances (Redis, directly or through Sentinel),
// and the password files the settings name (also egress proxies'). Ranges
// and defaults: store_defaults.

#include "daemon/config/settings_sections.hpp"
#include "daemon/util/fd.hpp"

#include <cerrno>
#include <string>

#include <sys/stat.h>

namespace sekisho::config::detail {

namespace {

using policy::yaml_node;
using policy::yaml_reader;

// "host:port" or "[v6]:port".
std::optional<store_endpoint> parse_endpoint(const std::string& text)
{
    store_endpoint e;
    std::string port;
    if (text.starts_with('['))
    {
        const auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
        {
            return std::nullopt;
        }
        e.host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    }
    else
    {
        const auto colon = text.rfind(':');
        if (colon == std::string::npos || text.find(':') != colon)
        {
            return std::nullopt;
        }
        e.host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    if (e.host.empty() || port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos)
    {
        return std::nullopt;
    }
    const auto n = std::stoul(port);
    if (n == 0 || n > 65535)
    {
        return std::nullopt;
    }
    e.port = static_cast<std::uint16_t>(n);
    return e;
}

std::vector<store_endpoint> read_endpoints(yaml_reader& r, const yaml_node& node, const std::string& what)
{
    std::vector<store_endpoint> out;
    if (!r.expect_sequence(node, what))
    {
        return out;
    }
    for (std::size_t i = 0; i < node.size(); ++i)
    {
        const auto item = node[i];
        if (auto text = r.string(item, what))
        {
            if (auto e = parse_endpoint(*text))
            {
                out.push_back(std::move(*e));
            }
            else
            {
                r.error(item,
                        what + " `" + *text + "` is not host:port",
                        "e.g. 10.0.0.5:6379 or [2001:db8::5]:6379");
            }
        }
    }
    return out;
}

void read_tls(yaml_reader& r, const yaml_node& node, const std::string& base_dir, store_settings& out)
{
    if (!r.expect_map(node, "auth.store.tls", {"ca", "server_name", "certificate", "key"}, {"ca"}))
    {
        return;
    }
    out.tls = true;
    out.ca_file = read_path(r, node["ca"], "auth.store.tls.ca", base_dir).value_or("");
    if (auto n = node["server_name"])
    {
        out.server_name = r.string(n, "auth.store.tls.server_name").value_or("");
    }
    if (node["certificate"].IsDefined() != node["key"].IsDefined())
    {
        r.error(node, "auth.store.tls needs both certificate and key, or neither");
    }
    if (auto n = node["certificate"])
    {
        out.certificate_file = read_path(r, n, "auth.store.tls.certificate", base_dir).value_or("");
    }
    if (auto n = node["key"])
    {
        out.key_file = read_path(r, n, "auth.store.tls.key", base_dir).value_or("");
    }
}

} // namespace

std::optional<std::string> read_password_file(yaml_reader& r,
                                              const yaml_node& node,
                                              const std::string& what,
                                              const std::string& base_dir)
{
    const auto path = read_path(r, node, what, base_dir);
    if (!path)
    {
        return std::nullopt;
    }
    struct stat st
    {};
    if (::stat(path->c_str(), &st) != 0)
    {
        r.error(node, what + " " + *path + ": " + util::error_text(errno));
        return std::nullopt;
    }
    if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0)
    {
        r.error(node, what + " " + *path + " may be read by others; it is not read", "chmod 600 " + *path);
        return std::nullopt;
    }
    std::string why;
    auto text = policy::read_text_file(*path, &why);
    if (!text)
    {
        r.error(node, what + " " + *path + ": " + why);
        return std::nullopt;
    }
    while (!text->empty() && (text->back() == '\n' || text->back() == '\r'))
    {
        text->pop_back();
    }
    return text;
}

void read_store(yaml_reader& r, const yaml_node& node, const std::string& base_dir, store_settings& out)
{
    namespace d = store_defaults;
    if (!r.expect_map(node,
                      "auth.store",
                      {"type",
                       "on_unavailable",
                       "servers",
                       "sentinels",
                       "master_name",
                       "username",
                       "password_file",
                       "sentinel_username",
                       "sentinel_password_file",
                       "tls",
                       "prefix",
                       "database",
                       "connect_timeout",
                       "command_timeout",
                       "reconnect_backoff",
                       "reconnect_backoff_max"},
                      {"type"}))
    {
        return;
    }
    out.where = r.where(node);
    const auto type = r.string(node["type"], "auth.store.type");
    if (type && *type != "memory" && *type != "redis")
    {
        r.error(node["type"], "auth.store.type `" + *type + "` is not memory or redis");
    }
    out.redis = type && *type == "redis";
    if (auto n = node["on_unavailable"])
    {
        const auto v = r.string(n, "auth.store.on_unavailable");
        if (v && *v != "fail_closed" && *v != "local_fallback")
        {
            r.error(n, "auth.store.on_unavailable `" + *v + "` is not fail_closed or local_fallback");
        }
        out.local_fallback = v && *v == "local_fallback";
        if (out.local_fallback)
        {
            r.warning(
                n,
                "auth.store.on_unavailable: local_fallback lets a device hold one layer at one instance and "
                "the other layer at another while Redis is unreachable",
                "keep fail_closed unless sign-ins must go on during a Redis outage");
        }
    }
    if (!out.redis)
    {
        for (const char* key : {"servers", "sentinels", "master_name", "tls", "password_file"})
        {
            if (node[key])
            {
                r.warning(node[key], std::string("auth.store.") + key + " applies to type: redis only");
            }
        }
        return;
    }
    if (auto n = node["servers"])
    {
        out.servers = read_endpoints(r, n, "auth.store.servers");
    }
    if (auto n = node["sentinels"])
    {
        out.sentinels = read_endpoints(r, n, "auth.store.sentinels");
    }
    if (out.servers.empty() == out.sentinels.empty())
    {
        r.error(node,
                "auth.store with type: redis needs either servers or sentinels (not both)",
                "servers: [\"10.0.0.5:6379\"], or sentinels: [...] with master_name");
    }
    if (auto n = node["master_name"])
    {
        out.master_name = r.string(n, "auth.store.master_name").value_or("");
    }
    if (!out.sentinels.empty() && out.master_name.empty())
    {
        r.error(node, "auth.store.sentinels needs master_name (the name the sentinels monitor)");
    }
    if (auto n = node["username"])
    {
        out.username = r.string(n, "auth.store.username").value_or("");
    }
    if (auto n = node["password_file"])
    {
        out.password = read_password_file(r, n, "auth.store.password_file", base_dir).value_or("");
    }
    if (auto n = node["sentinel_username"])
    {
        out.sentinel_username = r.string(n, "auth.store.sentinel_username").value_or("");
    }
    if (auto n = node["sentinel_password_file"])
    {
        out.sentinel_password =
            read_password_file(r, n, "auth.store.sentinel_password_file", base_dir).value_or("");
    }
    if (auto n = node["tls"])
    {
        read_tls(r, n, base_dir, out);
    }
    if (auto n = node["prefix"])
    {
        out.prefix = r.string(n, "auth.store.prefix").value_or(out.prefix);
        if (out.prefix.empty())
        {
            r.error(n, "auth.store.prefix must not be empty", "e.g. \"sekisho:\"");
        }
    }
    read_count(r, node, "database", "auth.store", d::database, out.database);
    read_duration(r, node, "connect_timeout", "auth.store", d::connect_timeout, out.connect_timeout);
    read_duration(r, node, "command_timeout", "auth.store", d::command_timeout, out.command_timeout);
    read_duration(r, node, "reconnect_backoff", "auth.store", d::reconnect_backoff, out.reconnect_backoff);
    read_duration(
        r, node, "reconnect_backoff_max", "auth.store", d::reconnect_backoff_max, out.reconnect_backoff_max);
    if (out.reconnect_backoff > out.reconnect_backoff_max)
    {
        r.warning(node["reconnect_backoff"] ? node["reconnect_backoff"] : node,
                  "auth.store.reconnect_backoff is longer than reconnect_backoff_max, which caps every wait");
    }
}

} // namespace sekisho::config::detail
