#include "daemon/ctl/explain.hpp"

namespace sekisho::ctl {

explanation explain(policy::reason r)
{
    using policy::reason;
    switch (r)
    {
        case reason::allowed:
            return {"The destination is approved for this layer.", "Nothing to do."};
        case reason::mynumber_zone:
            return {
                "The destination is in the My Number layer (マイナンバー利用事務系), which telework never "
                "reaches, by name, by address or through DNS (invariant 1).",
                "None: no policy can open it. Use a terminal inside the My Number layer."};
        case reason::layer_mismatch:
            return {"The destination belongs to another layer than the listener the device connected to; a "
                    "tunnel stays in its listener's layer (invariant 2).",
                    "Connect through the listener of the destination's layer (LGWAN or internet)."};
        case reason::not_screen_transfer:
            return {
                "LGWAN-layer destinations are reachable only as approved screen-transfer endpoints "
                "(invariant 3), and this host is not one.",
                "If it is an approved screen-transfer service, add it to screen_transfer: with its ports."};
        case reason::not_catalogued:
            return {
                "Internet destinations are reachable only as catalogued cloud services (invariant 4), and "
                "this name is in no service's domains.",
                "If the service has been vetted, add its names and ports to services:."};
        case reason::port_not_allowed:
            return {"The host is approved, but not on this port.",
                    "Add the port to the entry if it is needed."};
        case reason::ip_literal_not_allowed:
            return {"An internet destination was asked for by IP address; services are catalogued by name so "
                    "that an address cannot bypass the catalogue.",
                    "Configure the client to use the service's name."};
        case reason::special_address:
            return {"The address is in special-purpose space (private, loopback, link-local, ...) and in no "
                    "zone.",
                    "If it is a municipal network, list its range in the right zone."};
        case reason::resolved_outside_zone:
            return {"The name is approved, but DNS answered with an address outside the name's zone (a DNS "
                    "rebinding or SSRF guard, invariant 5).",
                    "Check the DNS answer; if the address is right, list its range in the zone."};
        case reason::self_connect:
            return {"The destination is the gateway itself (a proxy loop).", "None."};
        case reason::no_addresses:
            break;
    }
    return {"The name resolved to no address.", "Check DNS or the hosts: map."};
}

} // namespace sekisho::ctl
