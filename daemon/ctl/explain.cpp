#include "daemon/ctl/explain.hpp"

// The texts below are also the keys of their Japanese (daemon/i18n/
// ja_explain.cpp): the text report looks them up as written, --json keeps
// them. A changed text needs its entry changed too (unit suite i18n checks
// every reason).

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
            return {"The name resolved to no address.", "Check DNS or the hosts: map."};
        case reason::unknown_device:
            return {"The device's certificate is valid but matches no device in the inventory (devices:).",
                    "Register the device with its certificate fingerprint or serial."};
        case reason::device_lost:
            return {"The device is reported lost; it is refused whatever it asks for.",
                    "If it has been found, check it for tampering, then set `status: active`."};
        case reason::device_retired:
            return {"The device is retired.",
                    "Use a current device; retired ones are kept only for the record."};
        case reason::device_expired:
            return {"The device's registration has expired (`expires`).",
                    "Renew the registration if the device is still in use."};
        case reason::byod_not_allowed:
            return {"The device is a personal one (byod) and this policy does not allow BYOD.",
                    "Use a lent device, or set `byod_allowed: true` where policy permits it."};
        case reason::unknown_user:
            return {"No such user in the policy (users:).", "Add the user with their roles."};
        case reason::user_expired:
            return {"The user's access has expired (`expires`), e.g. a contractor's term ended.",
                    "Extend `expires` if the access is still approved."};
        case reason::device_not_owned:
            return {"The device is registered to another user.",
                    "Use your own device, or correct its owner."};
        case reason::not_granted:
            return {"None of the user's roles grants this destination on this layer.",
                    "If the user needs it, add the service or endpoint (or its tag) to one of their roles."};
        case reason::data_class:
            return {"The service carries a higher data class (自治体機密性) than the role may reach.",
                    "Use a role approved for that class, or correct the service's data_class."};
        case reason::outside_hours:
            return {"Outside the hours the role may telework (Asia/Tokyo).",
                    "Try again within the role's hours, or ask for them to be extended."};
        case reason::posture_stale:
            return {"The device's endpoint posture report is missing or older than the role allows.",
                    "Run the posture check (antivirus, patches, disk encryption) and update the inventory."};
        case reason::mfa_required:
            return {"The role requires a second factor (password + one-time code) and the session has none.",
                    "Sign in with your password and one-time code."};
        case reason::certification_missing:
            return {"The service has no certification recorded (ISMAP, ISMAP-LIU or a municipal assessment): "
                    "uncertified cloud services are not used (DOMAIN.md §7 rule 9).",
                    "Record its registration under certification:, or approve a time-limited exception "
                    "(docs/catalog.md)."};
        case reason::certification_not_yet_valid:
            return {"The service's certification starts later than now.",
                    "Wait for the registration date, or correct certification.registered."};
        case reason::certification_expired:
            return {
                "The service's certification has expired (at midnight Asia/Tokyo after valid_until) and no "
                "renewal is recorded as pending.",
                "Check the ISMAP list: record the new valid_until, or renewal_pending if the provider has "
                "applied."};
        case reason::certification_withdrawn:
            return {"The service's certification was withdrawn or removed from the list.",
                    "Stop using the service, or record a new registration once it has one."};
        case reason::liu_category:
            return {"The service is registered under ISMAP-LIU only, and none of the role's business "
                    "categories is one it was assessed for.",
                    "Use it only for the work it was assessed for: add the category to the role's business "
                    "if that is the work, otherwise use another service."};
        case reason::restricted_provider:
            return {"The service's provider is on supply_chain.restricted_providers.",
                    "Use another service; an exception needs the approval your rules require."};
        case reason::restricted_country:
            return {"The provider, its parent or a subprocessor is in a country on "
                    "supply_chain.restricted_countries.",
                    "Use another service; the detail names the country and the company."};
        case reason::residency:
            return {
                "The service stores data, or fails over, outside the countries supply_chain.residency "
                "requires for its data class (or its residency is not recorded).",
                "Record its storage and failover countries, or use a service that keeps the data in Japan."};
        case reason::review_overdue:
            return {"The service's periodic review (approval.review_due) has passed.",
                    "Review the service and record a new approval.review_due."};
        case reason::kev_open:
            break;
    }
    return {"Known-exploited vulnerabilities are open past the grace period in the service's software (as "
            "attested), or the attestation is missing or too old.",
            "Ask the provider to fix them and attest again; record sbom.kev_open and sbom.attested."};
}

} // namespace sekisho::ctl
