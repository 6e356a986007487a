#pragma once
// `sekishoctl policy matrix`: what each role reaches, layer by layer, for
// an auditor. For every role and every layer it may use: the screen-transfer
// endpoints and services it reaches, those above its data class, and those
// it is not granted; with the role's hours, MFA, posture, enforcement mode
// and how many users hold it. Pure: built from a snapshot, printed by
// matrix_cmd.cpp (text, JSON) and matrix_html.cpp.

#include "daemon/util/html.hpp"
#include "policy/snapshot.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sekisho::ctl {

enum class access : std::uint8_t
{
    reaches,     // granted, within the role's data class
    data_class,  // the service carries a higher class than the role may reach
    not_granted, // the role does not list it (by id or tag)
};
std::string_view to_string(access a);

struct matrix_entry
{
    const policy::screen_transfer_endpoint* endpoint = nullptr; // one of the two is set
    const policy::cloud_service* service = nullptr;
    access result = access::not_granted;
    std::string granted_by; // the role's reference that grants it ("tag:office"); empty: none
    bool breakout = false;  // a service reached from the LGWAN listener (α' local breakout)

    std::string kind() const { return service != nullptr ? "service" : "screen_transfer"; }
    const std::string& id() const { return service != nullptr ? service->id : endpoint->id; }
    std::string name() const;       // the service's name, the endpoint's description
    std::string hosts() const;      // "files.example.jp, *.files.example.jp"
    std::string ports() const;      // "443, 8443"
    std::string data_class() const; // "2"; "" for an endpoint
};

struct matrix_layer
{
    policy::layer on = policy::layer::internet;
    std::vector<matrix_entry> entries; // reaches first, then data_class, then not_granted
};

struct matrix_role
{
    const policy::role* role = nullptr;
    std::size_t users = 0;            // users holding it
    std::size_t users_expired = 0;    // of those, whose `expires` has passed
    std::vector<matrix_layer> layers; // the layers it may use: lgwan, internet
};

struct policy_matrix
{
    std::vector<matrix_role> roles; // in the policy's order
};

policy_matrix build_matrix(const policy::snapshot& snap, policy::clock::time_point now);

// "reaches", "reaches (local breakout)", "denied: data class", "not granted";
// for an `enforce: report` role "report only: data class", "report only: not
// granted" (allowed, and recorded as what it would deny).
std::string access_label(const policy::role& r, const matrix_entry& e);

// Text for a role's settings, shared by the three outputs.
std::string mode_text(const policy::role& r);    // "enforce" / "report: ..."
std::string mfa_text(const policy::role& r);     // "required" / "not required (one factor)"
std::string posture_text(const policy::role& r); // "a report no older than 7d" / "not checked"
std::string limits_text(const policy::role& r);  // "64 tunnels per user" / "none"

// The matrix as one self-contained HTML page (no scripts, no external
// resources); every string from the policy is escaped (matrix_html.cpp).
std::string matrix_html(const std::string& file, const policy::snapshot& snap, const policy_matrix& m);
using util::html_escape;

} // namespace sekisho::ctl
