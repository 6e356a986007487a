#pragma once
// The compiled, immutable form of a policy: normalised, indexed and ready for
// decide(). Built off the hot path and shared as shared_ptr<const snapshot>; a
// connection keeps the snapshot it started with.

#include "address.hpp"
#include "diagnostics.hpp"
#include "model.hpp"
#include "prefix_table.hpp"

#include <cstdint>
#include <memory>
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

    snapshot() = default;
    // The indexes point into doc_: a snapshot is never copied or moved.
    snapshot(const snapshot&) = delete;
    snapshot& operator=(const snapshot&) = delete;

private:
    friend std::shared_ptr<const snapshot> compile(policy_document, const compile_inputs&, diagnostics&);

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
};

// Compile a validated document. It is taken by value and moved into the
// snapshot: callers that no longer need it should std::move it in. Cross-checks that need the whole document
// (zones overlapping, services inside the LGWAN/My Number suffixes, endpoints
// outside the LGWAN zone) are reported to diags; returns null on any error.
std::shared_ptr<const snapshot>
compile(policy_document doc, const compile_inputs& inputs, diagnostics& diags);

} // namespace sekisho::policy
