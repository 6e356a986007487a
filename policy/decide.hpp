#pragma once
// Decisions: pure functions of (snapshot, request, time). Deny by default;
// every answer carries a reason code and the id of the rule that decided it.
//
// A name is decided in two steps so that denied names are never even looked
// up in DNS: decide() on the name, then, after the daemon has resolved it,
// vet_resolved() on every address (DNS rebinding / SSRF guard, invariant 5).

#include "model.hpp"
#include "snapshot.hpp"
#include "target.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::policy {

enum class reason : std::uint8_t
{
    allowed,
    mynumber_zone,          // invariant 1: by name or by address
    layer_mismatch,         // invariant 2: destination in another layer
    not_screen_transfer,    // invariant 3: LGWAN target not an approved endpoint (host and port)
    not_catalogued,         // invariant 4: internet target not a catalogued service
    port_not_allowed,       // catalogued host, port not listed
    ip_literal_not_allowed, // internet IP literal: services are matched by name only
    special_address,        // address in special-purpose space and in no zone
    resolved_outside_zone,  // invariant 5: a resolved address lies outside the name's zone
    self_connect,           // the gateway's own listener
    no_addresses,           // the name resolved to nothing usable
    // Who is asking (devices:, users:).
    unknown_device,   // the certificate matches no device in the inventory
    device_lost,      // the device is reported lost
    device_retired,   // the device is retired
    device_expired,   // the device's `expires` has passed
    byod_not_allowed, // a BYOD device while byod_allowed is false
    unknown_user,     // no such user
    user_expired,     // the user's `expires` has passed
    device_not_owned, // the device belongs to another user
    // What the user's roles allow (roles:); `enforce: report` roles only
    // record not_granted, outside_hours and posture_stale.
    not_granted,   // no role of the user grants this destination on this layer
    data_class,    // the service carries a higher class than the role may reach
    outside_hours, // outside the role's hours (Asia/Tokyo)
    posture_stale, // the device's posture report is missing or too old
    mfa_required,  // the role needs a second factor (never report-only)
    // The catalog (services: certification, supply_chain:, exceptions:),
    // checked at decision time; an exception may waive any of them.
    certification_missing,       // no certification recorded
    certification_not_yet_valid, // before its registration date
    certification_expired,       // past valid_until, no renewal pending
    certification_withdrawn,     // withdrawn or removed from the list
    liu_category,                // ISMAP-LIU: the role's business is not a category it was assessed for
    restricted_provider,         // the provider is on supply_chain.restricted_providers
    restricted_country,          // provider, parent or a subprocessor in a restricted country
    residency,                   // storage or failover outside supply_chain.residency's countries
    review_overdue,              // approval.review_due has passed
    kev_open                     // known-exploited vulnerabilities open past the grace period
};
// The reasons above that the catalog decides (and exceptions may waive).
bool catalog_reason(reason r);

// ISMAP-LIU: whether the role's business covers a category the service was
// assessed for (always true for other schemes).
bool liu_covers(const cloud_service& svc, const role& ro);
std::string_view to_string(reason r);
std::optional<reason> parse_reason(std::string_view text);

enum class verdict : std::uint8_t
{
    deny,
    allow
};

struct request
{
    layer listener_layer = layer::internet;
    target dest;
    std::string user;   // user id; empty: nobody identified
    std::string device; // device id from the inventory; empty: none
    bool mfa = false;   // the session passed a second factor
};

struct decision
{
    verdict result = verdict::deny;
    reason why = reason::not_catalogued;
    std::string rule_id; // "service:<id>", "screen_transfer:<id>", "invariant:mynumber", "default:deny", ...
    zone dest_zone = zone::none;
    std::string service_id; // the service or endpoint id that matched, if any
    std::string role_id;    // the role that granted (or, denying, whose condition failed)
    std::string detail;     // for logs: the offending address, the port, ...
    // Report mode: the tunnel is allowed, but an `enforce: report` role
    // would have denied it for this reason (reason::allowed: not reported).
    // Also review_overdue when supply_chain.review_overdue is `warn`.
    reason would_deny = reason::allowed;
    // The catalog exception that waived a catalog rule for this decision.
    std::string exception_id;
    // The catalogued service the target matched (whatever the verdict), in
    // the snapshot decided against; null for other targets. Callers read its
    // class for the record instead of looking the name up again.
    const cloud_service* service = nullptr;

    bool allowed() const { return result == verdict::allow; }
    bool report_only() const { return would_deny != reason::allowed; }
};

// True for reasons an `enforce: report` role may record instead of enforce:
// the role's own conditions, never the invariants of the three layers or
// the identity of device and user.
bool reportable(reason r);

using clock = std::chrono::system_clock;

decision decide(const snapshot& snap, const request& req, clock::time_point now);

// Whether a telework session of `user` on `device` may go on at `now` on
// layer `on`: the identity checks of decide() hold, and one of the user's
// roles on that layer is within its hours (a role in report mode keeps it
// open whatever the hour). reason::allowed, or why the session must end:
// an identity reason, outside_hours, or not_granted (no role on the layer).
reason session_standing(
    const snapshot& snap, std::string_view user, std::string_view device, layer on, clock::time_point now);

// Vets every address a name resolved to against the zones. Any address in the
// My Number zone, outside the name's own zone, or equal to one of the
// gateway's own listeners denies the whole request (fail closed). Returns
// by_name unchanged when all addresses pass.
decision vet_resolved(const snapshot& snap,
                      const request& req,
                      const decision& by_name,
                      std::span<const ip_address> addresses);

struct test_result
{
    const policy_test* test = nullptr;
    decision got;
    bool passed = false;
};

// The given policy tests, decided against the snapshot (results point into
// `tests`).
std::vector<test_result> evaluate_policy_tests(const snapshot& snap, const std::vector<policy_test>& tests);

// The whole decision for a request whose DNS answer is known: decide() and,
// for a name that decide() allows, vet_resolved() on `addresses` (when there
// are any; without them only the name is decided). Used wherever the answer
// is already at hand: re-checks of open tunnels, policy tests, explain.
decision decide_resolved(const snapshot& snap,
                         const request& req,
                         clock::time_point now,
                         std::span<const ip_address> addresses);

// Runs the document's policy tests against the snapshot; every failure is an
// error at the test's line. Returns the number of tests that passed.
std::size_t run_policy_tests(const snapshot& snap, diagnostics& diags);

} // namespace sekisho::policy
