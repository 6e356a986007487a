// The `session_tickets:` section of sekisho.yaml (docs/configuration.md#session-tickets):
// TLS 1.3 resumption. The key file itself is read at start-up and on reload
// (daemon/tls/session_tickets.cpp), where its mode and length are checked.

#include "daemon/config/settings_sections.hpp"

namespace sekisho::config::detail {

void read_session_tickets(policy::yaml_reader& r,
                          const policy::yaml_node& node,
                          const std::string& base_dir,
                          settings& out)
{
    auto& t = out.session_tickets;
    t.where = r.where(node);
    if (!r.expect_map(node, "session_tickets", {"enabled", "key_file", "lifetime"}, {}))
    {
        return;
    }
    if (auto e = node["enabled"])
    {
        if (auto v = r.boolean(e, "session_tickets.enabled"))
        {
            t.enabled = *v;
        }
    }
    if (auto k = node["key_file"])
    {
        t.key_file = read_path(r, k, "session_tickets.key_file", base_dir).value_or("");
        if (!t.enabled)
        {
            r.warning(k, "session_tickets.key_file is ignored: session_tickets.enabled is false");
        }
    }
    read_duration(r, node, "lifetime", "session_tickets", ticket_defaults::lifetime, t.lifetime);
}

} // namespace sekisho::config::detail
