// The `metrics:` section of sekisho.yaml (docs/metrics.md): where the
// Prometheus endpoint listens. Ranges and defaults: metrics_defaults.

#include "daemon/config/settings_sections.hpp"

#include <string>

namespace sekisho::config::detail {

void read_metrics(policy::yaml_reader& r, const policy::yaml_node& node, settings& out)
{
    namespace d = metrics_defaults;
    if (!r.expect_map(
            node, "metrics", {"address", "port", "request_timeout", "connections"}, {"address", "port"}))
    {
        return;
    }
    metrics_settings m;
    m.where = r.where(node);
    bool ok = true;
    if (auto a = r.string(node["address"], "metrics.address"))
    {
        if (auto addr = policy::ip_address::parse(*a))
        {
            m.address = *addr;
            const auto kind = policy::special_purpose(*addr);
            if (!kind || *kind != "loopback")
            {
                r.warning(
                    node["address"],
                    "metrics.address `" + *a +
                        "` is not a loopback address: anyone who reaches it reads "
                        "the metrics without a password",
                    "keep 127.0.0.1 and let the Prometheus agent on this host scrape it, or restrict the "
                    "port with a firewall");
            }
        }
        else
        {
            r.error(node["address"], "metrics.address `" + *a + "` is not an IP address", "e.g. 127.0.0.1");
            ok = false;
        }
    }
    else
    {
        ok = false;
    }
    if (auto p = r.integer(node["port"], "metrics.port", 0, 65535))
    {
        m.port = static_cast<std::uint16_t>(*p);
    }
    else
    {
        ok = false;
    }
    read_duration(r, node, "request_timeout", "metrics", d::request_timeout, m.request_timeout);
    read_count(r, node, "connections", "metrics", d::connections, m.connections);
    if (ok)
    {
        out.metrics = std::move(m);
    }
}

} // namespace sekisho::config::detail
