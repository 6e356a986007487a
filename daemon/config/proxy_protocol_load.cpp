// listeners[].proxy_protocol (docs/configuration.md#listeners): the load
// balancers allowed to speak for a client with a PROXY protocol header.

#include "daemon/config/settings_sections.hpp"

#include <string>

namespace sekisho::config::detail {

bool read_proxy_protocol(policy::yaml_reader& r,
                         const policy::yaml_node& node,
                         const std::string& what,
                         listener_settings& l)
{
    if (!r.expect_map(node, what, {"trusted"}, {"trusted"}))
    {
        return false;
    }
    const auto list = node["trusted"];
    if (!r.expect_sequence(list, what + ".trusted"))
    {
        return false;
    }
    if (list.size() == 0)
    {
        r.error(list,
                what + ".trusted is empty",
                "name the load balancers' addresses; without proxy_protocol clients connect directly");
        return false;
    }
    proxy_protocol_settings pp;
    pp.where = r.where(node);
    bool ok = true;
    for (std::size_t i = 0; i < list.size(); ++i)
    {
        const auto item_what = what + ".trusted[" + std::to_string(i) + "]";
        const auto text = r.string(list[i], item_what);
        if (!text)
        {
            ok = false;
            continue;
        }
        std::string why;
        const auto prefix = policy::cidr::parse(*text, &why);
        if (!prefix)
        {
            r.error(list[i],
                    item_what + " `" + *text + "`: " + why,
                    "an address or a prefix, e.g. 10.0.0.5 or 10.0.0.0/24");
            ok = false;
            continue;
        }
        if (prefix->prefix_len() == 0)
        {
            // Everyone could then claim any client address.
            r.error(list[i],
                    item_what + " `" + *text + "` trusts every address",
                    "name the load balancers only: a client that may send the header chooses the address "
                    "audit records");
            ok = false;
            continue;
        }
        pp.trusted.push_back(*prefix);
    }
    if (ok)
    {
        l.proxy_protocol = std::move(pp);
    }
    return ok;
}

} // namespace sekisho::config::detail
