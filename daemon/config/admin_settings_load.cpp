// The `admin:` section of sekisho.yaml (docs/configuration.md#admin): the
// Unix socket of the admin API and who may use it. Ranges and defaults:
// admin_defaults in defaults.hpp.

#include "daemon/config/settings_sections.hpp"

#include <string>

#include <sys/un.h>

namespace sekisho::config::detail {

void read_admin(policy::yaml_reader& r,
                const policy::yaml_node& node,
                const std::string& base_dir,
                settings& out)
{
    namespace d = admin_defaults;
    admin_settings a;
    a.where = r.where(node);
    r.expect_map(
        node, "admin", {"socket", "group", "request_timeout", "request_bytes", "connections"}, {"socket"});
    if (!node.IsMap())
    {
        return;
    }
    if (auto s = node["socket"])
    {
        a.socket = read_path(r, s, "admin.socket", base_dir).value_or("");
        // sockaddr_un holds the path with its terminating NUL.
        if (a.socket.size() >= sizeof(sockaddr_un{}.sun_path))
        {
            r.error(s,
                    "admin.socket is " + std::to_string(a.socket.size()) +
                        " bytes long; a Unix socket path has at most " +
                        std::to_string(sizeof(sockaddr_un{}.sun_path) - 1),
                    "choose a shorter path, e.g. /run/sekisho/admin.sock");
        }
    }
    if (auto g = node["group"])
    {
        a.group = r.string(g, "admin.group").value_or("");
    }
    read_duration(r, node, "request_timeout", "admin", d::request_timeout, a.request_timeout);
    read_count(r, node, "request_bytes", "admin", d::request_bytes, a.request_bytes);
    read_count(r, node, "connections", "admin", d::connections, a.connections);
    out.admin = std::move(a);
}

} // namespace sekisho::config::detail
