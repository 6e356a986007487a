#pragma once
// The reasons behind one decision, for `sekishoctl policy explain`: who asks,
// what the destination is, and what each of the user's roles says about it,
// in the order decide() checks them. The answer itself always comes from
// policy::decide_resolved(); the chain only explains it.

#include "policy/decide.hpp"

#include <boost/json.hpp>

#include <span>
#include <string>
#include <utility>
#include <vector>

namespace sekisho::ctl {

// One condition a role checks, and whether it holds.
struct role_step
{
    std::string name; // "layer", "grant", "data_class", "mfa", "hours", "posture"
    bool ok = true;
    std::string text; // "hours mon,...,fri 08:00-20:00 JST: 2027-04-07 22:00 JST (wed) is outside"
};

struct role_trace
{
    const policy::role* role = nullptr;
    // decide()'s order, up to and including the first step that fails.
    std::vector<role_step> steps;
    // allowed: the role admits the request; otherwise the first failure
    // (not_granted when the role is for another layer or lacks the entry).
    policy::reason outcome = policy::reason::not_granted;
};

struct decision_trace
{
    policy::request req;
    policy::clock::time_point at;
    policy::decision decision;              // the answer: decide_resolved()
    policy::decision by_name;               // decide() alone, before the DNS answer is vetted
    const policy::user* user = nullptr;     // null: none given, or not in users:
    const policy::device* device = nullptr; // null: none given, or not in devices:
    policy::zone dest_zone = policy::zone::none;
    const policy::cloud_service* service = nullptr;             // the catalogue entry of the name
    const policy::screen_transfer_endpoint* endpoint = nullptr; // the approved endpoint of the host
    std::vector<std::pair<policy::ip_address, policy::zone>> addresses;
    // False when the request was refused before the roles (an invariant,
    // the identity of device and user, or the destination entry).
    bool roles_consulted = false;
    std::vector<role_trace> roles; // every role of the user, in the user's order
};

decision_trace trace(const policy::snapshot& snap,
                     const policy::request& req,
                     policy::clock::time_point at,
                     std::span<const policy::ip_address> addresses);

// "tag:office" or "groupware": the reference in the role that grants the
// entry; empty when none does.
std::string granted_by(const policy::role& r, const policy::cloud_service& svc);
std::string granted_by(const policy::role& r, const policy::screen_transfer_endpoint& ep);

// "allowed, but role night-pilot would deny: outside_hours" (report mode).
std::string report_text(const policy::decision& d);

// One printed line of explain: a label ("who", "role", ...; empty: it
// continues the line above) and its text. --json carries them as `chain`.
struct chain_line
{
    std::string label;
    std::string text;
};

// explain's --json object (explain_json.cpp).
boost::json::object explain_json(const std::string& target_text,
                                 const policy::snapshot& snap,
                                 const decision_trace& t,
                                 const std::vector<chain_line>& lines);

} // namespace sekisho::ctl
