// The `egress:` section of sekisho.yaml (docs/configuration.md#egress): per
// layer, an optional upstream proxy that the layer's tunnels are chained
// through. The proxy's password is read from its own file, which must be a
// regular file with no permission for group or others (like the secrets file).

#include "daemon/config/settings_sections.hpp"
#include "daemon/util/fd.hpp"

#include <cerrno>
#include <string>

#include <sys/stat.h>

namespace sekisho::config::detail {

namespace {

void read_proxy(policy::yaml_reader& r,
                const policy::yaml_node& node,
                const std::string& what,
                const std::string& base_dir,
                layer_egress& out)
{
    if (!r.expect_map(
            node, what, {"address", "port", "username", "password_file", "resolve"}, {"address", "port"}))
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
        const auto path = read_path(r, f, what + ".password_file", base_dir);
        struct stat st
        {};
        std::string why;
        if (path && ::stat(path->c_str(), &st) != 0)
        {
            r.error(f, what + ".password_file " + *path + ": " + util::error_text(errno));
            ok = false;
        }
        else if (path && (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0))
        {
            r.error(f,
                    what + ".password_file " + *path + " may be read by others; it is not read",
                    "chmod 600 " + *path);
            ok = false;
        }
        else if (path)
        {
            auto text = policy::read_text_file(*path, &why);
            if (!text)
            {
                r.error(f, what + ".password_file " + *path + ": " + why);
                ok = false;
            }
            else
            {
                while (!text->empty() && (text->back() == '\n' || text->back() == '\r'))
                {
                    text->pop_back();
                }
                p.password = std::move(*text);
            }
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
    if (ok)
    {
        out.proxy = std::move(p);
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
        if (!r.expect_map(layer, what, {"proxy"}))
        {
            continue;
        }
        if (auto p = layer["proxy"])
        {
            read_proxy(r,
                       p,
                       what + ".proxy",
                       base_dir,
                       std::string(name) == "lgwan" ? out.egress_lgwan : out.egress_internet);
        }
    }
}

} // namespace sekisho::config::detail
