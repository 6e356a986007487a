#pragma once
// The policy document as validated plain data (what the YAML said, checked and
// normalised). compile() turns it into an immutable snapshot for decisions.

#include "address.hpp"
#include "catalog.hpp"
#include "diagnostics.hpp"
#include "hostname.hpp"
#include "identity.hpp"
#include "target.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sekisho::policy {

// The three layers of 三層の対策, plus `none` for an address that belongs to no
// zone (a special-purpose range nobody placed in a zone: loopback, private,
// link-local, ...). `none` is never reachable.
enum class zone : std::uint8_t
{
    none,
    mynumber,
    lgwan,
    internet
};
std::string_view to_string(zone z);

// The layer a listener serves. A listener is never bound to `mynumber`.
enum class layer : std::uint8_t
{
    lgwan,
    internet
};
std::string_view to_string(layer l);
std::optional<layer> parse_layer(std::string_view text);
zone zone_of(layer l);

// The municipality's network model (DOMAIN.md §1.2). Recorded and validated in
// this version; later versions derive per-model rules from it.
enum class network_model : std::uint8_t
{
    alpha,
    alpha_prime,
    beta,
    beta_prime
};
std::string_view to_string(network_model m);
std::optional<network_model> parse_network_model(std::string_view text);

struct zone_def
{
    std::vector<cidr> cidrs;
    std::vector<std::string> domains; // canonical suffixes
    source_location where;
};

// An approved screen-transfer (画面転送) endpoint in the LGWAN layer. The
// controls are attested by the endpoint's operator; sekisho only admits
// endpoints that attest all four are off (DOMAIN.md §7 rule 2).
struct screen_transfer_endpoint
{
    std::string id;
    std::string host; // canonical name or canonical IP text
    std::optional<ip_address> host_ip;
    std::vector<std::uint16_t> ports;
    std::string description;
    std::vector<std::string> tags;
    source_location where;
};

// A catalogued cloud service in the internet layer.
struct cloud_service
{
    std::string id;
    std::string name;
    std::vector<domain_pattern> domains;
    std::vector<std::uint16_t> ports;
    data_class max_class = data_class::c1; // the highest class it is approved for
    bool local_breakout = false;           // α': reachable from the LGWAN listener
    std::vector<std::string> tags;
    service_catalog catalog; // certification, provider, residency, ... (catalog.hpp)
    source_location where;
};

// A policy test: a request and the answer the policy must give. All tests
// run at load, at --check-config and at reload; one failure rejects the
// policy.
struct policy_test
{
    std::string name;
    std::string user;                                        // user id; empty: nobody identified
    std::string device;                                      // device id; empty: no registered device
    bool mfa = false;                                        // the session passed a second factor
    layer on = layer::internet;                              // the listener's layer
    target dest;                                             // host:port as a client would ask
    std::vector<ip_address> resolves;                        // what DNS would answer, for names
    std::optional<std::chrono::system_clock::time_point> at; // default: now
    bool expect_allow = false;
    std::string reason; // expected reason code; empty: not checked
    std::string rule;   // expected rule id; empty: not checked
    source_location where;
};

struct policy_document
{
    int version = 1;
    network_model model = network_model::alpha;
    zone_def mynumber;
    zone_def lgwan;
    zone_def internet;
    std::vector<screen_transfer_endpoint> screen_transfer;
    std::vector<cloud_service> services;
    std::vector<role> roles;
    std::vector<user> users;
    std::vector<device> devices;
    bool byod_allowed = false; // DOMAIN.md §7 rule 5
    supply_chain_rules supply_chain;
    std::vector<catalog_exception> exceptions;
    std::vector<registration> registrations; // the imported ISMAP / ISMAP-LIU list
    std::vector<policy_test> tests;
    std::string source_file;
    std::string content_hash; // BLAKE2b-256 of the file bytes, lower-case hex

    const zone_def& zone_definition(zone z) const;
};

} // namespace sekisho::policy
