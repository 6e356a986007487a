#pragma once
// The compiled, immutable form of a policy: normalised, indexed and ready for
// decide(). Built off the hot path and shared as shared_ptr<const snapshot>; a
// connection keeps the snapshot it started with.

#include "address.hpp"
#include "diagnostics.hpp"
#include "model.hpp"
#include "prefix_table.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sekisho::policy {

struct endpoint
{
    ip_address address;
    std::uint16_t port = 0;
};

struct compile_inputs
{
    // The gateway's own listening endpoints: a tunnel to one of them is a
    // proxy loop and is always denied (reason self_connect).
    std::vector<endpoint> self_endpoints;
    // "Now" for the expiry warnings (what expires within 30 days).
    std::optional<std::chrono::system_clock::time_point> now;
};

class snapshot
{
public:
    // Address → zone: longest prefix among the zones' CIDRs; otherwise `none`
    // for special-purpose space, `internet` for globally routable unicast.
    zone classify(const ip_address& addr) const;
    // Name → zone by the longest domain suffix; names under no zone's suffix
    // are internet names.
    zone classify(std::string_view canonical_name) const;

    const policy_document& document() const { return doc_; }
    const std::string& hash() const { return doc_.content_hash; }
    bool is_self(const ip_address& addr, std::uint16_t port) const;

    // Lookups used by decide(); index into document().
    const screen_transfer_endpoint* find_screen_transfer(std::string_view host) const;
    const cloud_service* find_service(std::string_view canonical_name) const;

    // Identity lookups (null when unknown).
    const user* find_user(std::string_view id) const;
    const device* find_device(std::string_view id) const;
    // The inventory entry of a client certificate: by SHA-256 fingerprint
    // first, then by serial (both normalised as in identity.hpp).
    const device* find_device_by_certificate(std::string_view fingerprint, std::string_view serial) const;
    // Indexes into document().roles of the user's roles.
    const std::vector<std::size_t>& roles_of(const user& u) const;
    bool grants(std::size_t role_index, const cloud_service& svc) const;
    bool grants(std::size_t role_index, const screen_transfer_endpoint& ep) const;
    // The largest tunnels_per_user / sessions_per_user among the user's
    // roles; 0 when none sets one.
    std::uint32_t tunnels_per_user(const user& u) const { return largest_limit(u, &role::tunnels_per_user); }
    std::uint32_t sessions_per_user(const user& u) const
    {
        return largest_limit(u, &role::sessions_per_user);
    }

    // The supply-chain rules the service breaks (restricted provider or
    // country, residency), found at compile time; usually none.
    const std::vector<supply_chain_failure>& supply_chain_failures(const cloud_service& svc) const;
    // The exception (exceptions:) that waives the catalog rule `reason_code`
    // for the service at `now`; null when none does.
    const catalog_exception* waiver(std::string_view service_id,
                                    std::string_view reason_code,
                                    std::chrono::system_clock::time_point now) const;

    snapshot() = default;
    // The indexes point into doc_: a snapshot is never copied or moved.
    snapshot(const snapshot&) = delete;
    snapshot& operator=(const snapshot&) = delete;

private:
    std::uint32_t largest_limit(const user& u, std::uint32_t role::*limit) const;

    friend std::shared_ptr<const snapshot> compile(policy_document, const compile_inputs&, diagnostics&);
    friend void index_identity(snapshot& snap, std::chrono::system_clock::time_point now, diagnostics& diags);
    friend void index_catalog(snapshot& snap, std::chrono::system_clock::time_point now, diagnostics& diags);

    // Every lookup costs the same whatever the size of the policy: hashed
    // suffixes at label boundaries for names (O(labels) probes) and one hash
    // table per prefix length for addresses. Keys are views into doc_.
    policy_document doc_;
    prefix_table prefixes_;                                       // zone CIDRs → zone
    std::unordered_map<std::string_view, zone> suffixes_;         // zone domain → zone
    std::unordered_map<std::string_view, std::size_t> endpoints_; // host → screen_transfer index
    std::unordered_map<std::string_view, std::size_t> exact_;     // name → service index
    std::unordered_map<std::string_view, std::size_t> wild_;      // base of *.base → service index
    std::vector<endpoint> self_;

    struct role_grants
    {
        std::vector<bool> services;  // by index into doc_.services
        std::vector<bool> endpoints; // by index into doc_.screen_transfer
    };
    std::unordered_map<std::string_view, std::size_t> users_;        // id → doc_.users index
    std::unordered_map<std::string_view, std::size_t> devices_;      // id → doc_.devices index
    std::unordered_map<std::string_view, std::size_t> fingerprints_; // → doc_.devices index
    std::unordered_map<std::string_view, std::size_t> serials_;      // → doc_.devices index
    std::vector<std::vector<std::size_t>> user_roles_;               // parallel to doc_.users
    std::vector<role_grants> grants_;                                // parallel to doc_.roles
    std::unordered_map<std::string_view, std::vector<std::size_t>>
        exceptions_;                                                       // service id → doc_.exceptions
    std::vector<std::vector<supply_chain_failure>> supply_chain_failures_; // parallel to doc_.services
};

// Indexes roles, users and devices and checks everything that refers across
// them (compile_identity.cpp); part of compile().
void index_identity(snapshot& snap, std::chrono::system_clock::time_point now, diagnostics& diags);

// Indexes exceptions and checks the catalog (compile_catalog.cpp): what
// exceptions name, classes against certification schemes, and what expires
// or needs review within 30 days; part of compile().
void index_catalog(snapshot& snap, std::chrono::system_clock::time_point now, diagnostics& diags);

// Compile a validated document. It is taken by value and moved into the
// snapshot: callers that no longer need it should std::move it in. Cross-checks that need the whole document
// (zones overlapping, services inside the LGWAN/My Number suffixes, endpoints
// outside the LGWAN zone) are reported to diags; returns null on any error.
std::shared_ptr<const snapshot>
compile(policy_document doc, const compile_inputs& inputs, diagnostics& diags);

} // namespace sekisho::policy
