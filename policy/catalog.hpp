#pragma once
// The supply-chain side of the cloud service catalog (DOMAIN.md §4-5, §7
// rules 9-11, 14-15; docs/catalog.md): each service's certification (ISMAP,
// ISMAP-LIU or the municipality's own assessment), provider and
// subprocessors with their countries, data residency, approval and review,
// and SBOM attestation; the policy's `supply_chain:` rules; and time-limited
// `exceptions:`. Plain validated data: catalog_check.cpp applies it per
// tunnel, at decision time (a certification ends at midnight Asia/Tokyo
// without any reload).

#include "diagnostics.hpp"
#include "identity.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::policy {

enum class cert_scheme : std::uint8_t
{
    ismap,                // ISMAP cloud service list
    ismap_liu,            // ISMAP for Low-Impact Use: only its business categories, class <= 2
    municipal_assessment, // the municipality's own vetting: up to supply_chain.municipal_assessment_max_class
};
std::string_view to_string(cert_scheme s);
std::optional<cert_scheme> parse_cert_scheme(std::string_view text);

struct certification
{
    cert_scheme scheme = cert_scheme::ismap;
    std::string number;                          // registration number, opaque
    std::optional<clock::time_point> registered; // valid from (a date: 00:00 JST that day)
    clock::time_point valid_until{};             // valid before (a date: through that day, JST)
    // The provider applied for renewal on this date, before expiry: the
    // registration stays valid while the decision is pending (ISMAP 基本規程 §3.5).
    std::optional<clock::time_point> renewal_pending;
    std::optional<clock::time_point> withdrawn; // withdrawn or removed from the list, from
    std::vector<std::string> liu_categories;    // ismap_liu: the business categories assessed
    // Given as `registry: <number>`: the rest comes from that entry of
    // `registrations:` (written by `sekishoctl catalog import-ismap`) at compile.
    std::string registry;
    source_location where;
};

// One entry of the ISMAP / ISMAP-LIU list as imported (`registrations:`, a
// file sekishoctl writes and the policy includes). Services refer to it with
// `certification: {registry: <number>}`.
struct registration
{
    std::string number;
    cert_scheme scheme = cert_scheme::ismap;
    std::string service;  // the service name on the list
    std::string provider; // the provider name on the list
    std::optional<clock::time_point> registered;
    clock::time_point valid_until{};
    std::optional<clock::time_point> withdrawn; // no longer on the list, from
    source_location where;
};

struct provider_info
{
    std::string name;             // legal name
    std::string corporate_number; // 法人番号 (13 digits), when Japanese
    std::string country;          // of incorporation, ISO 3166-1 alpha-2 ("JP")
    std::string parent_country;   // of the ultimate parent; empty: same as country
};

struct subprocessor
{
    std::string name;
    std::string country;
};

struct data_residency
{
    std::vector<std::string> storage;  // countries where the data is stored
    std::vector<std::string> failover; // countries of backup and failover
    bool recorded = false;             // `residency:` was given
};

struct approval
{
    std::string by;
    std::optional<clock::time_point> on;
    std::optional<clock::time_point> review_due; // the next review must happen before this
};

struct sbom_attestation
{
    std::optional<clock::time_point> received;
    std::string format; // "spdx", "cyclonedx"
    // Known-exploited vulnerabilities open past the grace period, as the
    // provider attested on `attested`.
    std::optional<std::uint32_t> kev_open;
    std::optional<clock::time_point> attested;
};

// What the catalog knows of one service besides its names and ports.
struct service_catalog
{
    std::optional<certification> cert; // none: every tunnel is denied (certification_missing)
    provider_info provider;
    std::vector<subprocessor> subprocessors;
    data_residency residency;
    approval approved;
    sbom_attestation sbom;
};

// `supply_chain.residency`: services approved for `min_class` or higher keep
// their storage and failover within `countries`.
struct residency_rule
{
    data_class min_class = data_class::c2;
    std::vector<std::string> countries;
    source_location where;
};

struct supply_chain_rules
{
    std::vector<std::string> restricted_countries; // provider, parent or any subprocessor
    std::vector<std::string> restricted_providers; // legal names or 法人番号
    std::vector<residency_rule> residency;
    bool review_overdue_denies = true; // false: allowed, recorded as would_deny review_overdue
    data_class municipal_assessment_max_class = data_class::c1;
    std::optional<std::chrono::seconds> kev_attestation_max_age; // older: as if not attested
    source_location where;
};

// A time-limited waiver of catalog rules for one service (a local vendor not
// yet in ISMAP, a review that slipped). It never touches the invariants of
// the three layers: zones, screen transfer, identity, roles.
struct catalog_exception
{
    std::string id;
    std::string service;             // service id
    std::vector<std::string> waives; // reason codes (catalog reasons only)
    clock::time_point from{};
    clock::time_point until{}; // valid before (a date: through that day, JST)
    std::string approved_by;
    std::string reason;
    std::vector<std::string> compensating_controls;
    source_location where;
};

// A time-independent catalog rule a service breaks (compile finds them once).
struct supply_chain_failure
{
    std::string reason; // "restricted_provider", "restricted_country", "residency"
    std::string rule;   // "supply_chain:restricted_countries", "supply_chain:residency[0]", ...
    std::string detail; // "subprocessor Mail Three in IE"
};

// "JP": two upper-case ASCII letters.
bool valid_country_code(std::string_view text);

} // namespace sekisho::policy
