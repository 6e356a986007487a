// The `egress:` section of sekisho.yaml (docs/configuration.md#egress): per
// layer, an optional upstream proxy that the layer's tunnels are chained
// through. The proxy's password is read from its own file, which must be a
// regular file with no permission for group or others (like the secrets file).

#include "daemon/config/settings_sections.hpp"
#include "daemon/util/fd.hpp"

#include <cerrno>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include <sys/stat.h>

namespace sekisho::config::detail {

namespace {

void read_proxy(policy::yaml_reader& r,
                const policy::yaml_node& node,
                const std::string& what,
                const std::string& base_dir,
                layer_egress& out)
{
    if (!r.expect_map(node,
                      what,
                      {"address", "port", "username", "password_file", "resolve", "tls"},
                      {"address", "port"}))
    {
        return;
    }
    upstream_proxy p;
    p.where = r.where(node);
    bool ok = true;
    if (auto a = r.string(node["address"], what + ".address"))
    {
        if (auto addr = policy::ip_address::parse(*a))
        {
            p.address = *addr;
        }
        else
        {
            r.error(node["address"],
                    what + ".address `" + *a + "` is not an IP address",
                    "give the proxy's address: sekisho does not look the proxy up in DNS");
            ok = false;
        }
    }
    if (auto port = r.integer(node["port"], what + ".port", 1, 65535))
    {
        p.port = static_cast<std::uint16_t>(*port);
    }
    else
    {
        ok = false;
    }
    if (auto u = node["username"])
    {
        p.username = r.string(u, what + ".username").value_or("");
        if (p.username.find(':') != std::string::npos)
        {
            r.error(u, what + ".username contains ':'", "Basic authentication cannot carry it");
            ok = false;
        }
    }
    if (auto f = node["password_file"])
    {
        if (auto pw = read_password_file(r, f, what + ".password_file", base_dir))
        {
            p.password = std::move(*pw);
        }
        else
        {
            ok = false;
        }
    }
    if (p.username.empty() != p.password.empty() && ok)
    {
        r.error(node, what + " needs both username and password_file, or neither");
        ok = false;
    }
    if (auto res = node["resolve"])
    {
        const auto text = r.string(res, what + ".resolve");
        if (text && (*text == "local" || *text == "proxy"))
        {
            p.resolve_locally = *text == "local";
        }
        else if (text)
        {
            r.error(res,
                    what + ".resolve `" + *text + "` is neither local nor proxy",
                    "local: sekisho resolves and vets every address; proxy: the proxy resolves");
            ok = false;
        }
    }
    if (auto t = node["tls"])
    {
        if (r.expect_map(t, what + ".tls", {"ca", "server_name"}, {"ca"}))
        {
            p.tls = true;
            p.ca_file = read_path(r, t["ca"], what + ".tls.ca", base_dir).value_or("");
            ok = ok && !p.ca_file.empty();
            if (auto n = t["server_name"])
            {
                p.server_name = r.string(n, what + ".tls.server_name").value_or("");
            }
        }
        else
        {
            ok = false;
        }
    }
    if (p.server_name.empty())
    {
        p.server_name = p.address.to_string();
    }
    if (ok)
    {
        out.proxy = std::move(p);
    }
}

// A port number and nothing else; 0 when it is not one.
long port_number(std::string_view text)
{
    const std::string digits(text);
    char* end = nullptr;
    const long p = std::strtol(digits.c_str(), &end, 10);
    return !digits.empty() && end != nullptr && *end == '\0' && p >= 1 && p <= 65535 ? p : 0;
}

// "127.0.0.1", "127.0.0.1:5353", "fd00::53", "[fd00::53]:5353" → c-ares's
// "ip:port" / "[ip]:port".
std::optional<std::string> dns_server(std::string_view text)
{
    std::string host(text);
    std::uint16_t port = 53;
    if (text.starts_with('['))
    {
        const auto close = text.find(']');
        if (close == std::string_view::npos)
        {
            return std::nullopt;
        }
        host = std::string(text.substr(1, close - 1));
        const auto rest = text.substr(close + 1);
        if (!rest.empty())
        {
            if (!rest.starts_with(':') || rest.size() < 2)
            {
                return std::nullopt;
            }
            const auto p = port_number(rest.substr(1));
            if (p == 0)
            {
                return std::nullopt;
            }
            port = static_cast<std::uint16_t>(p);
        }
    }
    else if (const auto colon = text.find(':');
             colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos)
    {
        host = std::string(text.substr(0, colon));
        const auto p = port_number(text.substr(colon + 1));
        if (p == 0)
        {
            return std::nullopt;
        }
        port = static_cast<std::uint16_t>(p);
    }
    const auto addr = policy::ip_address::parse(host);
    if (!addr)
    {
        return std::nullopt;
    }
    const auto canonical = addr->to_string();
    return (addr->is_v4() ? canonical : "[" + canonical + "]") + ":" + std::to_string(port);
}

void read_dns(policy::yaml_reader& r,
              const policy::yaml_node& node,
              const std::string& what,
              layer_egress& out)
{
    namespace d = dns_defaults;
    if (!r.expect_map(node, what, {"servers", "cache_entries", "max_ttl", "negative_ttl"}, {"servers"}))
    {
        return;
    }
    layer_dns dns;
    dns.where = r.where(node);
    const auto servers = node["servers"];
    bool ok = r.expect_sequence(servers, what + ".servers");
    for (std::size_t i = 0; servers.IsSequence() && i < servers.size(); ++i)
    {
        const auto text = r.string(servers[i], what + ".servers[" + std::to_string(i) + "]");
        const auto server = text ? dns_server(*text) : std::nullopt;
        if (text && !server)
        {
            r.error(servers[i],
                    what + ".servers: `" + *text + "` is not an address with an optional port",
                    "write 192.0.2.53, 192.0.2.53:5353 or [2001:db8::53]:53");
            ok = false;
        }
        else if (server)
        {
            dns.servers.push_back(*server);
        }
    }
    if (ok && dns.servers.empty())
    {
        r.error(servers, what + ".servers is empty", "list the layer's DNS servers, or remove dns:");
        ok = false;
    }
    read_count(r, node, "cache_entries", what, d::cache_entries, dns.cache_entries);
    read_duration(r, node, "max_ttl", what, d::max_ttl, dns.max_ttl);
    read_duration(r, node, "negative_ttl", what, d::negative_ttl, dns.negative_ttl);
    if (ok)
    {
        out.dns = std::move(dns);
    }
}

} // namespace

void read_egress(policy::yaml_reader& r,
                 const policy::yaml_node& node,
                 const std::string& base_dir,
                 settings& out)
{
    if (!r.expect_map(node, "egress", {"lgwan", "internet"}))
    {
        return;
    }
    for (const char* name : {"lgwan", "internet"})
    {
        const auto layer = node[name];
        if (!layer)
        {
            continue;
        }
        const std::string what = std::string("egress.") + name;
        if (!r.expect_map(layer, what, {"proxy", "dns"}))
        {
            continue;
        }
        auto& egress = std::string(name) == "lgwan" ? out.egress_lgwan : out.egress_internet;
        if (auto d = layer["dns"])
        {
            read_dns(r, d, what + ".dns", egress);
        }
        if (auto p = layer["proxy"])
        {
            read_proxy(r, p, what + ".proxy", base_dir, egress);
        }
        if (egress.dns && egress.proxy && !egress.proxy->resolve_locally)
        {
            r.warning(layer["dns"],
                      what + ".dns is never asked: the proxy resolves (proxy.resolve: proxy)",
                      "use resolve: local to have sekisho resolve with these servers and vet every address");
        }
    }
}

} // namespace sekisho::config::detail
